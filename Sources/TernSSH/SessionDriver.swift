import CLibSSH2
import Synchronization
import TernEngine

#if canImport(Glibc)
import Glibc
#endif

/// How a session reaches its server.
enum Route: Sendable {
    case direct
    /// Through a `direct-tcpip` channel of another session (ProxyJump).
    case through(SessionDriver)
}

/// One SSH endpoint — a host, or a jump host on the way to hosts — and the
/// thread that drives its connection.
///
/// This is the only part of a session that other threads touch. Callers
/// hand operations over through `inbox`, a mutex-protected mailbox, and wake
/// the thread with `wake`; the thread (`SessionLoop`) owns everything else —
/// the libssh2 session, its socket, its channels — and answers each
/// operation through the continuation that `perform` suspended on. So no
/// libssh2 call ever runs on Swift's cooperative pool, and no libssh2 object
/// is ever touched by two threads.
///
/// The thread starts with the first operation and lives until `stop()`: one
/// thread per host contacted, none per command, whatever the number of
/// commands in flight.
final class SessionDriver: Sendable {
    let settings: ConnectionSettings
    let route: Route
    let passphrases: Passphrases
    /// The ssh-agent socket; nil means `$SSH_AUTH_SOCK`.
    let agentSocketPath: String?
    /// Channels open at once on the session; further operations queue.
    let maxChannels: Int
    let wake = WakeSignal()
    private let inbox = Mutex(Inbox())

    /// Enough for libssh2, OpenSSL and the resolver; 200 hosts reserve
    /// 100 MiB of address space, and only touched pages cost memory.
    static let threadStackSize = 512 * 1024

    private enum ThreadState { case notStarted, running, exited }

    /// Everything other threads hand to the session thread, under `inbox`.
    private struct Inbox {
        var arrivals: [SessionOperation] = []
        var thread = ThreadState.notStarted
        var stopRequested = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        /// The tunnel this session waits for (when behind a jump host),
        /// and its result once the jump host's thread delivered it.
        var awaitedTunnel: UInt64?
        var tunnel: Result<Int32, TransportError>?
        var lastTicket: UInt64 = 0
    }

    init(
        settings: ConnectionSettings, route: Route, passphrases: Passphrases, agentSocketPath: String?, maxChannels: Int
    ) {
        self.settings = settings
        self.route = route
        self.passphrases = passphrases
        self.agentSocketPath = agentSocketPath
        self.maxChannels = max(1, maxChannels)
    }

    // MARK: Any thread

    /// Runs `operation` on the session and waits for its answer without
    /// blocking a thread. Cancelling the task cancels the operation.
    func perform<Value: Sendable>(_ operation: ResultOperation<Value>) async throws(TransportError) -> Value {
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, TransportError>, Never>) in
                operation.completion = { continuation.resume(returning: $0) }
                submit(operation)
            }
        } onCancel: {
            operation.requestCancel()
            wake.signal()
        }
        return try result.get()
    }

    /// Hands an operation to the session thread, starting it if needed.
    func submit(_ operation: SessionOperation) {
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.stopRequested, inbox.thread != .exited else { return false }
            inbox.arrivals.append(operation)
            if inbox.thread == .notStarted {
                inbox.thread = .running
                if !startThread() {
                    inbox.thread = .exited
                    inbox.arrivals.removeAll()
                    return false
                }
            }
            return true
        }
        if accepted {
            wake.signal()
        } else {
            operation.failUnstarted(.shutDown(host: settings.name))
        }
    }

    /// Closes the connection and waits until the thread has ended.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = inbox.withLock { inbox -> Bool in
                inbox.stopRequested = true
                guard inbox.thread == .running else { return true }
                inbox.stopWaiters.append(continuation)
                return false
            }
            if ended { continuation.resume() } else { wake.signal() }
        }
    }

    /// Asks the thread to end without waiting for it.
    func requestStop() {
        inbox.withLock { $0.stopRequested = true }
        wake.signal()
    }

    /// A jump host's thread delivers the tunnel this session asked for.
    func tunnelArrived(_ ticket: UInt64, _ result: Result<Int32, TransportError>) {
        let wanted = inbox.withLock { inbox -> Bool in
            guard inbox.awaitedTunnel == ticket else { return false }
            inbox.tunnel = result
            return true
        }
        if !wanted, case .success(let fd) = result { close(fd) }
        wake.signal()
    }

    // MARK: The session thread

    /// New operations, and whether to stop.
    func takeArrivals() -> (operations: [SessionOperation], stop: Bool) {
        inbox.withLock { inbox in
            defer { inbox.arrivals.removeAll() }
            return (inbox.arrivals, inbox.stopRequested)
        }
    }

    func expectTunnel() -> UInt64 {
        inbox.withLock { inbox in
            inbox.lastTicket += 1
            inbox.awaitedTunnel = inbox.lastTicket
            inbox.tunnel = nil
            return inbox.lastTicket
        }
    }

    func takeTunnel(_ ticket: UInt64) -> Result<Int32, TransportError>? {
        inbox.withLock { inbox in
            guard inbox.awaitedTunnel == ticket, let tunnel = inbox.tunnel else { return nil }
            inbox.awaitedTunnel = nil
            inbox.tunnel = nil
            return tunnel
        }
    }

    /// Gives up waiting; a tunnel that arrives later is closed.
    func abandonTunnel(_ ticket: UInt64) {
        let late = inbox.withLock { inbox -> Int32? in
            guard inbox.awaitedTunnel == ticket else { return nil }
            defer {
                inbox.awaitedTunnel = nil
                inbox.tunnel = nil
            }
            if case .success(let fd)? = inbox.tunnel { return fd }
            return nil
        }
        if let late { close(late) }
    }

    private func startThread() -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, Self.threadStackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let entry = Unmanaged.passRetained(ThreadEntry(driver: self)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, &attributes,
            { context in
                guard let context else { return nil }
                Unmanaged<ThreadEntry>.fromOpaque(context).takeRetainedValue().run()
                return nil
            }, entry)
        if rc != 0 {
            Unmanaged<ThreadEntry>.fromOpaque(entry).release()
            return false
        }
        return true
    }

    /// The thread's last act: operations that arrived while it was closing
    /// are refused, and `stop()` callers resume.
    fileprivate func threadEnded() {
        let (late, waiters) = inbox.withLock { inbox in
            inbox.thread = .exited
            defer {
                inbox.arrivals.removeAll()
                inbox.stopWaiters.removeAll()
            }
            return (inbox.arrivals, inbox.stopWaiters)
        }
        for operation in late { operation.failUnstarted(.shutDown(host: settings.name)) }
        for waiter in waiters { waiter.resume() }
    }
}

/// What a new session thread runs.
private final class ThreadEntry {
    let driver: SessionDriver

    init(driver: SessionDriver) {
        self.driver = driver
    }

    func run() {
        runLoop()
        // OpenSSL's per-thread state is otherwise freed by a thread-local
        // destructor as the thread exits — possibly after `stop()` callers
        // resumed and the process began to exit, while `exit` runs
        // OpenSSL's global cleanup: the two together crashed `tern run` at
        // exit about once in 150 runs. Freed here, before anyone resumes.
        OPENSSL_thread_stop()
        driver.threadEnded()
    }

    /// Separate so that the loop and all it holds are gone before `stop()`
    /// callers resume.
    private func runLoop() {
        SessionLoop(driver: driver).run()
    }
}
