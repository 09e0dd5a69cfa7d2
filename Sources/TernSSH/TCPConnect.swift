#if canImport(Glibc)
import Glibc
#endif

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
