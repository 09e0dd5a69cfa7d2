import Synchronization

/// Interrupting a run (Ctrl-C, `--fail-fast`): no new node starts, running
/// ones stop between actions.
public final class RunControl: Sendable {
    private let flag = Atomic<Bool>(false)
    private let why = Mutex<(reason: String, byUser: Bool)>(("the run was interrupted", true))

    public init() {}

    /// `byUser`: Ctrl-C or a signal, as opposed to `--fail-fast`. The first
    /// interrupt's reason is kept.
    public func interrupt(_ reason: String = "the run was interrupted", byUser: Bool = true) {
        let first = why.withLock { w -> Bool in
            guard !flag.load(ordering: .sequentiallyConsistent) else { return false }
            w = (reason, byUser)
            return true
        }
        if first { flag.store(true, ordering: .sequentiallyConsistent) }
    }

    public var isInterrupted: Bool { flag.load(ordering: .sequentiallyConsistent) }
    public var reason: String { why.withLock { $0.reason } }
    /// True when a person (or a signal) stopped the run.
    public var interruptedByUser: Bool { isInterrupted && why.withLock { $0.byUser } }

    /// Waits `millis`, or less when the run is interrupted meanwhile.
    func pause(millis: Int) async {
        var left = millis
        while left > 0, !isInterrupted {
            let step = min(left, 100)
            try? await Task.sleep(for: .milliseconds(step))
            left -= step
        }
    }
}
