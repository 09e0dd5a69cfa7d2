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

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// A non-blocking TCP connect to a host name, trying its addresses in the
/// order the resolver gives them, as `ssh` does.
///
/// The owner polls `fd` for writability and calls `advance()` again; each
/// failed address closes its socket and moves on to the next.
final class TCPConnect {
    private var addresses: [[UInt8]]
    private(set) var fd: Int32 = -1
    private var lastError = "no address"

    enum Status {
        case inProgress
        case connected(Int32)
        case failed(String)
    }

    /// Resolves `host`; the resolver's message on failure.
    init(host: String, port: Int) throws(TCPConnectFailure) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            throw TCPConnectFailure(message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var found: [[UInt8]] = []
        var entry = list
        while let info = entry?.pointee {
            if let address = info.ai_addr {
                found.append(Array(UnsafeRawBufferPointer(start: address, count: Int(info.ai_addrlen))))
            }
            entry = info.ai_next
        }
        addresses = found
    }

    /// Starts or continues the connect; call again when `fd` is writable.
    func advance() -> Status {
        if fd >= 0 {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 { error = errno }
            if error == 0 {
                let connected = fd
                fd = -1
                return .connected(connected)
            }
            if error == EINPROGRESS || error == EALREADY { return .inProgress }
            lastError = Socket.errorText(error)
            close(fd)
            fd = -1
        }
        while !addresses.isEmpty {
            let address = addresses.removeFirst()
            let family = address.withUnsafeBytes { Int32($0.load(as: sa_family_t.self)) }
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            let candidate = socket(family, type, 0)
            guard candidate >= 0 else {
                lastError = Socket.errorText(errno)
                continue
            }
            let rc = address.withUnsafeBytes { raw -> Int32 in
                guard let base = raw.baseAddress else { return -1 }
                return connect(candidate, base.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
            if rc == 0 { return .connected(candidate) }
            if errno == EINPROGRESS {
                fd = candidate
                return .inProgress
            }
            lastError = Socket.errorText(errno)
            close(candidate)
        }
        return .failed(lastError)
    }

    /// Closes a connect still in progress.
    func cancel() {
        if fd >= 0 { close(fd) }
        fd = -1
        addresses = []
    }

    deinit { cancel() }
}

struct TCPConnectFailure: Error {
    let message: String
}

/// Wakes a session thread out of `poll()`: any thread signals, the session
/// thread drains. A non-blocking pipe, so a signal never blocks: when the
/// pipe is full the thread has wake-ups pending anyway.
final class WakeSignal: Sendable {
    /// The end the session thread polls.
    let fd: Int32
    private let writeEnd: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends {
            Socket.setNonBlocking(end)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        fd = ends[0]
        writeEnd = ends[1]
    }

    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while bytes.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) == 64 {}
    }

    deinit {
        close(fd)
        close(writeEnd)
    }
}
