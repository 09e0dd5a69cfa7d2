/// A lab as it is now: its hosts, and the files clients need to reach them.
public struct LabState: Sendable, Hashable {
    /// The lab folder, absolute.
    public var directory: String
    /// The first three octets of the hosts' addresses, such as "127.0.1".
    public var subnet: String
    /// lab1, lab2, ... in order.
    public var hosts: [LabHost]
    /// The client key (ed25519, mode 0600) that every host's root accepts.
    public var privateKeyPath: String
    /// Every host's ed25519 and ECDSA keys, by name and by address.
    public var knownHostsPath: String
    /// The hosts as a Tern inventory, with the group `lab`.
    public var inventoryPath: String
    /// For OpenSSH's client: `ssh -F <sshConfigPath> lab1 hostname`.
    public var sshConfigPath: String

    public func host(named name: String) -> LabHost? { hosts.first { $0.name == name } }
}

/// One lab host.
public struct LabHost: Sendable, Hashable {
    public var name: String
    /// A loopback address of its own, such as 127.0.1.1.
    public var address: String
    public var port: Int
    /// The host's `unshare` process (the parent of its namespaces), when running.
    public var pid: Int32?
    public var running: Bool
    /// sshd's log (and the setup script's errors).
    public var logPath: String
}
