/// The `%` tokens of ssh_config(5) "TOKENS", and `~`.
///
/// Each keyword accepts its own set, and the parser rejects any other token
/// when it reads the file, so that expansion at connection time cannot fail.
/// Paths are expanded as `ssh` does: first `~`, then the tokens.
extension SSHConfig {
    /// The tokens `IdentityFile` and `UserKnownHostsFile` may use: `%%`, the
    /// local home (`%d`), uid (`%i`), host name (`%l`, short `%L`) and user
    /// (`%u`); the remote host name (`%h`), port (`%p`) and user (`%r`); and
    /// the host as given (`%n`).
    static let pathTokens: Set<Character> = ["%", "d", "h", "i", "L", "l", "n", "p", "r", "u"]
    /// `HostName` may only refer to the host argument, `%h`.
    static let hostNameTokens: Set<Character> = ["%", "h"]

    /// The first token of `text` that is not in `allowed` (`%` alone at the
    /// end counts as the token "%"), or nil.
    static func unknownToken(in text: String, allowed: Set<Character>) -> String? {
        var characters = text.makeIterator()
        while let character = characters.next() {
            guard character == "%" else { continue }
            guard let token = characters.next() else { return "%" }
            if !allowed.contains(token) { return "%\(token)" }
        }
        return nil
    }

    /// `text` with each `%x` replaced by `values[x]`; unknown tokens (which
    /// the parser has already refused) are kept as written.
    static func expandTokens(_ text: String, values: [Character: String]) -> String {
        var out = ""
        var characters = text.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                out.append(character)
                continue
            }
            guard let token = characters.next() else {
                out.append("%")
                break
            }
            if token == "%" {
                out.append("%")
            } else if let value = values[token] {
                out += value
            } else {
                out += "%\(token)"
            }
        }
        return out
    }

    func tokenValues(hostArgument: String, hostName: String, port: Int, user: String) -> [Character: String] {
        [
            "d": account.homeDirectory,
            "h": hostName,
            "i": String(account.uid),
            "L": String(account.hostName.prefix { $0 != "." }),
            "l": account.hostName,
            "n": hostArgument,
            "p": String(port),
            "r": user,
            "u": account.userName,
        ]
    }

    func expandPath(_ path: String, tokens: [Character: String]) -> String {
        Self.expandTokens(account.expandingTilde(path), values: tokens)
    }

    func expandHostName(_ hostName: String, host: String) -> String {
        Self.expandTokens(hostName, values: ["h": host])
    }
}
