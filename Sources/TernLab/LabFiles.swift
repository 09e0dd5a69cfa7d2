/// The files a lab writes for its clients, as text: known_hosts, ssh_config,
/// the Tern inventory, and the block of /etc/hosts that lets the hosts find
/// each other by name. Pure functions of the hosts and the lab's paths.
enum LabFiles {
    /// The group of every lab host in the inventory.
    static let groupName = "lab"

    /// A known_hosts pattern for a host by name and by address.
    static func knownHostsPattern(_ host: HostRecord) -> String {
        host.port == 22 ? "\(host.name),\(host.address)" : "[\(host.name)]:\(host.port),[\(host.address)]:\(host.port)"
    }

    /// known_hosts lines from the hosts' public key files ("TYPE BASE64 COMMENT").
    static func knownHosts(_ hosts: [(host: HostRecord, publicKeys: [String])]) -> String {
        var lines = ["# Written by `tern lab up` from the keys it made for each host."]
        for (host, keys) in hosts {
            for key in keys {
                let fields = key.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 2 else { continue }
                lines.append("\(knownHostsPattern(host)) \(fields[0]) \(fields[1])")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An ssh_config for OpenSSH's client: `ssh -F ssh_config lab1`.
    static func sshConfig(_ hosts: [HostRecord], layout: LabLayout) -> String {
        var lines = ["# Written by `tern lab up`: ssh -F \(layout.sshConfig) \(hosts.first?.name ?? "lab1") hostname"]
        for host in hosts {
            lines += [
                "",
                "Host \(host.name)",
                "    HostName \(host.address)",
                "    Port \(host.port)",
                "    User root",
                "    IdentityFile \"\(layout.privateKey)\"",
                "    IdentitiesOnly yes",
                "    UserKnownHostsFile \"\(layout.knownHosts)\"",
                "    GlobalKnownHostsFile /dev/null",
                "    StrictHostKeyChecking yes",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The hosts as a Tern inventory, with the group `lab`.
    static func inventory(_ hosts: [HostRecord], layout: LabLayout) -> String {
        var lines = [
            "# The lab's hosts, written by `tern lab up` (rewritten on every up).",
            "# Client key: \(layout.privateKey)",
            "# known_hosts: \(layout.knownHosts)",
            "",
        ]
        for host in hosts {
            lines.append("host \(host.name) { address: \"\(host.address)\", port: \(host.port), user: \"root\", gluster_address: \"\(host.address)\" }")
        }
        lines += ["", "group \(groupName) { hosts: [\(hosts.map(\.name).joined(separator: ", "))] }"]
        return lines.joined(separator: "\n") + "\n"
    }

    static let hostsBlockBegin = "# tern lab hosts: begin"
    static let hostsBlockEnd = "# tern lab hosts: end"

    /// The lines of /etc/hosts naming every lab host.
    static func hostsBlock(_ hosts: [HostRecord]) -> String {
        ([hostsBlockBegin] + hosts.map { "\($0.address) \($0.name)" } + [hostsBlockEnd]).joined(separator: "\n") + "\n"
    }

    /// `existing` with its lab block, if any, replaced by `block` at the end.
    static func mergeHostsFile(_ existing: String, block: String) -> String {
        var kept: [Substring] = []
        var inside = false
        for line in existing.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == hostsBlockBegin { inside = true } else if line == hostsBlockEnd { inside = false } else if !inside { kept.append(line) }
        }
        while kept.last?.isEmpty == true { kept.removeLast() }
        return (kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n") + block
    }
}
