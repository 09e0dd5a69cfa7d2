#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading ssh_config text into directives, the way OpenSSH's readconf.c
/// reads it (how one line splits is in `SSHConfig+Line.swift`).
///
/// `Host` and `Match` lines change the section that the following lines are
/// under; an `Include` reads its files under the current section, and the
/// `Host` lines inside them narrow it further, ending with the file. Every
/// line is checked whether or not its section will ever apply, as `ssh`
/// checks it: a bad port anywhere fails the whole file.
extension SSHConfig {
    /// OpenSSH's own limit (READCONF_MAX_DEPTH).
    static let maximumIncludeDepth = 16

    struct Parser {
        let account: LocalAccount
        var directives: [Directive] = []
        var warnings: [SSHConfigWarning] = []

        init(account: LocalAccount) {
            self.account = account
        }

        /// Reads one file under `conditions`. An included file comes with the
        /// `Include` line that reads it and the files that lead to it,
        /// outermost first (canonical paths), to find cycles.
        mutating func readFile(at path: String, conditions: [Condition], includedFrom: (place: Place, stack: [String])?)
            throws(SSHConfigError)
        {
            let canonical = Self.canonicalPath(path)
            if let (place, stack) = includedFrom {
                if let start = stack.firstIndex(of: canonical) {
                    throw .includeCycle(Array(stack[start...]) + [canonical], at: place)
                }
                if stack.count > SSHConfig.maximumIncludeDepth { throw .includeTooDeep(at: place) }
            }
            let bytes: [UInt8]?
            do {
                bytes = try LocalFile.contents(path)
            } catch {
                throw .cannotRead(path, error.reason)
            }
            guard let bytes else { throw .noSuchFile(path) }
            let stack = (includedFrom?.stack ?? []) + [canonical]
            try parse(String(decoding: bytes, as: UTF8.self), path: path, conditions: conditions, stack: stack)
        }

        mutating func parse(_ text: String, path: String, conditions: [Condition], stack: [String])
            throws(SSHConfigError)
        {
            var section = conditions
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isLineEnd)
            for (index, lineText) in lines.enumerated() {
                let place = Place(path: path, line: index + 1)
                guard let line = try Line(lineText, at: place) else { continue }
                switch line.keyword {
                case "host":
                    section = conditions + [.hosts(try hostPatterns(line))]
                case "match":
                    let criteria = line.arguments.joined(separator: " ")
                    if criteria.lowercased() == "all" {
                        section = conditions
                    } else {
                        warnings.append(.unsupportedMatch(criteria, at: place))
                        section = conditions + [.never]
                    }
                case "include":
                    for pattern in line.arguments {
                        try include(pattern, conditions: section, place: place, stack: stack)
                    }
                default:
                    if let setting = try setting(line) {
                        directives.append(Directive(conditions: section, setting: setting, place: place))
                    }
                }
            }
        }

        private mutating func include(_ pattern: String, conditions: [Condition], place: Place, stack: [String])
            throws(SSHConfigError)
        {
            let anchored = account.anchoredInSSHDirectory(pattern)
            let paths: [String]
            do {
                paths = try LocalFile.expandGlob(anchored)
            } catch {
                throw .includeFailed(pattern, error.reason, at: place)
            }
            for path in paths where !LocalFile.isDirectory(path) {
                try readFile(at: path, conditions: conditions, includedFrom: (place, stack))
            }
        }

        private func hostPatterns(_ line: Line) throws(SSHConfigError) -> HostPatternList {
            guard !line.arguments.isEmpty else { throw .missingArgument(line.keywordAsWritten, at: line.place) }
            if line.arguments.contains(where: { $0.isEmpty || $0 == "!" }) {
                throw .emptyHostPattern(at: line.place)
            }
            return HostPatternList(line.arguments)
        }

        /// The setting a line makes, nil for keywords Tern has no use for.
        private mutating func setting(_ line: Line) throws(SSHConfigError) -> Setting? {
            switch line.keyword {
            case "hostname":
                return .hostName(try line.single(tokens: SSHConfig.hostNameTokens))
            case "user":
                return .user(try line.single())
            case "port":
                let text = try line.single()
                guard let port = Int(text), (1...65_535).contains(port) else { throw .badPort(text, at: line.place) }
                return .port(port)
            case "identityfile", "identityfile2":
                return .identityFile(try line.single(tokens: SSHConfig.pathTokens))
            case "identitiesonly":
                return .identitiesOnly(try line.flag())
            case "connecttimeout":
                return try line.time().map { .connectTimeout(seconds: $0) }
            case "serveraliveinterval":
                return try line.time().map { .serverAliveInterval(seconds: $0) }
            case "proxyjump":
                return .proxy(try line.proxyJump())
            case "proxycommand":
                let command = line.rest
                return .proxy(command.lowercased() == "none" ? .noProxy : .command(command))
            case "userknownhostsfile":
                return .userKnownHostsFiles(try line.fileList())
            case "stricthostkeychecking":
                return .strictHostKeyChecking(try line.strictHostKeyChecking())
            case "identityagent":
                return .identityAgent(try line.single())
            case "forwardagent", "canonicalizehostname":
                // Off is what Tern does anyway, but it still takes the
                // keyword's slot: a later "yes" does not apply.
                let value = try line.single().lowercased()
                let off = value == "no" || value == "false"
                return .ignored(keyword: line.keyword, reason: off ? nil : SSHConfig.ignoredReasons[line.keyword])
            default:
                if let reason = SSHConfig.ignoredReasons[line.keyword] {
                    return .ignored(keyword: line.keyword, reason: reason)
                }
                if !SSHConfig.otherKeywords.contains(line.keyword) {
                    warnings.append(.unknownKeyword(line.keywordAsWritten, at: line.place))
                }
                return nil
            }
        }

        private static func canonicalPath(_ path: String) -> String {
            guard let resolved = realpath(path, nil) else { return path }
            defer { free(resolved) }
            return String(cString: resolved)
        }
    }
}
