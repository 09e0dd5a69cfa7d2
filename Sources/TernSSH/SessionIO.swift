import CLibSSH2

#if canImport(Glibc)
import Glibc
#endif

/// The socket under one libssh2 session, as libssh2's send and receive
/// callbacks see it. Owned and used by one session thread only.
///
/// Owning the I/O solves three problems of many channels on one
/// non-blocking session:
///
/// 1. A packet that libssh2 could send only in part blocks every other
///    channel until the very same call is repeated. The send callback here
///    always takes the whole packet: it writes what the socket accepts and
///    keeps the rest in `outbound`, which the session thread flushes when
///    `poll()` reports the socket writable. libssh2 never sees a half-sent
///    packet, so channels are driven independently. Writers of bulk data
///    (stdin, SFTP uploads, tunnels) pause while `backlog` is above
///    `highWater`, which keeps the buffer bounded.
/// 2. Data that libssh2 has already read into its own buffers is invisible
///    to `poll()`. `bytesReceived` counts what arrived, so the session
///    sweeps its channels again whenever it moved, and `readArmed` tells
///    whether the socket was last drained (`EAGAIN`) — only then is waiting
///    for `POLLIN` meaningful rather than a busy loop.
/// 3. A socket error or end of file is recorded once, as `failure`, so that
///    every operation on the session reports the same cause.
///
/// libssh2 also talks to ssh-agent through these callbacks (with the
/// agent's socket): calls for any other descriptor pass straight through.
final class SessionIO {
    let fd: Int32
    private var outbound = ByteQueue()
    private(set) var bytesReceived: UInt64 = 0
    /// Why the socket is unusable, once it is.
    private(set) var failure: String?
    /// True after a receive found the socket empty; false once `poll()`
    /// reported it readable and until someone reads it dry again.
    var readArmed = true

    /// Above this many unsent bytes, bulk writers wait for the socket.
    static let highWater = 1 << 20

    /// False for the socket pair under a session behind a jump host.
    private let isTCP: Bool

    init(fd: Int32, isTCP: Bool) {
        self.fd = fd
        self.isTCP = isTCP
    }

    var backlog: Int { outbound.count }
    var canTakeBulk: Bool { failure == nil && outbound.count < Self.highWater }

    /// Records the first reason the connection failed; later ones are effects.
    func fail(_ reason: String) {
        if failure == nil { failure = reason }
    }

    /// Sets libssh2's callbacks; the session's abstract pointer must be this
    /// object (`libssh2_session_init_ex(..., Unmanaged.passUnretained(io))`).
    func attach(to session: OpaquePointer) {
        _ = libssh2_session_callback_set(session, LIBSSH2_CALLBACK_SEND, unsafeBitCast(sessionSend, to: UnsafeMutableRawPointer.self))
        _ = libssh2_session_callback_set(session, LIBSSH2_CALLBACK_RECV, unsafeBitCast(sessionReceive, to: UnsafeMutableRawPointer.self))
    }

    fileprivate func send(_ socket: Int32, _ buffer: UnsafeRawPointer, _ length: Int) -> Int {
        guard socket == fd else {
            let sent = Glibc.send(socket, buffer, length, Int32(MSG_NOSIGNAL))
            return sent < 0 ? -Int(errno) : sent
        }
        if failure != nil { return -Int(EPIPE) }
        // Bytes still waiting go first; whoever polls may not have asked
        // for writability (a handshake step, say).
        if !outbound.isEmpty { flush() }
        if failure != nil { return -Int(EPIPE) }
        var offset = 0
        if outbound.isEmpty {
            let sent = Glibc.send(fd, buffer, length, Int32(MSG_NOSIGNAL))
            if sent >= 0 {
                offset = sent
            } else if errno != EAGAIN && errno != EINTR {
                fail(Socket.errorText(errno))
                return -Int(EPIPE)
            }
        }
        if offset < length {
            outbound.append(UnsafeRawBufferPointer(start: buffer + offset, count: length - offset))
        }
        return length
    }

    fileprivate func receive(_ socket: Int32, _ buffer: UnsafeMutableRawPointer, _ length: Int) -> Int {
        guard socket == fd else {
            let received = Glibc.recv(socket, buffer, length, 0)
            return received < 0 ? -Int(errno) : received
        }
        if failure != nil { return -Int(ECONNRESET) }
        let received = Glibc.recv(fd, buffer, length, 0)
        if received > 0 {
            bytesReceived &+= UInt64(received)
            if isTCP { Socket.acknowledgeQuickly(fd) }
            return received
        }
        if received == 0 {
            fail("the server closed the connection")
            return -Int(ECONNRESET)
        }
        let code = errno
        if code == EAGAIN || code == EINTR {
            readArmed = true
            return -Int(EAGAIN)
        }
        fail(code == ETIMEDOUT ? "no answer from the server (timed out)" : Socket.errorText(code))
        return -Int(code)
    }

    /// Writes buffered bytes until the socket would block.
    func flush() {
        while failure == nil && !outbound.isEmpty {
            let sent = outbound.drain { bytes in
                Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno != EAGAIN && errno != EINTR { fail(Socket.errorText(errno)) }
                return
            }
            if sent == 0 { return }
        }
    }

    /// Whether the peer has closed or reset the connection, asked without
    /// consuming anything (for an idle session nobody reads).
    func peerHasClosed() -> Bool {
        var byte: UInt8 = 0
        let received = Glibc.recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        if received == 0 {
            fail("the server closed the connection")
            return true
        }
        if received < 0 && errno != EAGAIN && errno != EINTR {
            fail(Socket.errorText(errno))
            return true
        }
        return false
    }

    /// Closes the socket; the session that used it must be freed first.
    func close() {
        fail("the connection was closed")
        Glibc.close(fd)
    }
}

/// libssh2's send callback (`LIBSSH2_SEND_FUNC`): the session's abstract
/// pointer is its `SessionIO`.
private let sessionSend:
    @convention(c) (Int32, UnsafeRawPointer?, Int, Int32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int = {
        socket, buffer, length, _, abstract in
        guard let context = abstract?.pointee, let buffer else { return -Int(EINVAL) }
        return Unmanaged<SessionIO>.fromOpaque(context).takeUnretainedValue().send(socket, buffer, length)
    }

/// libssh2's receive callback (`LIBSSH2_RECV_FUNC`).
private let sessionReceive:
    @convention(c) (Int32, UnsafeMutableRawPointer?, Int, Int32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int = {
        socket, buffer, length, _, abstract in
        guard let context = abstract?.pointee, let buffer else { return -Int(EINVAL) }
        return Unmanaged<SessionIO>.fromOpaque(context).takeUnretainedValue().receive(socket, buffer, length)
    }
