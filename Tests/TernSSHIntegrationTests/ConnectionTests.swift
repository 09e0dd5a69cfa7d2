import Foundation
import Synchronization
import TernEngine
import TernPlan
import TernSSH
import Testing

/// Connections that cannot be made, that break, and that come back.
@Suite struct ConnectionTests {
    @Test func aHostWhereNothingListensIsUnreachableAtOnce() async throws {
        let server = try SSHServer()
        server.kill()
        try await withTransport({ _ in server.settings(timeoutMillis: 20_000) }) { transport in
            let start = ContinuousClock.now
            let error = await #expect(throws: TransportError.self) {
                try await transport.exec(CommandRequest("true"), on: lab)
            }
            // Refused at once, not after the 20 s connect timeout (the bound
            // is loose because other tests load the machine).
            #expect(millis(since: start) < 10_000)
            guard case .unreachable(let host, let reason)? = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                return
            }
            #expect(host == "lab")
            #expect(reason.contains("refused"))
        }
    }

    /// Something accepts the connection but never speaks SSH: the
    /// handshake gives up after `authTimeoutMillis`.
    @Test func aServerThatNeverAnswersTimesOutTheHandshake() async throws {
        let listener = try SilentListener()
        let settings = ConnectionSettings(
            name: "mute", hostName: listener.address, port: listener.port, identityFiles: [], useAgent: false,
            connectTimeoutMillis: 30_000, authTimeoutMillis: 300, knownHostsFiles: [])
        try await withTransport({ _ in settings }) { transport in
            let start = ContinuousClock.now
            await #expect(throws: TransportError.timedOut(host: "mute", what: "the SSH handshake", afterMillis: 300)) {
                try await transport.exec(CommandRequest("true"), on: lab)
            }
            // Loose: the 200-host test may be loading both cores meanwhile.
            #expect(millis(since: start) < 15_000)
        }
    }

    /// sshd and everything under it die while `sleep 30` runs: the command
    /// fails as lost well within its timeout, and once sshd is back the next
    /// command reconnects by itself.
    @Test func aDroppedConnectionFailsTheCommandThenReconnects() async throws {
        let server = try SSHServer()
        try await withTransport({ _ in server.settings() }) { transport in
            let warm = try await transport.exec(CommandRequest("echo warm"), on: lab)
            #expect(warm.stdoutText == "warm\n")

            let start = ContinuousClock.now
            async let running = transport.exec(CommandRequest("sleep 30", timeoutMillis: 10_000), on: lab)
            var started = false
            for _ in 0..<500 where !started {
                started = !server.processes(matching: "sleep 30").isEmpty
                if !started { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(started)
            server.kill()
            do {
                _ = try await running
                Issue.record("the command survived its connection")
            } catch let error as TransportError {
                switch error {
                case .connectionLost(let host, _), .timedOut(let host, _, _): #expect(host == "lab")
                default: Issue.record("expected connectionLost, got \(error)")
                }
            } catch {
                Issue.record("unexpected \(error)")
            }
            // Within the command's timeout (plus scheduling slack on a loaded machine).
            #expect(millis(since: start) < 12_000)

            try server.start()
            let again = try await transport.exec(CommandRequest("echo again"), on: lab)
            #expect(again.stdoutText == "again\n")
        }
    }

    /// A session that died while idle is noticed and replaced without
    /// failing the next command.
    @Test func anIdleSessionThatDiedIsReplacedQuietly() async throws {
        let server = try SSHServer()
        try await withTransport({ _ in server.settings() }) { transport in
            _ = try await transport.exec(CommandRequest("true"), on: lab)
            server.kill()
            try server.start()
            let result = try await transport.exec(CommandRequest("echo fresh"), on: lab)
            #expect(result.stdoutText == "fresh\n")
        }
    }

    @Test func shutdownClosesEverySessionAndLaterCallsReconnect() async throws {
        let server = try SSHServer()
        let transport = SSHTransport { _ in server.settings() }
        let first = try await transport.exec(CommandRequest("echo one"), on: lab)
        await transport.shutdown()
        let second = try await transport.exec(CommandRequest("echo two"), on: lab)
        await transport.shutdown()
        #expect(first.stdoutText == "one\n" && second.stdoutText == "two\n")
        #expect(server.acceptedLogins() == 2)
    }

    /// 200 hosts at once: a session and a thread each, all connected and
    /// running a command concurrently.
    @Test func twoHundredHostsAtOnce() async throws {
        let server = try SSHServer()
        let hosts = (0..<200).map { PlanHost(name: "host\($0)", address: "unused") }
        let outputs = try await withTransport({ host in server.settings(name: host.name, timeoutMillis: 60_000) }) { transport in
            try await withThrowingTaskGroup(of: String.self) { group in
                for host in hosts {
                    group.addTask { try await transport.exec(CommandRequest("echo \(host.name)"), on: host).stdoutText }
                }
                var outputs: Set<String> = []
                for try await output in group { outputs.insert(output) }
                return outputs
            }
        }
        #expect(outputs == Set(hosts.map { "\($0.name)\n" }))
        #expect(server.acceptedLogins() == 200)
    }

    /// Figures for the report: connection time and the median latency of
    /// `true` on a warm session (not asserted tightly: the machine is shared).
    @Test func latencyOnAWarmSession() async throws {
        let server = try SSHServer()
        try await withTransport({ _ in server.settings() }) { transport in
            let connectStart = ContinuousClock.now
            _ = try await transport.exec(CommandRequest("true"), on: lab)
            let firstMillis = millis(since: connectStart)
            var samples: [Double] = []
            for _ in 0..<200 {
                let start = ContinuousClock.now
                _ = try await transport.exec(CommandRequest("true"), on: lab)
                let elapsed = ContinuousClock.now - start
                samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            }
            samples.sort()
            let median = (samples[99] + samples[100]) / 2
            print("SSH latency: first command (connect + handshake + auth + exec) \(firstMillis) ms; "
                + "warm `true` median \(String(format: "%.2f", median)) ms, p90 \(String(format: "%.2f", samples[179])) ms")
            #expect(median < 100)
        }
    }
}
