import Synchronization
import TernEngine

#if canImport(Glibc)
import Glibc
#endif

/// What one step of an operation achieved.
enum StepResult: Equatable {
    /// Nothing more can happen until a descriptor is ready or time passes.
    case idle
    case progressed
    /// The operation is over and holds no libssh2 objects any more.
    case finished
    /// The connection is unusable; the session thread tears it down.
    case connectionLost(String)
}

/// What becomes of an operation whose connection broke.
enum AfterConnectionLoss {
    /// It had not reached the server yet: run it on the next connection.
    case retry
    /// It has reported (or just reported) its outcome; drop it.
    case drop
}

/// One piece of work on a session — a command, a file transfer, a tunnel —
/// advanced in small non-blocking steps by the session thread.
///
/// Threading rule: an operation is made by the caller's task and handed to
/// the session thread once, through `SessionDriver`'s locked inbox; from
/// then on only that thread touches it, except `requestCancel()`, which sets
/// an atomic flag. That hand-over is why subclasses are `@unchecked Sendable`.
class SessionOperation: @unchecked Sendable {
    let id: UInt64
    /// Monotonic milliseconds after which the operation times out.
    let deadline: Int64?
    private let cancelFlag = Atomic<Bool>(false)
    private(set) var hasExpired = false
    /// Connections this operation has been lost with before it started.
    var retries = 0
    /// Operations to run on the same session because of this one (the
    /// killer of a timed-out command); the session thread collects them.
    var followUps: [SessionOperation] = []

    init(deadline: Int64?) {
        self.id = nextOperationID.wrappingAdd(1, ordering: .relaxed).newValue
        self.deadline = deadline
    }

    /// Whether it occupies one of the session's limited channels (sshd's
    /// MaxSessions). Tunnels do not: they live as long as the connection
    /// through them.
    var countsTowardChannelCap: Bool { true }

    /// Whether the server may already have acted on it (a command was
    /// sent). A broken connection fails a started operation; one that has
    /// not started waits for the next connection instead.
    var hasStarted: Bool { false }

    /// Whether `deadline` still matters (a tunnel's ends once it is up).
    var deadlineApplies: Bool { true }

    /// Whether the caller has been answered.
    var hasReported: Bool { true }

    func requestCancel() {
        cancelFlag.store(true, ordering: .relaxed)
    }

    var isCancelRequested: Bool { cancelFlag.load(ordering: .relaxed) }

    /// Advances the operation as far as it can go now: up to eight phases
    /// in a row, so one call can open, start and read a channel, then back
    /// to the loop so that other operations get their turn.
    final func step(_ live: LiveSession) -> StepResult {
        if isCancelRequested { expireOnce(cancelled: true) }
        var progressed = false
        for _ in 0..<8 {
            let result = advance(live)
            switch result {
            case .progressed: progressed = true
            case .idle: return progressed ? .progressed : .idle
            case .finished, .connectionLost: return result
            }
        }
        return .progressed
    }

    /// A queued operation takes an open slot (one channel open in flight per
    /// session) and moves on with `start`; one already answered ends.
    final func leaveQueue(_ live: LiveSession, ended: () -> Void, start: () -> Void) -> StepResult {
        if hasReported {
            ended()
            return .finished
        }
        guard live.acquireOpenSlot(id) else { return .idle }
        start()
        return .progressed
    }

    /// For calls whose failure changes nothing (waiting for a close, closing,
    /// freeing, removing a temporary file): waits while libssh2 would block,
    /// reports a lost connection, and otherwise goes on with `next`.
    final func settled(_ outcome: LibSSH2.Outcome, then next: () -> StepResult) -> StepResult {
        switch outcome {
        case .again: return .idle
        case .connectionLost(let reason): return .connectionLost(reason)
        case .done, .failed: return next()
        }
    }

    /// One phase of the operation's state machine; subclasses implement it.
    func advance(_ live: LiveSession) -> StepResult { .finished }

    /// Called by the session thread once, when `deadline` passes or the
    /// caller cancels; `expire(cancelled:)` does the work.
    final func expireOnce(cancelled: Bool) {
        guard !hasExpired else { return }
        hasExpired = true
        expire(cancelled: cancelled)
    }

    /// Answers the caller with a timeout (or cancellation) and starts
    /// winding down; later steps release what the operation holds.
    func expire(cancelled: Bool) {}

    /// The connection could not be made: answer with `error`.
    func failUnstarted(_ error: TransportError) {}

    /// The connection broke. Drop every libssh2 pointer without waiting
    /// (the session is about to be freed) and say what happens next.
    func connectionLost(_ reason: String) -> AfterConnectionLoss { .drop }

    /// Descriptors besides the session socket that should wake the thread.
    func addPollDescriptors(to fds: inout [pollfd]) {}
}

private let nextOperationID = Atomic<UInt64>(0)

/// An operation that answers its caller once with a value or an error.
class ResultOperation<Value: Sendable>: SessionOperation, @unchecked Sendable {
    /// Set by `SessionDriver.perform` before the hand-over; cleared when used.
    var completion: (@Sendable (Result<Value, TransportError>) -> Void)?
    let hostName: String
    let submitted = Monotonic.now()

    init(hostName: String, deadline: Int64?) {
        self.hostName = hostName
        super.init(deadline: deadline)
    }

    override var hasReported: Bool { completion == nil }

    func report(_ result: Result<Value, TransportError>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }

    override func failUnstarted(_ error: TransportError) {
        report(.failure(error))
    }

    var elapsedMillis: Int { Int(Monotonic.now() - submitted) }
}
