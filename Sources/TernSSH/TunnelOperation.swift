import CLibSSH2
import TernEngine

#if canImport(Glibc)
import Glibc
#endif

/// A `direct-tcpip` channel through a jump host, bridged to one end of a
/// local socket pair whose other end is handed to the caller: the session to
/// the next hop runs over that descriptor as if it were a TCP socket.
///
/// The jump session's thread copies bytes both ways in its steps: channel →
/// `toSocket` → socket, and socket → `toChannel` → channel, each buffer
/// bounded so that a slow side holds back the fast one. An end of file
/// travels across (EOF from the channel shuts the socket's write side; EOF
/// from the socket sends the channel's EOF); when both directions are done,
/// or either side fails, the channel is closed and the socket too.
final class TunnelOperation: ResultOperation<Int32>, @unchecked Sendable {
    private let targetHost: String
    private let targetPort: Int

    private enum Phase: Int, Comparable {
        case queued, opening, bridging, closing, freeing, finished
        static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
    }

    // Session thread only, like every libssh2 pointer (see SessionOperation).
    private var phase = Phase.queued
    private var channel: OpaquePointer?
    private var socket: Int32 = -1
    private var toSocket = ByteQueue()
    private var toChannel = ByteQueue()
    private var channelEnded = false
    private var socketEnded = false
    private var socketWriteShut = false
    private var eofSent = false

    private static let bufferLimit = 256 * 1024

    /// `jumpName` names the jump host in messages; `deadline` is when the
    /// caller stops waiting for the tunnel.
    init(to host: String, port: Int, jumpName: String, deadline: Int64) {
        targetHost = host
        targetPort = port
        super.init(hostName: jumpName, deadline: deadline)
    }

    override var countsTowardChannelCap: Bool { false }
    override var hasStarted: Bool { phase >= .bridging }

    override func advance(_ live: LiveSession) -> StepResult {
        switch phase {
        case .queued:
            return leaveQueue(live, ended: { phase = .finished }, start: { phase = .opening })

        case .opening:
            let opened = targetHost.withCString { host in
                libssh2_channel_direct_tcpip_ex(live.session, host, Int32(targetPort), "127.0.0.1", 22)
            }
            guard let opened else {
                switch live.outcomeOfNull() {
                case .again, .done: return .idle
                case .connectionLost(let reason): return .connectionLost(reason)
                case .failed(_, let message):
                    live.releaseOpenSlot(id)
                    report(.failure(.unreachable(
                        host: hostName, reason: "it could not connect to \(targetHost):\(targetPort): \(message)")))
                    phase = .finished
                    return .finished
                }
            }
            live.releaseOpenSlot(id)
            channel = opened
            if hasReported {
                phase = .closing
                return .progressed
            }
            guard let (ours, theirs) = Socket.pair() else {
                report(.failure(.other(host: hostName, reason: "cannot create a socket pair: \(Socket.errorText(errno))")))
                phase = .closing
                return .progressed
            }
            socket = ours
            phase = .bridging
            report(.success(theirs))
            return .progressed

        case .bridging:
            guard let channel else { return .finished }
            return bridge(channel, live)

        case .closing:
            closeSocket()
            guard let channel else {
                phase = .finished
                return .finished
            }
            return settled(live.outcome(libssh2_channel_close(channel))) {
                phase = .freeing
                return .progressed
            }

        case .freeing:
            guard let channel else {
                phase = .finished
                return .finished
            }
            return settled(live.outcome(libssh2_channel_free(channel))) {
                self.channel = nil
                phase = .finished
                return .finished
            }

        case .finished:
            return .finished
        }
    }

    private func bridge(_ channel: OpaquePointer, _ live: LiveSession) -> StepResult {
        var progressed = false

        let buffer = live.readBuffer

        // Channel to socket.
        while !channelEnded && toSocket.count < Self.bufferLimit {
            let read = libssh2_channel_read_ex(
                channel, 0, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count)
            if read > 0 {
                toSocket.append(UnsafeRawBufferPointer(rebasing: buffer[0..<read]))
                progressed = true
                continue
            }
            if read == 0 {
                if libssh2_channel_eof(channel) != 0 {
                    channelEnded = true
                    progressed = true
                }
                break
            }
            switch live.outcome(Int32(clamping: read)) {
            case .again, .done: break
            case .connectionLost(let reason): return .connectionLost(reason)
            case .failed:
                channelEnded = true
                progressed = true
            }
            break
        }
        while !toSocket.isEmpty {
            let sent = toSocket.drain { bytes in Glibc.send(socket, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                progressed = true
                continue
            }
            if sent < 0 && errno != EAGAIN && errno != EINTR {
                // The session on the other end is gone.
                phase = .closing
                return .progressed
            }
            break
        }
        if channelEnded && toSocket.isEmpty && !socketWriteShut {
            _ = shutdown(socket, Int32(SHUT_WR))
            socketWriteShut = true
            progressed = true
        }

        // Socket to channel.
        while !socketEnded && toChannel.count < Self.bufferLimit {
            let received = Glibc.recv(socket, buffer.baseAddress, buffer.count, 0)
            if received > 0 {
                toChannel.append(UnsafeRawBufferPointer(rebasing: buffer[0..<received]))
                progressed = true
                continue
            }
            if received == 0 || (errno != EAGAIN && errno != EINTR) {
                socketEnded = true
                progressed = true
            }
            break
        }
        while !toChannel.isEmpty && live.io.canTakeBulk {
            let written = toChannel.drain { bytes in
                libssh2_channel_write_ex(channel, 0, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
            }
            if written > 0 {
                progressed = true
                continue
            }
            switch live.outcome(Int32(clamping: written)) {
            case .again, .done: break
            case .connectionLost(let reason): return .connectionLost(reason)
            case .failed:
                phase = .closing
                return .progressed
            }
            break
        }
        if socketEnded && toChannel.isEmpty && !eofSent {
            switch live.outcome(libssh2_channel_send_eof(channel)) {
            case .again: break
            case .connectionLost(let reason): return .connectionLost(reason)
            case .done, .failed:
                eofSent = true
                progressed = true
            }
        }

        if channelEnded && socketWriteShut && socketEnded && eofSent {
            phase = .closing
            progressed = true
        }
        return progressed ? .progressed : .idle
    }

    override func addPollDescriptors(to fds: inout [pollfd]) {
        guard phase == .bridging, socket >= 0 else { return }
        var events: Int16 = 0
        if !socketEnded && toChannel.count < Self.bufferLimit { events |= Int16(POLLIN) }
        if !toSocket.isEmpty { events |= Int16(POLLOUT) }
        fds.append(pollfd(fd: socket, events: events, revents: 0))
    }

    override func expire(cancelled: Bool) {
        // Only an unanswered request expires: the connection through an
        // established tunnel has its own timeouts.
        guard !hasReported else { return }
        report(.failure(.unreachable(host: hostName, reason: "no tunnel to \(targetHost):\(targetPort) in time")))
    }

    override var deadlineApplies: Bool { !hasReported }

    override func connectionLost(_ reason: String) -> AfterConnectionLoss {
        channel = nil
        closeSocket()
        if !hasStarted && !hasReported && retries < 1 {
            retries += 1
            phase = .queued
            return .retry
        }
        phase = .finished
        report(.failure(.connectionLost(host: hostName, reason: reason)))
        return .drop
    }

    private func closeSocket() {
        if socket >= 0 { close(socket) }
        socket = -1
    }

    deinit { closeSocket() }
}
