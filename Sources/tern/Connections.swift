import ArgumentParser
import Foundation
import TernLab
import TernLang
import TernPlan
import TernSSH

/// How to reach hosts: the options every command that connects takes, and
/// the `ConnectionSettings` they make for each host.
///
/// The inventory says where a host is (address, port, user); the ssh config
/// (`~/.ssh/config`, or `-F FILE`) adds keys, jump hosts, timeouts and
/// known_hosts files, as OpenSSH would. `--lab` uses the lab's inventory and
/// its ssh_config (lab key, lab known_hosts).
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customShort("F"), help: ArgumentHelp("An ssh config file (default: ~/.ssh/config).", valueName: "file"))
    var sshConfig: String?

    @Flag(help: "Record the key of a host that known_hosts does not know yet, instead of refusing it.")
    var acceptNewHostKeys = false

    @Flag(help: "Use the lab hosts: the lab's inventory, key and known_hosts (see `tern lab`).")
    var lab = false

    @Option(help: ArgumentHelp("The lab folder, with --lab (default: $TERN_LAB_DIR or \(LabConfig.defaultDirectory)).", valueName: "dir"))
    var labDir: String?

    @Option(help: ArgumentHelp("How long to wait for a connection, e.g. 10s.", valueName: "duration"))
    var connectTimeout = "10s"

    /// Asks for an encrypted key's passphrase on the terminal (without
    /// echo) when `TERN_SSH_PASSPHRASE` is not set; nil without a terminal.
    static let terminalPassphrasePrompt: @Sendable (String) -> String? = { keyPath in
        guard isatty(0) == 1, let answer = getpass("Enter passphrase for \(keyPath): ") else { return nil }
        return String(cString: answer)
    }

    var labDirectory: String {
        labDir ?? ProcessInfo.processInfo.environment["TERN_LAB_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? LabConfig.defaultDirectory
    }

    /// `-i` files, or the lab's inventory with `--lab`.
    func inventoryPaths(_ given: [String]) -> [String] {
        if !given.isEmpty || !lab { return given }
        return [labDirectory + "/inventory.tern"]
    }

    func validate() throws {
        guard (DurationText.millis(connectTimeout) ?? 0) > 0 else {
            throw ValidationError("--connect-timeout takes a duration such as 10s, got '\(connectTimeout)'")
        }
    }

    /// The settings for every host: inventory values over the ssh config.
    func settings() throws -> @Sendable (PlanHost) -> ConnectionSettings {
        let configPath = sshConfig ?? (lab ? labDirectory + "/ssh_config" : nil)
        let config: SSHConfig
        do {
            config = try configPath.map { try SSHConfig.load(path: $0) } ?? SSHConfig.loadUserConfig()
        } catch {
            throw ValidationError("\(error)")
        }
        let account = LocalAccount.current()
        let ssh = account.homeDirectory + "/.ssh"
        let defaults = ConnectionSettings(
            name: "", hostName: "", port: 22, user: account.userName,
            identityFiles: [ssh + "/id_ed25519", ssh + "/id_ecdsa", ssh + "/id_rsa"],
            connectTimeoutMillis: DurationText.millis(connectTimeout) ?? 10_000,
            knownHostsFiles: [ssh + "/known_hosts"], acceptNewHostKeys: acceptNewHostKeys)
        let accept = acceptNewHostKeys
        return { host in
            var s = config.resolve(name: host.name, address: host.address, port: host.port, user: host.user, defaults: defaults)
            if accept { s.acceptNewHostKeys = true }
            return s
        }
    }
}
