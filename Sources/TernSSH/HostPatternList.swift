/// OpenSSH's host patterns (ssh_config(5) "PATTERNS"), shared by `Host`
/// lines in ssh_config and the host field of known_hosts.
///
/// A pattern is matched against the whole host string: `*` matches any run
/// of characters (also none), `?` exactly one, everything else itself. Host
/// names compare without regard to case, as DNS names do; OpenSSH gets the
/// same effect by lowercasing the host it looks up.
///
/// A list of patterns matches when one of its positive patterns matches and
/// none of its negated (`!`) patterns does; a negated pattern alone never
/// selects a host, it only excludes one.
struct HostPatternList: Sendable, Hashable {
    let patterns: [String]

    init(_ patterns: [String]) {
        self.patterns = patterns
    }

    enum Verdict: Sendable, Hashable {
        /// A positive pattern matched and no negated one did.
        case matched
        /// A negated pattern matched: the host is excluded.
        case excluded
        case notMatched
    }

    func verdict(for host: String) -> Verdict {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if Self.matches(host, pattern: String(pattern.dropFirst())) { return .excluded }
            } else if !matched && Self.matches(host, pattern: pattern) {
                matched = true
            }
        }
        return matched ? .matched : .notMatched
    }

    func matches(_ host: String) -> Bool { verdict(for: host) == .matched }

    /// Whether one wildcard pattern matches the whole of `host`.
    ///
    /// Backtracking over the last `*` only: when a later character fails,
    /// let that star swallow one more character and retry. Earlier stars never
    /// need to move, so this is linear in practice and never exponential.
    static func matches(_ host: String, pattern: String) -> Bool {
        let text = Array(host.lowercased().unicodeScalars)
        let glob = Array(pattern.lowercased().unicodeScalars)
        var t = 0
        var g = 0
        var starGlob = -1
        var starText = 0
        while t < text.count {
            if g < glob.count && (glob[g] == "?" || (glob[g] != "*" && glob[g] == text[t])) {
                t += 1
                g += 1
            } else if g < glob.count && glob[g] == "*" {
                starGlob = g
                starText = t
                g += 1
            } else if starGlob >= 0 {
                starText += 1
                t = starText
                g = starGlob + 1
            } else {
                return false
            }
        }
        while g < glob.count && glob[g] == "*" { g += 1 }
        return g == glob.count
    }
}
