/// One line of ssh_config split the way OpenSSH's readconf.c splits it,
/// and the readers of each kind of value.
///
/// A line is: optional blanks, a keyword, then blanks or one `=` (with blanks
/// around it), then the arguments. Arguments are split at blanks; `"` or `'`
/// quote blanks; a backslash escapes a quote, a backslash or (outside quotes)
/// a blank; a `#` where an argument would start ends the line.
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
            guard !keyword.isEmpty else { throw .missingKeyword(at: place) }
            guard !line.isEmpty else { throw .missingArgument(String(keyword), at: place) }
            self.place = place
            self.keyword = keyword.lowercased()
            self.keywordAsWritten = String(keyword)
            self.rest = String(line)
            guard let arguments = Self.splitArguments(line) else {
                throw .unclosedQuote(String(keyword), at: place)
            }
            self.arguments = arguments
        }

        /// OpenSSH's argv_split with comments, as this file's documentation
        /// describes; nil when a quote is never closed.
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
                } else if character.isASCII, let unit = units[Character(character.lowercased())], let value = number {
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
                throw .noneNotAlone(keywordAsWritten, at: place)
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
                    throw .invalidJumpHop(text.trimmingBlanks(), at: place)
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
            let host: Substring
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
