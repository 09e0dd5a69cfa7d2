import Synchronization
import TernSource

/// The secrets of a run: those the playbook declared, and those that only
/// appear at run time (a secret value read from a host). Every text the
/// engine reports passes through `redact`; a secret learnt at run time is
/// added before any text that could hold it is produced.
public final class SecretBook: Sendable {
    private let redactor: Mutex<Redactor>

    public init(_ redactor: Redactor) {
        self.redactor = Mutex(redactor)
    }

    public func add(_ secret: String) {
        redactor.withLock { $0 = $0.adding([secret]) }
    }

    public func redact(_ text: String) -> String {
        let r = redactor.withLock { $0 }
        return r.redact(text)
    }
}
