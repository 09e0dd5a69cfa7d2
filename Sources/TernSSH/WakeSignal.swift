#if canImport(Glibc)
import Glibc
#endif

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
