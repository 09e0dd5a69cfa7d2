import Foundation
import Testing
import TernEngine
import TernLab
import TernPlan
import TernSSH

/// The SSH transport against lab hosts: real OpenSSH servers, each in its
/// own namespaces on its own loopback address, reached through libssh2 with
/// the lab's key and known_hosts. Each suite has a subnet of its own.
struct LabFixture {
    let state: LabState
    let hosts: [PlanHost]
    let config: SSHConfig

    /// Brings a lab up, runs `body`, always brings it down.
    static func with(hosts count: Int, subnet: String, _ body: (LabFixture) async throws -> Void) async throws {
        try #require(getuid() == 0, "lab hosts need root; run scripts/setup and the tests as root")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tern-ssh-lab-\(UUID().uuidString.prefix(8))").path
        defer {
            try? Lab.down(directory: dir)
            try? FileManager.default.removeItem(atPath: dir)
        }
        let state = try Lab.up(LabConfig(directory: dir, hosts: count, subnet: subnet))
        let config = try SSHConfig.load(path: state.sshConfigPath)
        let hosts = state.hosts.map { PlanHost(name: $0.name, address: $0.address, port: $0.port, user: "root") }
        try await body(LabFixture(state: state, hosts: hosts, config: config))
    }

    func transport(commandTimeoutMillis: Int? = nil, connectTimeoutMillis: Int = 10_000) -> SSHTransport {
        let config = self.config
        return SSHTransport { host in
            var s = config.resolve(
                name: host.name, address: host.address, port: host.port, user: host.user,
                defaults: ConnectionSettings(name: host.name, hostName: host.address, connectTimeoutMillis: connectTimeoutMillis))
            s.useAgent = false
            return s
        }
    }
}

@Suite(.serialized) struct LabTransportTests {
    @Test func fiftyHostsAtOnce() async throws {
        try await LabFixture.with(hosts: 50, subnet: "127.0.83") { lab in
            let transport = lab.transport()
            let names = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for host in lab.hosts {
                    group.addTask { (host.name, try await transport.exec(CommandRequest("hostname"), on: host).stdoutText) }
                }
                var out: [String: String] = [:]
                for try await (name, printed) in group { out[name] = printed }
                return out
            }
            #expect(names.count == 50)
            for host in lab.hosts { #expect(names[host.name] == host.name + "\n") }
            await transport.shutdown()
        }
    }

    @Test func aHundredConcurrentCommandsOnOneHost() async throws {
        try await LabFixture.with(hosts: 1, subnet: "127.0.84") { lab in
            let transport = lab.transport()
            let host = lab.hosts[0]
            let results = try await withThrowingTaskGroup(of: (Int, CommandResult).self) { group in
                for i in 0..<100 {
                    group.addTask { (i, try await transport.exec(CommandRequest("echo \(i); echo e\(i) >&2; exit \(i % 7)"), on: host)) }
                }
                var out: [Int: CommandResult] = [:]
                for try await (i, r) in group { out[i] = r }
                return out
            }
            await transport.shutdown()
            #expect(results.count == 100)
            for (i, r) in results {
                #expect(r.stdoutText == "\(i)\n")
                #expect(r.stderrText == "e\(i)\n")
                #expect(r.exitStatus == Int32(i % 7))
            }
        }
    }

    @Test func aStoppedHostIsReportedWithinTheTimeoutAndAnotherHostIsNotDisturbed() async throws {
        try await LabFixture.with(hosts: 2, subnet: "127.0.85") { lab in
            let transport = lab.transport()
            let (one, two) = (lab.hosts[0], lab.hosts[1])
            _ = try await transport.exec(CommandRequest("true"), on: one)
            // A command in flight when the host goes away.
            let inFlight = Task { () -> TransportError? in
                do {
                    _ = try await transport.exec(CommandRequest("sleep 60", timeoutMillis: 20_000), on: one)
                    return nil
                } catch {
                    return error as? TransportError
                }
            }
            // Wait until the command runs on the host, bounded.
            var running = false
            for _ in 0..<100 where !running {
                let r = try await transport.exec(CommandRequest("pgrep -x sleep"), on: one)
                running = r.succeeded
            }
            #expect(running)
            let started = ContinuousClock.now
            try Lab.stop(host: one.name, directory: lab.state.directory)
            let error = await inFlight.value
            #expect(error != nil)
            #expect(ContinuousClock.now - started < .seconds(25))
            #expect(error?.host == one.name)
            // The other host still answers on its own session.
            #expect(try await transport.exec(CommandRequest("hostname"), on: two).stdoutText == two.name + "\n")
            // Back again: the next request reconnects (same host key).
            try Lab.start(host: one.name, directory: lab.state.directory)
            #expect(try await transport.exec(CommandRequest("hostname"), on: one).stdoutText == one.name + "\n")
            await transport.shutdown()
        }
    }

    @Test func aHostThatIsDownFailsAloneAndQuickly() async throws {
        try await LabFixture.with(hosts: 2, subnet: "127.0.86") { lab in
            try Lab.stop(host: "lab2", directory: lab.state.directory)
            let transport = lab.transport(connectTimeoutMillis: 3000)
            let started = ContinuousClock.now
            await #expect(throws: TransportError.self) {
                _ = try await transport.exec(CommandRequest("true"), on: lab.hosts[1])
            }
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(try await transport.exec(CommandRequest("true"), on: lab.hosts[0]).succeeded)
            await transport.shutdown()
        }
    }

    @Test func filesRoundTripAtomically() async throws {
        try await LabFixture.with(hosts: 1, subnet: "127.0.87") { lab in
            let transport = lab.transport()
            let host = lab.hosts[0]
            let big = [UInt8]((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try await transport.upload(big, to: "/srv/blob", options: UploadOptions(mode: "0640"), on: host)
            #expect(try await transport.download("/srv/blob", on: host) == big)
            let mode = try await transport.exec(CommandRequest("stat -c %a /srv/blob"), on: host).stdoutText
            #expect(mode == "640\n")
            await transport.shutdown()
        }
    }

    /// lab2 is reached by the name "lab2", which only the lab hosts can
    /// resolve (their /etc/hosts lists each other): the connection can only
    /// have been made from lab1, through its direct-tcpip channel.
    @Test func throughAJumpHost() async throws {
        try await LabFixture.with(hosts: 2, subnet: "127.0.88") { lab in
            #expect(Self.resolvesHere("lab2") == false, "this machine must not resolve the lab's names itself")
            let config = lab.config
            let jump = JumpHost(hostName: lab.hosts[0].address, port: 22, user: "root", identityFiles: [lab.state.privateKeyPath])
            let transport = SSHTransport { host in
                var s = config.resolve(
                    name: host.name, address: host.address, port: host.port, user: host.user,
                    defaults: ConnectionSettings(name: host.name, hostName: host.address))
                s.useAgent = false
                s.hostName = host.name
                s.jumps = [jump]
                return s
            }
            let r = try await transport.exec(CommandRequest("hostname"), on: lab.hosts[1])
            #expect(r.stdoutText == "lab2\n")
            await transport.shutdown()
        }
    }

    static func resolvesHere(_ name: String) -> Bool {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &result)
        if let result { freeaddrinfo(result) }
        return status == 0
    }
}
