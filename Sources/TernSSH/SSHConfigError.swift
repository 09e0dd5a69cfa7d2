/// A line of an ssh_config file that Tern cannot use: the whole file is
/// refused, as `ssh` refuses it ("terminating, 1 bad configuration options").
public struct SSHConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public let path: String
    /// 1-based; 0 when the error is about the file as a whole.
    public let line: Int
    public let message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        line == 0 ? "\(path): \(message)" : "\(path):\(line): \(message)"
    }
}

/// A line of an ssh_config file that Tern reads but does not follow the way
/// `ssh` would (an unsupported `Match`, a `ProxyCommand`, an unknown keyword).
public struct SSHConfigWarning: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { "\(path):\(line): warning: \(message)" }
}

extension SSHConfigError {
    static func cannotRead(_ path: String, _ reason: String) -> SSHConfigError {
        SSHConfigError(path: path, line: 0, message: "cannot read: \(reason)")
    }

    static func noSuchFile(_ path: String) -> SSHConfigError {
        SSHConfigError(path: path, line: 0, message: "no such file")
    }

    static func missingKeyword(at place: SSHConfig.Place) -> SSHConfigError {
        place.error("a line starts with a keyword, not '='")
    }

    static func unclosedQuote(_ keyword: String, at place: SSHConfig.Place) -> SSHConfigError {
        place.error("\(keyword) has a quote that is never closed")
    }

    static func emptyHostPattern(at place: SSHConfig.Place) -> SSHConfigError {
        place.error("Host has an empty pattern")
    }

    static func noneNotAlone(_ keyword: String, at place: SSHConfig.Place) -> SSHConfigError {
        place.error("\(keyword) none must appear alone")
    }

    static func invalidJumpHop(_ hop: String, at place: SSHConfig.Place) -> SSHConfigError {
        place.error("invalid ProxyJump hop '\(hop)': expected [user@]host[:port], hops separated by commas")
    }

    static func includeFailed(_ pattern: String, _ reason: String, at place: SSHConfig.Place) -> SSHConfigError {
        place.error("Include \(pattern): \(reason)")
    }

    static func missingArgument(_ keyword: String, at place: SSHConfig.Place) -> SSHConfigError {
        place.error("\(keyword) needs a value")
    }

    static func extraArguments(_ keyword: String, _ extra: [String], at place: SSHConfig.Place) -> SSHConfigError {
        place.error("\(keyword) takes one value; unexpected \(extra.map { "'\($0)'" }.joined(separator: " "))")
    }

    static func badPort(_ text: String, at place: SSHConfig.Place) -> SSHConfigError {
        place.error("bad port '\(text)': a port is a number from 1 to 65535")
    }

    static func badFlag(_ keyword: String, _ text: String, at place: SSHConfig.Place) -> SSHConfigError {
        place.error("\(keyword) is yes or no, not '\(text)'")
    }

    static func badTime(_ keyword: String, _ text: String, at place: SSHConfig.Place) -> SSHConfigError {
        place.error("\(keyword) is a time such as 30, 30s, 5m or 1h30m, not '\(text)'")
    }

    static func badStrictHostKeyChecking(_ text: String, at place: SSHConfig.Place) -> SSHConfigError {
        place.error("StrictHostKeyChecking is yes, accept-new, no or ask, not '\(text)'")
    }

    static func unknownToken(_ token: String, in keyword: String, allowed: String, at place: SSHConfig.Place)
        -> SSHConfigError
    {
        place.error("\(keyword) uses the token \(token), which Tern does not expand; it knows \(allowed)")
    }

    static func includeCycle(_ chain: [String], at place: SSHConfig.Place) -> SSHConfigError {
        place.error("Include cycle: \(chain.joined(separator: " -> "))")
    }

    static func includeTooDeep(at place: SSHConfig.Place) -> SSHConfigError {
        place.error("Include nests more than \(SSHConfig.maximumIncludeDepth) files deep")
    }
}

extension SSHConfigWarning {
    static func unsupportedMatch(_ criteria: String, at place: SSHConfig.Place) -> SSHConfigWarning {
        place.warning(
            "Match \(criteria): Tern supports only 'Match all'; the settings up to the next Host or Match line"
                + " are skipped")
    }

    static func unknownKeyword(_ keyword: String, at place: SSHConfig.Place) -> SSHConfigWarning {
        place.warning("unknown keyword '\(keyword)', ignored")
    }
}
