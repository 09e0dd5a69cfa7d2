#if canImport(Glibc)
import Glibc
#endif

/// The POSIX socket calls under a session: options, socket pairs for jump
/// tunnels, and a non-blocking TCP connect.
enum Socket {
    /// `TCP_NODELAY`, so that each SSH packet leaves at once (without it an
    /// exec round trip takes ~47 ms instead of ~3.5 ms), and `TCP_USER_TIMEOUT`,
    /// so that a peer that vanished without a FIN (unplugged, partitioned) is
    /// noticed: the keepalives the session sends stay unacknowledged and the
    /// kernel fails the socket after `userTimeoutMillis`.
    static func configureTCP(_ fd: Int32, userTimeoutMillis: Int) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if userTimeoutMillis > 0 {
            var timeout = UInt32(clamping: userTimeoutMillis)
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, &timeout, socklen_t(MemoryLayout<UInt32>.size))
        }
    }

    /// Asks the kernel to acknowledge received data at once instead of
    /// delaying the ACK (up to 40 ms) in the hope of piggybacking it. sshd
    /// does not disable Nagle for sessions without a pty, so a reply it
    /// sends while an earlier small packet is unacknowledged (the
    /// `hostkeys-00@openssh.com` notice right after authentication, for one)
    /// waits for our delayed ACK: the first command took ~45 ms longer.
    /// Linux clears the flag by itself, hence after every receive.
    static func acknowledgeQuickly(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// A connected pair of non-blocking stream sockets.
    static func pair() -> (Int32, Int32)? {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    /// `POLLRDHUP` (Linux): the peer shut down its side. Glibc's module
    /// does not export it (it needs _GNU_SOURCE).
    static let pollPeerClosed: Int16 = 0x2000

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
