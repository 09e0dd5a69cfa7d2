import Foundation
import TernEngine
import TernPlan
import TernSSH
import Testing

/// Hosts reached through a jump host (ProxyJump), over direct-tcpip channels.
@Suite struct JumpHostTests {
    /// Two servers: the target is reached through the jump host, and once
    /// the jump host is gone the target cannot be reached any more.
    @Test func aHostIsReachedThroughAJumpHost() async throws {
        let jump = try SSHServer()
        let target = try SSHServer()
        // Both host keys are known, in the target's known_hosts.
        try (target.knownHostsLine() + jump.knownHostsLine())
            .write(toFile: target.knownHosts, atomically: true, encoding: .utf8)
        var settings = target.settings()
        settings.jumps = [JumpHost(hostName: jump.address, port: jump.port, user: "root", identityFiles: [jump.clientKey])]
        settings.identityFiles = [target.clientKey]
        let throughJump = settings

        try await withTransport({ _ in throughJump }) { transport in
            let size = 3 * 1024 * 1024
            let result = try await transport.exec(CommandRequest("hostname >/dev/null; head -c \(size) /dev/zero; echo done >&2"), on: lab)
            #expect(result.stdout.count == size)
            #expect(result.stderrText == "done\n")
            let data = (0..<(2 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0) }
            try await transport.upload(data, to: target.directory + "/through-jump", options: UploadOptions(), on: lab)
            #expect(try await transport.download(target.directory + "/through-jump", on: lab) == data)
            #expect(jump.acceptedLogins() == 1)
            #expect(target.acceptedLogins() == 1)

            // Without the jump host the target is out of reach.
            jump.kill()
            await #expect(throws: TransportError.self) {
                try await transport.exec(CommandRequest("true", timeoutMillis: 5_000), on: lab)
            }
        }
    }

    /// ProxyJump with two hops: the second jump host is reached through the
    /// first, the target through the second.
    @Test func aHostIsReachedThroughTwoJumpHosts() async throws {
        let outer = try SSHServer()
        let inner = try SSHServer()
        let target = try SSHServer()
        try (target.knownHostsLine() + inner.knownHostsLine() + outer.knownHostsLine())
            .write(toFile: target.knownHosts, atomically: true, encoding: .utf8)
        var settings = target.settings()
        settings.jumps = [
            JumpHost(hostName: outer.address, port: outer.port, user: "root", identityFiles: [outer.clientKey]),
            JumpHost(hostName: inner.address, port: inner.port, user: "root", identityFiles: [inner.clientKey]),
        ]
        let throughJumps = settings
        let result = try await withTransport({ _ in throughJumps }) { transport in
            try await transport.exec(CommandRequest("echo deep", stdin: Array("ignored".utf8)), on: lab)
        }
        #expect(result.stdoutText == "deep\n")
        let logins: [Int] = [outer.acceptedLogins(), inner.acceptedLogins(), target.acceptedLogins()]
        #expect(logins == [1, 1, 1])
    }

    @Test func theJumpHostsKeyIsVerifiedToo() async throws {
        let jump = try SSHServer()
        let target = try SSHServer()
        // Only the target's key is known.
        var settings = target.settings()
        settings.jumps = [JumpHost(hostName: jump.address, port: jump.port, user: "root", identityFiles: [jump.clientKey])]
        let throughJump = settings
        let fingerprint = Fingerprint.sha256(try jump.hostKeyBlob())
        try await withTransport({ _ in throughJump }) { transport in
            await #expect(
                throws: TransportError.unknownHostKey(
                    host: "lab via jump host \(jump.address):\(jump.port)", keyType: "ssh-ed25519", fingerprint: fingerprint)
            ) {
                try await transport.exec(CommandRequest("true"), on: lab)
            }
        }
        #expect(target.acceptedLogins() == 0)
    }

    @Test func aTargetTheJumpHostCannotReachIsUnreachable() async throws {
        let jump = try SSHServer()
        let target = try SSHServer()
        try (target.knownHostsLine() + jump.knownHostsLine())
            .write(toFile: target.knownHosts, atomically: true, encoding: .utf8)
        target.kill()
        var settings = target.settings()
        settings.jumps = [JumpHost(hostName: jump.address, port: jump.port, user: "root", identityFiles: [jump.clientKey])]
        let throughJump = settings
        try await withTransport({ _ in throughJump }) { transport in
            let error = await #expect(throws: TransportError.self) {
                try await transport.exec(CommandRequest("true"), on: lab)
            }
            guard case .unreachable(let host, let reason)? = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                return
            }
            #expect(host == "lab via jump host \(jump.address):\(jump.port)")
            #expect(reason.contains("\(target.address):\(target.port)"))
        }
    }
}
