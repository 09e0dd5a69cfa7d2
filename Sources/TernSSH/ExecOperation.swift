import CLibSSH2
import TernEngine
import TernPlan

/// One command on its own channel: open a session channel, `exec` the
/// command, feed stdin then EOF, read stdout and stderr as they come, wait
/// for the server to close the channel (the exit status and signal arrive
/// before its CLOSE), free the channel.
///
/// Both streams are read in every step, never one to its end first: a
/// command that fills stderr while we wait on stdout would otherwise stall
/// once the channel window is full. stdin is written only while the
/// session's send backlog is small (`SessionIO.canTakeBulk`).
///
/// On a timeout or cancellation the caller is answered at once and the
/// channel is closed and freed in later steps. Closing a channel does not
/// stop the command (sshd waits for it), and libssh2 1.10 cannot send the
/// `signal` channel request (a channel takes one `exec`-like request only),
/// so a command with a timeout carries a marker in its environment,
/// `TERN_OP=<random>`, which every process it starts inherits; when it times
/// out, a second command kills the processes (and process groups) that carry
/// the marker.
final class ExecOperation: ResultOperation<CommandResult>, @unchecked Sendable {
    /// What the server runs.
    private let command: String
    /// What messages show.
    private let shownCommand: String
    /// The environment marker of a command that is killed when it times out.
    private let killMarker: String?
    private let stdin: [UInt8]
    private let timeoutMillis: Int?
    private let onOutput: (@Sendable (OutputStream, [UInt8]) -> Void)?

    private enum Phase: Int, Comparable {
        case queued, opening, starting, running, awaitingClose, closing, freeing, finished
        static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
    }

    // Session thread only, like every libssh2 pointer (see SessionOperation).
    private var phase = Phase.queued
    private var channel: OpaquePointer?
    private var stdinOffset = 0
    private var eofSent = false
    private var output: [[UInt8]] = [[], []]
    private var outputEnded = [false, false]
    /// When the timeout (or cancellation) began winding the command down.
    private var killStarted: Int64?

    /// How long a killed command's channel may take to close before it no
    /// longer counts against the session's channel cap.
    private static let killGraceMillis: Int64 = 5_000
    /// libssh2's defaults (`LIBSSH2_CHANNEL_WINDOW_DEFAULT`, `..._PACKET_DEFAULT`).
    private static let windowSize: UInt32 = 2 * 1024 * 1024
    private static let packetSize: UInt32 = 32768
    /// Bytes read per stream per step, so one chatty command cannot starve
    /// the other channels of the session.
    private static let readBudget = 1 << 20

    /// - Parameter killOnTimeout: mark the command so that it can be killed
    ///   when its timeout passes (only commands with a timeout are marked).
    init(_ request: CommandRequest, hostName: String, killOnTimeout: Bool = true) {
        shownCommand = request.shellCommand
        if killOnTimeout && request.timeoutMillis != nil {
            let marker = "TERN_OP=" + SSHTransport.randomSuffix()
            killMarker = marker
            command = "export \(marker); " + request.shellCommand
        } else {
            killMarker = nil
            command = request.shellCommand
        }
        stdin = request.stdin
        timeoutMillis = request.timeoutMillis
        onOutput = request.onOutput
        super.init(
            hostName: hostName,
            deadline: request.timeoutMillis.map { Monotonic.now() + Int64(max(0, $0)) })
    }

    /// The command that kills every process carrying `marker` in its
    /// environment, and the process group of each (the session leader's
    /// group holds the command's children).
    static func killer(of marker: String, hostName: String) -> ExecOperation {
        let script =
            "for e in $(grep -lzx \(ShellQuote.quote(marker)) /proc/[0-9]*/environ 2>/dev/null); do "
            + "p=${e#/proc/}; p=${p%/environ}; kill -KILL -- -$p $p 2>/dev/null; done; true"
        let killer = ExecOperation(CommandRequest(script, timeoutMillis: 10_000), hostName: hostName, killOnTimeout: false)
        killer.completion = { _ in }
        return killer
    }

    override var hasStarted: Bool { phase >= .starting }

    override var countsTowardChannelCap: Bool {
        guard let killStarted else { return true }
        return Monotonic.now() - killStarted < Self.killGraceMillis
    }

    override func advance(_ live: LiveSession) -> StepResult {
        switch phase {
        case .queued:
            return leaveQueue(live, ended: { phase = .finished }, start: { phase = .opening })

        case .opening:
            let opened = libssh2_channel_open_ex(
                live.session, "session", 7, Self.windowSize, Self.packetSize, nil, 0)
            guard let opened else {
                switch live.outcomeOfNull() {
                case .again: return .idle
                case .connectionLost(let reason): return .connectionLost(reason)
                case .failed(_, let message):
                    live.releaseOpenSlot(id)
                    report(.failure(.other(host: hostName, reason: "cannot open a channel: \(message)")))
                    phase = .finished
                    return .finished
                case .done:
                    return .idle
                }
            }
            live.releaseOpenSlot(id)
            channel = opened
            phase = hasReported ? .closing : .starting
            return .progressed

        case .starting:
            guard let channel else { return finish() }
            let rc = command.withCString { text in
                libssh2_channel_process_startup(channel, "exec", 4, text, UInt32(command.utf8.count))
            }
            switch live.outcome(rc) {
            case .done:
                phase = .running
            case .again:
                return .idle
            case .connectionLost(let reason):
                return .connectionLost(reason)
            case .failed(_, let message):
                report(.failure(.other(host: hostName, reason: "the server refused to run the command: \(message)")))
                phase = .closing
            }
            return .progressed

        case .running:
            guard let channel else { return finish() }
            return pump(channel, live)

        case .awaitingClose:
            guard let channel else { return finish() }
            return settled(live.outcome(libssh2_channel_wait_closed(channel))) {
                report(.success(result(of: channel, live)))
                phase = .closing
                return .progressed
            }

        case .closing:
            guard let channel else { return finish() }
            return settled(live.outcome(libssh2_channel_close(channel))) {
                phase = .freeing
                return .progressed
            }

        case .freeing:
            guard let channel else { return finish() }
            return settled(live.outcome(libssh2_channel_free(channel))) {
                self.channel = nil
                return finish()
            }

        case .finished:
            return .finished
        }
    }

