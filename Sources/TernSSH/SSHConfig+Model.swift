/// What a configuration holds once read: directives (a setting under the
/// `Host` lines that lead to it), and what one host gets from them.
extension SSHConfig {
    /// Where in which file a setting was written.
    struct Place: Sendable, Hashable {
        let path: String
        let line: Int

        func error(_ message: String) -> SSHConfigError {
            SSHConfigError(path: path, line: line, message: message)
        }

        func warning(_ message: String) -> SSHConfigWarning {
            SSHConfigWarning(path: path, line: line, message: message)
        }
    }

    /// What must hold for a directive to apply: the `Host` line it follows,
    /// or a skipped `Match` (never).
    enum Condition: Sendable, Hashable {
        case hosts(HostPatternList)
        case never
    }

    /// One setting line, under the `Host` lines that lead to it: its own
    /// file's section and those of the `Include` lines it was read through.
    struct Directive: Sendable {
        let conditions: [Condition]
        let setting: Setting
        let place: Place

        func applies(to host: String) -> Bool {
            conditions.allSatisfy { condition in
                switch condition {
                case .hosts(let patterns): patterns.matches(host)
                case .never: false
                }
            }
        }
    }

    /// The keywords Tern acts on, with values already checked.
    enum Setting: Sendable {
        case hostName(String)
        case user(String)
        case port(Int)
        case identityFile(String)
        case identitiesOnly(Bool)
        case connectTimeout(seconds: Int)
        case proxy(Proxy)
        case userKnownHostsFiles([String])
        case strictHostKeyChecking(StrictHostKeyChecking)
        case serverAliveInterval(seconds: Int)
        /// `none`, `SSH_AUTH_SOCK`, or a socket path (not supported).
        case identityAgent(String)
        /// A keyword whose value would change how `ssh` connects, but which
        /// Tern does not implement; reported, with the reason, when it
        /// applies to a host. Without a reason the value is harmless (e.g.
        /// `ForwardAgent no`) but still the one that counts.
        case ignored(keyword: String, reason: String?)
    }

    /// `ProxyJump` and `ProxyCommand` share one slot: whichever comes first wins.
    enum Proxy: Sendable, Hashable {
        case jump([JumpSpec])
        /// `ProxyJump none` or `ProxyCommand none`: connect directly.
        case noProxy
        case command(String)
    }

    enum StrictHostKeyChecking: Sendable, Hashable {
        case yes, ask, acceptNew, no

        /// Tern never asks and never connects to a host whose key changed:
        /// `ask` refuses unknown keys like `yes`, and `no` records them like
        /// `accept-new`.
        var acceptsNewKeys: Bool { self == .acceptNew || self == .no }
    }

    /// One hop of a `ProxyJump` as written: `[user@]host[:port]`.
    struct JumpSpec: Sendable, Hashable {
        let user: String?
        let host: String
        let port: Int?
    }

    /// The settings that apply to one host, each from its first directive.
    struct HostOptions {
        var hostName: String?
        var user: String?
        var port: Int?
        var identityFiles: [String] = []
        var identitiesOnly: Bool?
        var connectTimeoutSeconds: Int?
        var proxy: Proxy?
        var userKnownHostsFiles: [String]?
        var strictHostKeyChecking: StrictHostKeyChecking?
        var serverAliveIntervalSeconds: Int?
        var useAgent: Bool?
        var ignored: [SSHConfigWarning] = []
        private var ignoredKeywords: Set<String> = []

        mutating func take(_ directive: Directive) {
            switch directive.setting {
            case .hostName(let value): hostName = hostName ?? value
            case .user(let value): user = user ?? value
            case .port(let value): port = port ?? value
            case .identityFile(let value):
                if !identityFiles.contains(value) { identityFiles.append(value) }
            case .identitiesOnly(let value): identitiesOnly = identitiesOnly ?? value
            case .connectTimeout(let seconds): connectTimeoutSeconds = connectTimeoutSeconds ?? seconds
            case .proxy(let value):
                guard proxy == nil else { break }
                proxy = value
                if case .command = value { ignored.append(directive.place.warning(SSHConfig.proxyCommandIgnored)) }
            case .userKnownHostsFiles(let files): userKnownHostsFiles = userKnownHostsFiles ?? files
            case .strictHostKeyChecking(let value): strictHostKeyChecking = strictHostKeyChecking ?? value
            case .serverAliveInterval(let seconds):
                serverAliveIntervalSeconds = serverAliveIntervalSeconds ?? seconds
            case .identityAgent(let agent):
                guard useAgent == nil else { break }
                switch agent {
                case "none": useAgent = false
                case "SSH_AUTH_SOCK", "$SSH_AUTH_SOCK", "${SSH_AUTH_SOCK}": useAgent = true
                default:
                    useAgent = true
                    ignored.append(directive.place.warning(SSHConfig.identityAgentIgnored(agent)))
                }
            case .ignored(let keyword, let reason):
                if ignoredKeywords.insert(keyword).inserted, let reason {
                    ignored.append(directive.place.warning(reason))
                }
            }
        }
    }
}
