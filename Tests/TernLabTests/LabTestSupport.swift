import Foundation
import Glibc
import Testing
@testable import TernLab

/// Lab hosts need root, sshd and unshare. Without them the lab tests fail
/// (they are never skipped): `scripts/setup` installs what they need.
let canRunLabHosts = geteuid() == 0 && access("/usr/sbin/sshd", X_OK) == 0 && access("/usr/bin/unshare", X_OK) == 0

/// A new folder under the system's temporary folder; the caller removes it.
func makeTemporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.path + "/tern-lab-tests-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    return path
}

/// Runs `body` with a lab of `hosts` hosts brought up in a folder of its own,
/// and always brings it down and removes the folder afterwards.
func withLab(subnet: String, hosts: Int, _ body: (LabState) throws -> Void) throws {
    try #require(canRunLabHosts, "lab hosts need root, /usr/sbin/sshd and /usr/bin/unshare; run scripts/setup as root")
    let parent = try makeTemporaryFolder()
    let directory = parent + "/lab"
    defer {
        try? Lab.down(directory: directory)
        try? FileManager.default.removeItem(atPath: parent)
    }
    try body(try Lab.up(LabConfig(directory: directory, hosts: hosts, subnet: subnet)))
}

/// The result of running a command.
struct CommandResult {
    var status: Int32
    var output: String
}

/// Runs a command on a lab host with OpenSSH's own client and the lab's ssh_config.
func ssh(_ state: LabState, _ host: String, _ command: String) throws -> CommandResult {
    do {
        let output = try Subprocess.run(["ssh", "-F", state.sshConfigPath, "-o", "BatchMode=yes", host, command])
        return CommandResult(status: 0, output: output.trimmingTrailingNewlines())
    } catch LabError.commandFailed(_, let status, let output) {
        return CommandResult(status: status, output: output)
    }
}

/// The IPv4 addresses and ports on which some socket listens, from /proc/net/tcp.
func listeningSockets() -> [(address: String, port: Int)] {
    guard let table = FileSystem.read("/proc/net/tcp") else { return [] }
    return table.split(separator: "\n").dropFirst().compactMap { line in
        let fields = line.split(separator: " ")
        guard fields.count > 3, fields[3] == "0A" else { return nil }  // 0A: LISTEN
        let local = fields[1].split(separator: ":")
        guard local.count == 2, let raw = UInt32(local[0], radix: 16), let port = Int(local[1], radix: 16) else { return nil }
        // The address is printed as a little-endian number.
        let address = (0..<4).map { String((raw >> (8 * $0)) & 0xff) }.joined(separator: ".")
        return (address, port)
    }
}

/// Processes whose mount table mentions `path`: any lab host that still holds its mounts.
func processesWithMounts(under path: String) -> [pid_t] {
    ProcStat.all().compactMap { process in
        guard let mounts = FileSystem.read("/proc/\(process.pid)/mountinfo"), mounts.contains(path) else { return nil }
        return process.pid
    }
}

/// Whether a TCP connection to the address is refused right now.
func connectionIsRefused(_ address: String, port: Int) -> Bool {
    !SSHBanner.isListening(address: address, port: port)
}
