import Foundation
import TernPlan
import Testing

@testable import TernSSH

/// A fresh directory under the system's temporary directory, removed when
/// the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("tern-ssh-XXXXXX")
        var template = Array(base.utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: try #require(created))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path/name`.
    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `path/name`, creating directories on the way.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }
}

struct ProcessOutput {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a program (found on PATH) to completion and collects its output.
@discardableResult
func run(_ program: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws
    -> ProcessOutput
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = ProcessOutput(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self))
    #expect(
        output.status == 0, "\(program) \(arguments.joined(separator: " ")) failed: \(output.stderr)",
        sourceLocation: sourceLocation)
    return output
}

/// A real key pair made by `ssh-keygen` in `directory`; returns the private
/// key's path (the public key is next to it, `.pub`).
@discardableResult
func generateKey(
    in directory: TemporaryDirectory, name: String, type: String, bits: Int? = nil, format: String? = nil,
    passphrase: String = ""
) throws -> String {
    let path = directory.file(name)
    var arguments = ["-q", "-t", type, "-N", passphrase, "-C", "\(name)@tern-test", "-f", path]
    if let bits { arguments += ["-b", String(bits)] }
    if let format { arguments += ["-m", format] }
    try run("ssh-keygen", arguments)
    return path
}

/// The host key in a `.pub` file (or a known_hosts-like line): type and blob.
func hostKey(publicKeyFile path: String) throws -> HostKey {
    let fields = try String(contentsOfFile: path, encoding: .utf8).split(separator: " ")
    return HostKey(type: String(fields[0]), blob: try Base64.decode(String(fields[1])))
}

/// A syntactically valid key blob that is not a real key, for tests that
/// only compare keys: the type string, then 32 bytes derived from `seed`.
func fakeKey(_ type: String, seed: UInt8) -> HostKey {
    var blob: [UInt8] = []
    for field in [Array(type.utf8), [UInt8](repeating: seed, count: 32)] {
        let count = UInt32(field.count)
        blob += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
        blob += field
    }
    return HostKey(type: type, blob: blob)
}

extension HostKey {
    /// The `type base64` part of a known_hosts line.
    var knownHostsText: String { "\(type) \(Base64.encode(blob))" }
}

/// The account every configuration test runs as, so that `~` and the
/// tokens expand the same on every machine.
let tester = LocalAccount(userName: "tester", homeDirectory: "/home/tester", uid: 1000, hostName: "build.example.org")

/// What Tern uses when neither the inventory nor the configuration says.
let defaults = ConnectionSettings(
    name: "unused", hostName: "unused", port: 22, user: "root", identityFiles: ["/home/tester/.ssh/id_default"],
    knownHostsFiles: ["/home/tester/.ssh/known_hosts"])

func config(_ text: String, account: LocalAccount = tester) throws -> SSHConfig {
    try SSHConfig.parse(text, path: "config", account: account)
}

/// `user@host:port` and the identity files, `~` for the tester's home: one
/// line that a table can state.
func summary(_ settings: ConnectionSettings) -> String {
    let keys = settings.identityFiles.map { $0.replacingOccurrences(of: "/home/tester", with: "~") }
    return "\(settings.user)@\(settings.hostName):\(settings.port) \(keys.joined(separator: ","))"
}

func summary(_ hop: JumpHost) -> String {
    let keys = hop.identityFiles.map { $0.replacingOccurrences(of: "/home/tester", with: "~") }
    return "\(hop.user)@\(hop.hostName):\(hop.port) \(keys.joined(separator: ","))"
}
