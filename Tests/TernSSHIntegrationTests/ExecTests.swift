import Foundation
import Synchronization
import TernEngine
import TernPlan
import TernSSH
import Testing

/// Commands on a host: what comes back, and what many at once on one
/// session do.
@Suite struct ExecTests {
    @Test func stdoutStderrAndExitStatusComeBackSeparately() async throws {
        let server = try SSHServer()
        let result = try await withTransport({ _ in server.settings() }) { transport in
            try await transport.exec(CommandRequest("echo out; echo err >&2; exit 3"), on: lab)
        }
        #expect(result.stdoutText == "out\n")
        #expect(result.stderrText == "err\n")
        #expect(result.exitStatus == 3)
        #expect(result.signal == nil)
        #expect(!result.succeeded)
    }

    @Test func aCommandKilledByASignalReportsTheSignal() async throws {
        let server = try SSHServer()
        let result = try await withTransport({ _ in server.settings() }) { transport in
            try await transport.exec(CommandRequest("echo before; kill -KILL $$"), on: lab)
        }
        #expect(result.stdoutText == "before\n")
        #expect(result.signal == "KILL")
        #expect(!result.succeeded)
    }

    /// 4 MiB on each stream, written at the same time, and then the other
    /// way round: a reader that waited for one stream to end would stall
    /// once the other filled the channel window.
    @Test func largeOutputOnBothStreamsAtOnce() async throws {
        let server = try SSHServer()
        let size = 4 * 1024 * 1024
        let command = """
            (head -c \(size) /dev/zero | tr '\\0' o) &
            (head -c \(size) /dev/zero | tr '\\0' e >&2) &
            wait
            """
        let streamed = Mutex([0, 0])
        let (together, stderrFirst) = try await withTransport({ _ in server.settings() }) { transport in
            let together = try await transport.exec(
                CommandRequest(command) { stream, bytes in
                    streamed.withLock { $0[stream == .stdout ? 0 : 1] += bytes.count }
                }, on: lab)
            let stderrFirst = try await transport.exec(
                CommandRequest("head -c \(size) /dev/zero >&2; head -c \(size) /dev/zero"), on: lab)
            return (together, stderrFirst)
        }
        #expect(together.stdout.count == size && together.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
        #expect(together.stderr.count == size && together.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
        #expect(streamed.withLock { $0 } == [size, size])
        #expect(stderrFirst.stdout.count == size && stderrFirst.stderr.count == size)
        #expect(stderrFirst.exitStatus == 0)
    }

    @Test func stdinIsSentThenClosed() async throws {
        let server = try SSHServer()
        let input = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let (echoed, counted) = try await withTransport({ _ in server.settings() }) { transport in
            let echoed = try await transport.exec(CommandRequest("cat", stdin: input), on: lab)
            let counted = try await transport.exec(CommandRequest("wc -c", stdin: Array("four".utf8)), on: lab)
            return (echoed, counted)
        }
        #expect(echoed.stdout == input)
        #expect(counted.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "4")
    }

    @Test func aCommandThatIgnoresStdinStillFinishes() async throws {
        let server = try SSHServer()
        let result = try await withTransport({ _ in server.settings() }) { transport in
            try await transport.exec(CommandRequest("echo done", stdin: [UInt8](repeating: 7, count: 5_000_000)), on: lab)
        }
        #expect(result.stdoutText == "done\n")
        #expect(result.exitStatus == 0)
    }

    /// 100 commands at once share one connection: sshd logs one login.
    @Test func hundredConcurrentCommandsOnOneSession() async throws {
        let server = try SSHServer()
        let outputs = try await withTransport({ _ in server.settings() }) { transport in
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for i in 0..<100 {
                    group.addTask {
                        let result = try await transport.exec(CommandRequest("sleep 0.2; echo \(i)"), on: lab)
                        return (i, result.stdoutText)
                    }
                }
                var outputs: [Int: String] = [:]
                for try await (i, text) in group { outputs[i] = text }
                return outputs
            }
        }
        #expect(outputs.count == 100)
        for i in 0..<100 { #expect(outputs[i] == "\(i)\n") }
        #expect(server.acceptedLogins() == 1)
    }

    @Test func becomeRunsThroughSudoWithoutAPassword() async throws {
        let server = try SSHServer()
        let result = try await withTransport({ _ in server.settings() }) { transport in
            try await transport.exec(CommandRequest("id -un; echo \"$SUDO_USER\"", become: "root"), on: lab)
        }
        #expect(result.exitStatus == 0, "\(result.stderrText)")
        #expect(result.stdoutText == "root\nroot\n")
    }

    @Test(arguments: [
        ("sudo: a password is required\n", Int32(1), true),
        ("sudo: a terminal is required to read the password; either use the -S option\n", Int32(1), true),
        ("sudo: a password is required\n", Int32(2), false),
        ("permission denied\n", Int32(1), false),
    ])
    func sudoAskingForAPasswordIsRecognized(stderr: String, status: Int32, needsPassword: Bool) {
        let result = CommandResult(stdout: [], stderr: Array(stderr.utf8), exitStatus: status, durationMillis: 1)
        #expect(SSHTransport.becomeNeedsPassword(result) == needsPassword)
    }

    @Test func aCommandTimesOutAndIsKilled() async throws {
        let server = try SSHServer()
        try await withTransport({ _ in server.settings() }) { transport in
            let start = ContinuousClock.now
            await #expect(throws: TransportError.timedOut(host: "lab", what: "command `sleep 7.25`", afterMillis: 300)) {
                try await transport.exec(CommandRequest("sleep 7.25", timeoutMillis: 300), on: lab)
            }
            // Well before `sleep` would have ended by itself.
            #expect(millis(since: start) < 7_000)
            // The marked command and its process group were killed. the KILL to the command's process group.
            var gone = false
            for _ in 0..<300 where !gone {
                gone = server.processes(matching: "sleep 7.25").isEmpty
                if !gone { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(gone)
            // The session is still good.
            let after = try await transport.exec(CommandRequest("echo still here"), on: lab)
            #expect(after.stdoutText == "still here\n")
        }
    }

    @Test func cancellingTheTaskCancelsTheCommand() async throws {
        let server = try SSHServer()
        try await withTransport({ _ in server.settings() }) { transport in
            let task = Task { try await transport.exec(CommandRequest("sleep 6.5"), on: lab) }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let start = ContinuousClock.now
            await #expect(throws: TransportError.self) { try await task.value }
            #expect(millis(since: start) < 6_000)
        }
    }
}
