import Foundation
import TernEngine
import TernPlan
import TernSSH
import Testing

/// The server's key is checked against known_hosts before anything is sent.
@Suite struct HostKeyTests {
    @Test func aChangedKeyIsAMismatchWithBothFingerprints() async throws {
        let server = try SSHServer()
        let other = server.directory + "/other_host_key"
        try SSHServer.generateKey(at: other)
        let otherFields = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ")
        try "[\(server.address)]:\(server.port) \(otherFields[0]) \(otherFields[1])\n"
            .write(toFile: server.knownHosts, atomically: true, encoding: .utf8)
        let expected = Fingerprint.sha256(try SSHServer.publicKeyBlob(other + ".pub"))
        let actual = Fingerprint.sha256(try server.hostKeyBlob())

        try await withTransport({ _ in server.settings() }) { transport in
            await #expect(
                throws: TransportError.hostKeyMismatch(host: "lab", keyType: "ssh-ed25519", expected: expected, actual: actual)
            ) {
                try await transport.exec(CommandRequest("true"), on: lab)
            }
        }
        #expect(server.acceptedLogins() == 0)
    }

    @Test func anUnknownHostIsRefused() async throws {
        let server = try SSHServer()
        try "".write(toFile: server.knownHosts, atomically: true, encoding: .utf8)
        let fingerprint = Fingerprint.sha256(try server.hostKeyBlob())
        try await withTransport({ _ in server.settings() }) { transport in
            await #expect(throws: TransportError.unknownHostKey(host: "lab", keyType: "ssh-ed25519", fingerprint: fingerprint)) {
                try await transport.exec(CommandRequest("true"), on: lab)
            }
        }
    }

    @Test func acceptingNewKeysRecordsTheKeyForNextTime() async throws {
        let server = try SSHServer()
        let knownHosts = server.directory + "/new/known_hosts"
        var settings = server.settings()
        settings.knownHostsFiles = [knownHosts]
        settings.acceptNewHostKeys = true
        let accepting = settings
        let first = try await withTransport({ _ in accepting }) { transport in
            try await transport.exec(CommandRequest("echo first"), on: lab)
        }
        #expect(first.stdoutText == "first\n")
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == server.knownHostsLine())

        settings.acceptNewHostKeys = false
        let strict = settings
        let second = try await withTransport({ _ in strict }) { transport in
            try await transport.exec(CommandRequest("echo second"), on: lab)
        }
        #expect(second.stdoutText == "second\n")
    }

    /// known_hosts holds only an ECDSA key while the server also has an
    /// ed25519 one: the session asks for ECDSA (libssh2 would otherwise
    /// pick by its own preference) and verification succeeds.
    @Test func theHostKeyTypeOnRecordIsTheOneAskedFor() async throws {
        let ecdsa = FileManager.default.temporaryDirectory.path + "/tern-ecdsa-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try SSHServer.generateKey(at: ecdsa, type: "ecdsa")
        defer {
            try? FileManager.default.removeItem(atPath: ecdsa)
            try? FileManager.default.removeItem(atPath: ecdsa + ".pub")
        }
        let server = try SSHServer(extraConfig: ["HostKey \(ecdsa)"])
        let fields = try String(contentsOfFile: ecdsa + ".pub", encoding: .utf8).split(separator: " ")
        try "[\(server.address)]:\(server.port) \(fields[0]) \(fields[1])\n"
            .write(toFile: server.knownHosts, atomically: true, encoding: .utf8)
        let result = try await withTransport({ _ in server.settings() }) { transport in
            try await transport.exec(CommandRequest("echo ok"), on: lab)
        }
        #expect(result.stdoutText == "ok\n")
    }
}
