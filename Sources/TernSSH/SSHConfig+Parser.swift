#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading ssh_config text into directives, the way OpenSSH's readconf.c
/// reads it.
///
/// A line is: optional blanks, a keyword, then blanks or one `=` (with blanks
/// around it), then the arguments. Arguments are split at blanks; `"` or `'`
/// quote blanks; a backslash escapes a quote, a backslash or (outside quotes)
/// a blank; a `#` where an argument would start ends the line.
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

        /// Reads one file. `stack` holds the files that include it, outermost
        /// first, to find cycles; `place` is the `Include` line that reads it.
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
                throw SSHConfigError(path: path, line: 0, message: "cannot read: \(error.reason)")
            }
            guard let bytes else { throw SSHConfigError(path: path, line: 0, message: "no such file") }
            let stack = (includedFrom?.stack ?? []) + [canonical]
            try parse(String(decoding: bytes, as: UTF8.self), path: path, conditions: conditions, stack: stack)
        }

        mutating func parse(_ text: String, path: String, conditions: [Condition], stack: [String])
            throws(SSHConfigError)
        {
            var section = conditions
            for (index, lineText) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
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
                throw place.error("Include \(pattern): \(error.reason)")
            }
            for path in paths where !LocalFile.isDirectory(path) {
                try readFile(at: path, conditions: conditions, includedFrom: (place, stack))
            }
        }

        private func hostPatterns(_ line: Line) throws(SSHConfigError) -> HostPatternList {
            guard !line.arguments.isEmpty else { throw .missingArgument(line.keywordAsWritten, at: line.place) }
            if line.arguments.contains(where: { $0.isEmpty || $0 == "!" }) {
                throw line.place.error("Host has an empty pattern")
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

extension SSHConfig {
    /// One non-blank, non-comment line, split into keyword and arguments.
    struct Line {
        let place: Place
        /// Lowercased, for comparison.
        let keyword: String
        let keywordAsWritten: String
        /// The text after the keyword and its delimiter, unsplit, for the
        /// keywords whose value is a command or a list that `ssh` reads whole.
        let rest: String
        let arguments: [String]

        init?(_ text: Substring, at place: Place) throws(SSHConfigError) {
            let trimmed = text.reversed().drop { " \t\r\n\u{0C}".contains($0) }.reversed()
            var line = Substring(String(trimmed)).drop { $0 == " " || $0 == "\t" }
            guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
            let keyword = line.prefix { $0 != " " && $0 != "\t" && $0 != "=" }
            line = line.dropFirst(keyword.count)
            if line.hasPrefix("=") {
                line = line.dropFirst().drop { $0 == " " || $0 == "\t" }
            } else {
                line = line.drop { $0 == " " || $0 == "\t" }
                if line.hasPrefix("=") { line = line.dropFirst().drop { $0 == " " || $0 == "\t" } }
            }
            guard !keyword.isEmpty else { throw place.error("a line starts with a keyword, not '='") }
            guard !line.isEmpty else { throw .missingArgument(String(keyword), at: place) }
            self.place = place
            self.keyword = keyword.lowercased()
            self.keywordAsWritten = String(keyword)
            self.rest = String(line)
            guard let arguments = Self.splitArguments(line) else {
                throw place.error("\(keyword) has a quote that is never closed")
            }
            self.arguments = arguments
        }

        /// OpenSSH's argv_split with comments: see the parser's documentation.
        static func splitArguments(_ text: Substring) -> [String]? {
            var arguments: [String] = []
            var characters = Array(text)
            characters.append("\0")  // a sentinel, so that look-ahead needs no bounds check
            var i = 0
            while i < characters.count - 1 {
                if characters[i] == " " || characters[i] == "\t" {
                    i += 1
                    continue
                }
                if characters[i] == "#" { break }
                var argument = ""
                var quote: Character?
                while i < characters.count - 1 {
                    let c = characters[i]
                    if c == "\\" {
                        let next = characters[i + 1]
                        if next == "'" || next == "\"" || next == "\\" || (quote == nil && next == " ") {
                            i += 1
                            argument.append(next)
                        } else {
                            argument.append(c)
                        }
                    } else if quote == nil && (c == " " || c == "\t") {
                        break
                    } else if quote == nil && (c == "\"" || c == "'") {
                        quote = c
                    } else if quote != nil && c == quote {
                        quote = nil
                    } else {
                        argument.append(c)
                    }
                    i += 1
                }
                if quote != nil { return nil }
                arguments.append(argument)
            }
            return arguments
        }

        func single(tokens: Set<Character>? = nil) throws(SSHConfigError) -> String {
            guard let value = arguments.first, !value.isEmpty else {
                throw .missingArgument(keywordAsWritten, at: place)
            }
            guard arguments.count == 1 else {
                throw .extraArguments(keywordAsWritten, Array(arguments.dropFirst()), at: place)
            }
            try checkTokens(value, allowed: tokens)
            return value
        }

        func flag() throws(SSHConfigError) -> Bool {
            let value = try single()
            switch value.lowercased() {
            case "yes", "true": return true
            case "no", "false": return false
            default: throw .badFlag(keywordAsWritten, value, at: place)
            }
        }

        /// Seconds, from OpenSSH's time format: numbers each followed by an
        /// optional unit (s, m, h, d, w), added up. nil for `none`.
        func time() throws(SSHConfigError) -> Int? {
            let value = try single()
            if value == "none" { return nil }
            guard let seconds = Self.seconds(value) else { throw .badTime(keywordAsWritten, value, at: place) }
            return seconds
        }

        static func seconds(_ text: String) -> Int? {
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
            var total = 0
            var number: Int?
            for character in text {
                if let digit = character.wholeNumberValue, character.isASCII {
                    let (shifted, overflow) = (number ?? 0).multipliedReportingOverflow(by: 10)
                    guard !overflow, shifted <= Int(Int32.max) else { return nil }
                    number = shifted + digit
                } else if let unit = units[Character(character.lowercased())], let value = number {
                    total += value * unit
                    number = nil
                } else {
                    return nil
                }
                guard total <= Int(Int32.max) else { return nil }
            }
            guard !text.isEmpty else { return nil }
            total += number ?? 0
            return total <= Int(Int32.max) ? total : nil
        }

        func strictHostKeyChecking() throws(SSHConfigError) -> StrictHostKeyChecking {
            let value = try single()
            switch value.lowercased() {
            case "yes", "true": return .yes
            case "ask": return .ask
            case "accept-new": return .acceptNew
            case "no", "off", "false": return .no
            default: throw .badStrictHostKeyChecking(value, at: place)
            }
        }

        /// One or more paths; `none` only alone.
        func fileList() throws(SSHConfigError) -> [String] {
            if arguments.contains(where: \.isEmpty) { throw .missingArgument(keywordAsWritten, at: place) }
            if arguments.count > 1, arguments.contains(where: { $0.lowercased() == "none" }) {
                throw place.error("\(keywordAsWritten) none must appear alone")
            }
            if arguments.count == 1 && arguments[0].lowercased() == "none" { return ["none"] }
            for file in arguments { try checkTokens(file, allowed: SSHConfig.pathTokens) }
            return arguments
        }

        /// `none`, or comma-separated hops `[ssh://][user@]host[:port]`;
        /// `ssh` reads the value whole, up to a `#`.
        func proxyJump() throws(SSHConfigError) -> Proxy {
            let value = rest.prefix { $0 != "#" }.trimmingBlanks()
            if value.lowercased() == "none" { return .noProxy }
            var hops: [JumpSpec] = []
            for text in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let hop = Self.jumpSpec(text.trimmingBlanks()) else {
                    throw place.error(
                        "invalid ProxyJump hop '\(text.trimmingBlanks())': expected [user@]host[:port], hops separated by commas"
                    )
                }
                hops.append(hop)
            }
            return .jump(hops)
        }

        static func jumpSpec(_ text: String) -> JumpSpec? {
            var rest = Substring(text)
            if rest.lowercased().hasPrefix("ssh://") {
                rest = rest.dropFirst(6)
                if rest.hasSuffix("/") { rest = rest.dropLast() }
            }
            var user: String?
            if let at = rest.lastIndex(of: "@") {
                user = String(rest[..<at])
                rest = rest[rest.index(after: at)...]
                if user?.isEmpty ?? true { return nil }
            }
            var host: Substring
            var portText: Substring?
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                host = rest[rest.index(after: rest.startIndex)..<close]
                let after = rest[rest.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":") else { return nil }
                    portText = after.dropFirst()
                }
            } else if let colon = rest.firstIndex(of: ":") {
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                host = rest
            }
            guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "\t" || $0 == "/" }) else { return nil }
            var port: Int?
            if let portText {
                guard let number = Int(portText), (1...65_535).contains(number) else { return nil }
                port = number
            }
            return JumpSpec(user: user, host: String(host), port: port)
        }

        private func checkTokens(_ value: String, allowed: Set<Character>?) throws(SSHConfigError) {
            guard let allowed, let token = SSHConfig.unknownToken(in: value, allowed: allowed) else { return }
            let known = allowed.sorted().map { "%\($0)" }.joined(separator: " ")
            throw .unknownToken(token, in: keywordAsWritten, allowed: known, at: place)
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingBlanks() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension SSHConfig {
    /// Keywords that would change how `ssh` reaches or authenticates a host,
    /// which Tern does not implement: each is reported for the hosts it
    /// applies to.
    static let ignoredReasons: [String: String] = [
        "certificatefile": "CertificateFile is not supported by Tern; no certificate is offered",
        "hostkeyalias": "HostKeyAlias is not supported by Tern; host keys are looked up under the host's name",
        "globalknownhostsfile":
            "GlobalKnownHostsFile is not supported by Tern; it reads UserKnownHostsFile or its own defaults",
        "knownhostscommand": "KnownHostsCommand is not supported by Tern; it reads known_hosts files only",
        "canonicalizehostname": "CanonicalizeHostname is not supported by Tern; host names are used as written",
        "forwardagent": "ForwardAgent is not supported by Tern; the agent is not forwarded",
        "pkcs11provider": "PKCS11Provider is not supported by Tern; keys on tokens are not offered",
        "smartcarddevice": "SmartcardDevice is not supported by Tern; keys on smart cards are not offered",
        "securitykeyprovider": "SecurityKeyProvider is not supported by Tern; FIDO keys cannot be used",
    ]

    /// The rest of OpenSSH's client keywords (ssh_config(5), up to 9.9):
    /// valid, but of no concern to how Tern connects. A keyword outside this
    /// list and the ones handled above is most likely a typo and is warned
    /// about.
    static let otherKeywords: Set<String> = [
        "addkeystoagent", "addressfamily", "batchmode", "bindaddress", "bindinterface", "canonicaldomains",
        "canonicalizefallbacklocal", "canonicalizemaxdots", "canonicalizepermittedcnames", "casignaturealgorithms",
        "channeltimeout", "checkhostip", "challengeresponseauthentication", "ciphers", "cipher",
        "clearallforwardings", "compression", "compressionlevel", "connectionattempts", "controlmaster",
        "controlpath", "controlpersist", "dsaauthentication", "dynamicforward", "enableescapecommandline",
        "enablesshkeysign", "escapechar", "exitonforwardfailure", "fingerprinthash", "forkafterauthentication",
        "forwardx11", "forwardx11timeout", "forwardx11trusted", "gatewayports", "gssapiauthentication",
        "gssapidelegatecredentials", "hashknownhosts", "hostbasedacceptedalgorithms", "hostbasedauthentication",
        "hostbasedkeytypes", "hostkeyalgorithms", "ignoreunknown", "ipqos", "kbdinteractiveauthentication",
        "kbdinteractivedevices", "kexalgorithms", "keepalive", "localcommand", "localforward", "loglevel",
        "logverbose", "macs", "nohostauthenticationforlocalhost", "numberofpasswordprompts",
        "obscurekeystroketiming", "passwordauthentication", "permitlocalcommand", "permitremoteopen",
        "preferredauthentications", "protocol", "proxyusefdpass", "pubkeyacceptedalgorithms",
        "pubkeyacceptedkeytypes", "pubkeyauthentication", "refuseconnection", "rekeylimit", "remotecommand",
        "remoteforward", "requesttty", "requiredrsasize", "revokedhostkeys", "sendenv", "serveralivecountmax",
        "sessiontype", "setenv", "stdinnull", "streamlocalbindmask", "streamlocalbindunlink", "syslogfacility",
        "tag", "tcpkeepalive", "tunnel", "tunneldevice", "updatehostkeys", "usekeychain", "verifyhostkeydns",
        "versionaddendum", "visualhostkey", "warnweakcrypto", "xauthlocation", "fallbacktorsh",
        "globalknownhostsfile2", "rhostsauthentication", "userknownhostsfile2", "useroaming", "usersh",
        "useprivilegedport", "afstokenpassing", "kerberosauthentication", "kerberostgtpassing",
        "rsaauthentication", "rhostsrsaauthentication", "skeyauthentication", "tisauthentication",
    ]
}
