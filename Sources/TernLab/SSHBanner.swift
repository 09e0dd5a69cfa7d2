import Glibc

/// Waits for lab hosts to be ready: a host is ready when its port accepts a
/// TCP connection *and* its sshd sends the SSH banner line ("SSH-2.0-...").
///
/// All hosts are polled together from one thread with non-blocking sockets
/// and `poll(2)`: a refused connection is retried after a pause that doubles
/// from 2 ms to 50 ms, and each round also checks that every host's processes
/// still run, so a host whose setup failed is reported at once, with its log,
/// rather than at the deadline.
enum SSHBanner {
    struct Target: Sendable {
        var name: String
        var address: String
        var port: Int
        var process: HostProcess
        var logPath: String
    }

    static func waitForAll(_ targets: [Target], timeout: Double) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var attempts = targets.map { _ in Attempt() }
        defer { for attempt in attempts { attempt.closeSocket() } }
        while true {
            for (i, target) in targets.enumerated() where !attempts[i].isReady && !target.process.isRunning {
                throw LabError.hostFailedToStart(host: target.name, logPath: target.logPath, logTail: logTail(target.logPath))
            }
            guard let waiting = attempts.firstIndex(where: { !$0.isReady }) else { return }
            let now = ContinuousClock.now
            if now >= deadline {
                let t = targets[waiting]
                throw LabError.hostNotReady(host: t.name, address: t.address, port: t.port, seconds: Int(timeout.rounded()),
                                            logPath: t.logPath, logTail: logTail(t.logPath))
            }
            for (i, target) in targets.enumerated() {
                if case .idle(let due) = attempts[i].phase, due <= now {
                    attempts[i].connect(address: target.address, port: target.port, now: now)
                }
            }
            var descriptors: [pollfd] = []
            var owners: [Int] = []
            var wake = min(deadline, now + .milliseconds(50))
            for (i, attempt) in attempts.enumerated() {
                switch attempt.phase {
                case .idle(let due): wake = min(wake, due)
                case .connecting(let fd): descriptors.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)); owners.append(i)
                case .reading(let fd, _): descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)); owners.append(i)
                case .ready: break
                }
            }
            _ = poll(&descriptors, nfds_t(descriptors.count), roundedUpMilliseconds(wake - now))
            let after = ContinuousClock.now
            for (k, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                attempts[owners[k]].advance(now: after)
            }
        }
    }

    /// Whether something accepts TCP connections on the address now.
    static func isListening(address: String, port: Int) -> Bool {
        var attempt = Attempt()
        attempt.connect(address: address, port: port, now: .now)
        defer { attempt.closeSocket() }
        if case .connecting(let fd) = attempt.phase {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, 1000)
            return socketError(fd) == 0 && descriptor.revents & Int16(POLLOUT) != 0
        }
        if case .reading = attempt.phase { return true }
        return false
    }

    /// The last lines of a host's log, for error messages.
    static func logTail(_ path: String, lines: Int = 15) -> String {
        guard let text = FileSystem.read(path), !text.isEmpty else { return "(empty)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1)
            .joined(separator: "\n").trimmingTrailingNewlines()
    }

    private static func roundedUpMilliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        return Int32(clamping: max(0, seconds * 1000 + (attoseconds + perMillisecond - 1) / perMillisecond))
    }

    fileprivate static func socketError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return errno }
        return error
    }
}

/// One host's way to ready: idle (until a retry is due), connecting, reading
/// the banner, ready.
private struct Attempt {
    enum Phase {
        case idle(due: ContinuousClock.Instant)
        case connecting(fd: Int32)
        case reading(fd: Int32, banner: [UInt8])
        case ready
    }

    var phase = Phase.idle(due: .now)
    /// The wait before the next retry; doubles up to 50 ms.
    var pause: Duration = .milliseconds(2)

    var isReady: Bool {
        if case .ready = phase { return true }
        return false
    }

    mutating func connect(address: String, port: Int, now: ContinuousClock.Instant) {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else { return retry(now: now) }
        let fd = socket(AF_INET, kind, 0)
        guard fd >= 0 else { return retry(now: now) }
        let rc = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc == 0 {
            phase = .reading(fd: fd, banner: [])
        } else if errno == EINPROGRESS {
            phase = .connecting(fd: fd)
        } else {
            close(fd)
            retry(now: now)
        }
    }

    /// Handles a poll event on the socket.
    mutating func advance(now: ContinuousClock.Instant) {
        switch phase {
        case .connecting(let fd):
            if SSHBanner.socketError(fd) == 0 {
                phase = .reading(fd: fd, banner: [])
            } else {
                closeSocket()
                retry(now: now)
            }
        case .reading(let fd, var banner):
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                banner.append(contentsOf: buffer[0..<n])
                if banner.contains(UInt8(ascii: "\n")) || banner.count > 255 {
                    let isSSH = banner.starts(with: Array("SSH-".utf8))
                    closeSocket()
                    if isSSH { phase = .ready } else { retry(now: now) }
                } else {
                    phase = .reading(fd: fd, banner: banner)
                }
            } else if n < 0 && (errno == EAGAIN || errno == EINTR) {
                return
            } else {
                closeSocket()
                retry(now: now)
            }
        case .idle, .ready:
            break
        }
    }

    private mutating func retry(now: ContinuousClock.Instant) {
        phase = .idle(due: now + pause)
        pause = min(pause * 2, .milliseconds(50))
    }

    func closeSocket() {
        switch phase {
        case .connecting(let fd), .reading(let fd, _): close(fd)
        case .idle, .ready: break
        }
    }
}
