/// Where everything lives in a lab folder; the one place that knows the layout.
///
///     lab.json           the hosts, their addresses and processes (LabRecord)
///     lock               held while `up`, `down`, `stop` or `start` runs
///     id_ed25519[.pub]   the client key, made once per folder, kept by `down`
///     known_hosts        every host's keys, written from the keys made here
///     ssh_config         for `ssh -F ssh_config lab1`
///     inventory.tern     the hosts for Tern, and the group `lab`
///     host-start.sh      what each host runs as PID 1 of its namespaces
///     hosts/lab1/        upper/ work/ merged/ keys/ sshd.log
struct LabLayout: Sendable, Hashable {
    /// An absolute path without a trailing slash.
    let directory: String

    var stateFile: String { directory + "/lab.json" }
    var lockFile: String { directory + "/lock" }
    var privateKey: String { directory + "/id_ed25519" }
    var publicKey: String { privateKey + ".pub" }
    var knownHosts: String { directory + "/known_hosts" }
    var sshConfig: String { directory + "/ssh_config" }
    var inventory: String { directory + "/inventory.tern" }
    var hostScript: String { directory + "/host-start.sh" }
    var hostsDirectory: String { directory + "/hosts" }
    /// Scratch folders for the overlay probe (`Prerequisites.probeOverlay`).
    var probeDirectory: String { hostsDirectory + "/.probe" }

    func host(_ name: String) -> HostLayout { HostLayout(directory: hostsDirectory + "/" + name) }

    /// Characters that overlayfs mount options or ssh_config lines cannot carry
    /// without escaping: the lab folder must do without them.
    static let forbiddenCharacters: Set<Character> = [",", ":", "\\", "\"", "'", " ", "\t", "\n"]

    static func validate(directory: String) throws {
        guard !directory.isEmpty else { throw LabError.invalidConfig("the lab folder must not be empty") }
        if let bad = directory.first(where: { forbiddenCharacters.contains($0) }) {
            throw LabError.unsupportedDirectory(
                directory: directory,
                reason: "its path contains '\(bad)', which overlayfs mount options cannot carry; choose a path of letters, digits, '-', '_', '.' and '/'")
        }
    }
}

/// One host's folder in the lab.
struct HostLayout: Sendable, Hashable {
    let directory: String

    /// The host's own changes: the overlay's upper layer (lower is `/`).
    var upper: String { directory + "/upper" }
    /// Overlayfs's scratch folder, on the same filesystem as `upper`.
    var work: String { directory + "/work" }
    /// Where the overlay is mounted inside the host's mount namespace.
    var merged: String { directory + "/merged" }
    /// Host keys and sshd_config, copied into the host at each start.
    var keys: String { directory + "/keys" }
    var sshdConfig: String { keys + "/sshd_config" }
    var log: String { directory + "/sshd.log" }

    func hostKey(_ type: HostKeyType) -> String { keys + "/" + type.fileName }
}

/// The host key types each lab host has: ed25519 for OpenSSH, ECDSA because
/// libssh2 prefers it.
enum HostKeyType: String, CaseIterable, Sendable {
    case ed25519, ecdsa

    var fileName: String { "ssh_host_\(rawValue)_key" }

    var keygenArguments: [String] {
        switch self {
        case .ed25519: return ["-t", "ed25519"]
        case .ecdsa: return ["-t", "ecdsa", "-b", "256"]
        }
    }
}
