/// Everything needed to open one SSH session to one host, after
/// `~/.ssh/config` (or `-F FILE`) and the inventory have been applied.
/// Built by `SSHConfig.resolve`; consumed by `SSHSession`.
public struct ConnectionSettings: Sendable, Hashable {
    /// The inventory name of the host (used in every message).
    public var name: String
    /// Where to connect: an address or a host name (HostName).
    public var hostName: String
    public var port: Int
    public var user: String
    /// Private key files to try, in order (IdentityFile).
    public var identityFiles: [String]
    /// Only the identity files, never the agent's other keys (IdentitiesOnly).
    public var identitiesOnly: Bool
    /// Use ssh-agent (SSH_AUTH_SOCK) when set.
    public var useAgent: Bool
    /// Hosts to jump through, outermost first (ProxyJump), each resolved.
    public var jumps: [JumpHost]
    public var connectTimeoutMillis: Int
    public var authTimeoutMillis: Int
    /// Keepalive interval; 0 disables.
    public var keepaliveSeconds: Int
    /// The known_hosts files to verify against; the first is where new keys are recorded.
    public var knownHostsFiles: [String]
    /// Record an unknown host's key instead of refusing it.
    public var acceptNewHostKeys: Bool

    public init(
        name: String, hostName: String, port: Int = 22, user: String = "root", identityFiles: [String] = [],
        identitiesOnly: Bool = false, useAgent: Bool = true, jumps: [JumpHost] = [],
        connectTimeoutMillis: Int = 10_000, authTimeoutMillis: Int = 10_000, keepaliveSeconds: Int = 15,
        knownHostsFiles: [String] = [], acceptNewHostKeys: Bool = false
    ) {
        self.name = name
        self.hostName = hostName
        self.port = port
        self.user = user
        self.identityFiles = identityFiles
        self.identitiesOnly = identitiesOnly
        self.useAgent = useAgent
        self.jumps = jumps
        self.connectTimeoutMillis = connectTimeoutMillis
        self.authTimeoutMillis = authTimeoutMillis
        self.keepaliveSeconds = keepaliveSeconds
        self.knownHostsFiles = knownHostsFiles
        self.acceptNewHostKeys = acceptNewHostKeys
    }
}

/// One hop of a ProxyJump chain.
public struct JumpHost: Sendable, Hashable {
    public var hostName: String
    public var port: Int
    public var user: String
    public var identityFiles: [String]

    public init(hostName: String, port: Int = 22, user: String = "root", identityFiles: [String] = []) {
        self.hostName = hostName
        self.port = port
        self.user = user
        self.identityFiles = identityFiles
    }
}

/// A host key as the server presented it.
public struct HostKey: Sendable, Hashable {
    /// "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...
    public var type: String
    /// The raw key blob (as in known_hosts, base64-decoded).
    public var blob: [UInt8]

    public init(type: String, blob: [UInt8]) {
        self.type = type
        self.blob = blob
    }
}

/// What known_hosts says about a presented key.
public enum HostKeyVerdict: Sendable, Hashable {
    case match
    /// known_hosts has keys of this type for the host, none equal to this one.
    case mismatch(expectedFingerprint: String)
    /// known_hosts has no key of this type for the host.
    case unknown
}
