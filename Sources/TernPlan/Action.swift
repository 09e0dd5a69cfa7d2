import TernSource

/// The unit of idempotence: something to make true on one host.
///
/// A command action has a read-only `check` (exit 0 means "already so") and
/// an `apply`. A file action uploads `content` to `path` and is checked by
/// comparing checksums, so it needs no check command of its own.
public struct Action: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case command(check: Template?, apply: Template)
        case file(FileSpec)
    }

    public let kind: Kind
    /// What the user wrote, for display: `pkg.installed "htop"`.
    public let label: String
    public let span: SourceSpan
    /// Actions on one host that share a lock never run at the same time
    /// (package managers, service managers).
    public let lock: String?
    /// Steps to run (as handlers) when this action changes something.
    public let notify: [String]

    public init(kind: Kind, label: String, span: SourceSpan, lock: String? = nil, notify: [String] = []) {
        self.kind = kind
        self.label = label
        self.span = span
        self.lock = lock
        self.notify = notify
    }

    /// False for an action that runs every time because nothing can tell
    /// that its work is already done.
    public var hasCheck: Bool {
        switch kind {
        case .command(let check, _): check != nil
        case .file: true
        }
    }

    /// Every deferred expression this action needs before it can run.
    public var deferredExprs: [RuntimeExpr] {
        switch kind {
        case .command(let check, let apply): (check?.deferredExprs ?? []) + apply.deferredExprs
        case .file(let f): f.content.deferredExprs
        }
    }
}

public struct FileSpec: Sendable, Hashable {
    public let path: String
    public let content: Template
    public let mode: String?
    public let owner: String?
    public let group: String?

    public init(path: String, content: Template, mode: String? = nil, owner: String? = nil, group: String? = nil) {
        self.path = path
        self.content = content
        self.mode = mode
        self.owner = owner
        self.group = group
    }
}
