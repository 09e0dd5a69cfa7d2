import ArgumentParser
import Foundation
import TernEngine
import TernLab

/// `tern lab`: lab hosts for tests, benchmarks and demos.
struct Lab: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run lab hosts: real sshd servers on loopback addresses, each with its own filesystem.",
        discussion: """
            Each host is an OpenSSH server on its own address (127.0.1.1, 127.0.1.2, ...)
            in its own namespaces, over an overlay of this machine's filesystem: what
            one host writes or installs, the others and the machine do not see.
            Needs root. Whatever the hosts need must be installed on the machine first.

            The lab folder (default \(LabConfig.defaultDirectory), or $TERN_LAB_DIR) holds
            inventory.tern (group `lab`), known_hosts, the client key and an ssh_config.

            Examples:
              sudo tern lab up --hosts 3
              ssh -F /var/lib/tern-lab/ssh_config lab1 hostname
              tern check -i /var/lib/tern-lab/inventory.tern playbooks/glusterfs.tern
              sudo tern lab stop lab2 && sudo tern lab start lab2
              sudo tern lab down
            """,
        subcommands: [Up.self, Status.self, Down.self, Stop.self, Start.self]
    )
}

/// The `--dir` option of every lab command.
struct LabDirectoryOption: ParsableArguments {
    @Option(name: .customLong("dir"), help: ArgumentHelp(
        "The lab folder (default: $TERN_LAB_DIR, or \(LabConfig.defaultDirectory)).", valueName: "dir"))
    var directory: String?

    var path: String {
        directory ?? ProcessInfo.processInfo.environment["TERN_LAB_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? LabConfig.defaultDirectory
    }
}

extension Lab {
    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the lab's hosts; running hosts are kept, and the lab only grows.")

        @Option(help: "How many hosts (1 to 254).") var hosts = 3
        @Option(help: ArgumentHelp("The first three octets of the hosts' loopback addresses.", valueName: "127.x.y"))
        var subnet = "127.0.1"
        @OptionGroup var lab: LabDirectoryOption

        func run() throws {
            let clock = ContinuousClock()
            var state: LabState?
            let elapsed = try clock.measure {
                state = try TernLab.Lab.up(LabConfig(directory: lab.path, hosts: hosts, subnet: subnet))
            }
            if let state { LabReport.print(state, elapsed: elapsed) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the lab's hosts and files.")

        @OptionGroup var lab: LabDirectoryOption

        func run() throws {
            LabReport.print(try TernLab.Lab.status(directory: lab.path), elapsed: nil)
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop every host and delete the hosts' folders (the client key stays).")

        @OptionGroup var lab: LabDirectoryOption

        func run() throws {
            let elapsed = try ContinuousClock().measure { try TernLab.Lab.down(directory: lab.path) }
            printLine("lab in \(lab.path) is down (\(LabReport.seconds(elapsed)))")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop one host; its files and keys stay for `start`.")

        @Argument(help: "The host, such as lab2.") var host: String
        @OptionGroup var lab: LabDirectoryOption

        func run() throws {
            try TernLab.Lab.stop(host: host, directory: lab.path)
            printLine("\(host) stopped")
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start one stopped host again, with the same keys and files.")

        @Argument(help: "The host, such as lab2.") var host: String
        @OptionGroup var lab: LabDirectoryOption

        func run() throws {
            try TernLab.Lab.start(host: host, directory: lab.path)
            printLine("\(host) running")
        }
    }
}

/// The table of hosts and the paths a user needs next.
enum LabReport {
    static func print(_ state: LabState, elapsed: Duration?) {
        let header = ["HOST", "ADDRESS", "PORT", "PID", "STATE"]
        let rows = state.hosts.map { host in
            [host.name, host.address, String(host.port), host.pid.map(String.init) ?? "-", host.running ? "running" : "stopped"]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            printLine(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        let running = state.hosts.filter(\.running).count
        let took = elapsed.map { " (\(seconds($0)))" } ?? ""
        printLine("\n\(running) of \(state.hosts.count) host\(state.hosts.count == 1 ? "" : "s") running in \(state.directory)\(took)")
        printLine("  inventory:   \(state.inventoryPath)")
        printLine("  known_hosts: \(state.knownHostsPath)")
        printLine("  client key:  \(state.privateKeyPath)")
        printLine("  ssh config:  \(state.sshConfigPath)")
        if let first = state.hosts.first(where: \.running) {
            printLine("  try:         ssh -F \(state.sshConfigPath) \(first.name) hostname")
        }
    }

    static func seconds(_ duration: Duration) -> String {
        tern.seconds(duration.millis)
    }
}