    private func finish() -> StepResult {
        phase = .finished
        report(.failure(.other(host: hostName, reason: "the command's channel vanished")))
        return .finished
    }

    /// Writes stdin and reads both output streams as far as they go.
    private func pump(_ channel: OpaquePointer, _ live: LiveSession) -> StepResult {
        var progressed = false
        if !eofSent {
            while stdinOffset < stdin.count && live.io.canTakeBulk {
                let written = stdin.withUnsafeBytes { bytes -> Int in
                    guard let base = bytes.baseAddress else { return 0 }
                    let count = min(bytes.count - stdinOffset, 256 * 1024)
                    return libssh2_channel_write_ex(channel, 0, base.advanced(by: stdinOffset).assumingMemoryBound(to: CChar.self), count)
                }
                if written > 0 {
                    stdinOffset += written
                    progressed = true
                    continue
                }
                switch live.outcome(Int32(clamping: written)) {
                case .again, .done: break
                case .connectionLost(let reason): return .connectionLost(reason)
                case .failed:
                    // The command closed its stdin; the rest is not wanted.
                    stdinOffset = stdin.count
                }
                break
            }
            if stdinOffset >= stdin.count {
                switch live.outcome(libssh2_channel_send_eof(channel)) {
                case .again: break
                case .connectionLost(let reason): return .connectionLost(reason)
                case .done, .failed:
                    eofSent = true
                    progressed = true
                }
            }
        }
        let buffer = live.readBuffer
        for stream in 0..<2 where !outputEnded[stream] {
            var budget = Self.readBudget
            while budget > 0 {
                let read = libssh2_channel_read_ex(
                    channel, Int32(stream), buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count)
                if read > 0 {
                    let chunk = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<read]))
                    output[stream] += chunk
                    onOutput?(stream == 0 ? .stdout : .stderr, chunk)
                    budget -= read
                    progressed = true
                    continue
                }
                if read == 0 {
                    // 0 means end of file only when libssh2 holds no more
                    // data for the channel (on either stream).
                    if libssh2_channel_eof(channel) != 0 {
                        outputEnded[stream] = true
                        progressed = true
                    }
                    break
                }
                switch live.outcome(Int32(clamping: read)) {
                case .again, .done: break
                case .connectionLost(let reason): return .connectionLost(reason)
                case .failed:
                    outputEnded[stream] = true
                    progressed = true
                }
                break
            }
        }
        if outputEnded[0] && outputEnded[1] {
            phase = .awaitingClose
            progressed = true
        }
        return progressed ? .progressed : .idle
    }

    private func result(of channel: OpaquePointer, _ live: LiveSession) -> CommandResult {
        let status = libssh2_channel_get_exit_status(channel)
        var name: UnsafeMutablePointer<CChar>? = nil
        var length = 0
        _ = libssh2_channel_get_exit_signal(channel, &name, &length, nil, nil, nil, nil)
        var signal: String?
        if let name {
            if length > 0 {
                signal = String(decoding: UnsafeRawBufferPointer(start: name, count: length), as: UTF8.self)
            }
            libssh2_free(live.session, name)
        }
        return CommandResult(
            stdout: output[0], stderr: output[1], exitStatus: status, signal: signal, durationMillis: elapsedMillis)
    }

    override func expire(cancelled: Bool) {
        let what = "command `\(Self.brief(shownCommand))`"
        if cancelled {
            report(.failure(.other(host: hostName, reason: "cancelled: \(what)")))
        } else {
            report(.failure(.timedOut(host: hostName, what: what, afterMillis: timeoutMillis ?? 0)))
        }
        killStarted = Monotonic.now()
        switch phase {
        case .starting, .running, .awaitingClose:
            if let killMarker { followUps.append(Self.killer(of: killMarker, hostName: hostName)) }
            phase = .closing
        case .queued, .opening, .closing, .freeing, .finished:
            break
        }
    }

    override func connectionLost(_ reason: String) -> AfterConnectionLoss {
        // libssh2_session_free frees the channel.
        channel = nil
        if !hasStarted && !hasReported && retries < 1 {
            retries += 1
            phase = .queued
            return .retry
        }
        phase = .finished
        report(.failure(.connectionLost(host: hostName, reason: reason)))
        return .drop
    }

    /// The command as messages show it: its first line, at most 80 characters.
    static func brief(_ command: String) -> String {
        let line = command.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let short = line.count > 80 ? String(line.prefix(77)) + "..." : line
        return line == command ? short : short + " ..."
    }
}
