import TernPlan

/// Whether a run changes hosts (`tern apply`) or only looks (`tern plan`).
public enum EngineMode: String, Sendable, Hashable {
    /// Checks only: never an apply.
    case plan
    case apply
}

/// How one node ended. Every text in a report is already redacted.
public enum NodeStatus: Sendable, Hashable {
    /// Every check was satisfied: nothing to do.
    case ok
    /// Something was applied and then checked satisfied.
    case changed
    /// Plan: some check is not satisfied, an apply would run.
    case wouldChange
    /// Plan: the node reads a value known only after an apply upstream.
    case mayChange(String)
    case failed(String)
    /// The host could not be used (connect, host key, auth, lost connection).
    case unreachable(String)
    /// Not run because a node it depends on failed, was skipped or was cancelled.
    case skipped(String)
    /// `when:` was false: not run, and its dependents go on.
    case conditionFalse
    /// A handler that nothing notified: not run, and its dependents go on.
    case notNotified
    /// Not started (or stopped between actions) because the run was interrupted
    /// or `--fail-fast` stopped it.
    case cancelled(String)

    /// The word shown in output, events and logs.
    public var word: String {
        switch self {
        case .ok: "ok"
        case .changed: "changed"
        case .wouldChange: "will change"
        case .mayChange: "may change"
        case .failed: "failed"
        case .unreachable: "unreachable"
        case .skipped: "skipped"
        case .conditionFalse: "skipped"
        case .notNotified: "not notified"
        case .cancelled: "cancelled"
        }
    }

    /// A stable identifier for JSON and the run log.
    public var key: String {
        switch self {
        case .ok: "ok"
        case .changed: "changed"
        case .wouldChange: "would_change"
        case .mayChange: "may_change"
        case .failed: "failed"
        case .unreachable: "unreachable"
        case .skipped: "skipped"
        case .conditionFalse: "condition_false"
        case .notNotified: "not_notified"
        case .cancelled: "cancelled"
        }
    }

    public var reason: String? {
        switch self {
        case .mayChange(let r), .failed(let r), .unreachable(let r), .skipped(let r), .cancelled(let r): r
        case .conditionFalse: "when: is false"
        case .ok, .changed, .wouldChange, .notNotified: nil
        }
    }

    /// True when dependents may run after this node.
    public var letsDependentsRun: Bool {
        switch self {
        case .ok, .changed, .wouldChange, .mayChange, .conditionFalse, .notNotified: true
        case .failed, .unreachable, .skipped, .cancelled: false
        }
    }

    public var isFailure: Bool {
        switch self {
        case .failed, .unreachable: true
        default: false
        }
    }

    /// A change that happened (apply) or is pending (plan).
    public var isChange: Bool {
        switch self {
        case .changed, .wouldChange, .mayChange: true
        default: false
        }
    }
}

/// How one action of a node ended.
public enum ActionStatus: String, Sendable, Hashable {
    case ok
    case changed
    case failed
    /// Plan: the check is not satisfied.
    case wouldChange = "would_change"
    /// Plan: a value it needs is known only after an apply.
    case mayChange = "may_change"
    /// Not reached (an earlier action failed, or the run stopped).
    case notRun = "not_run"
}

/// One command the engine ran on a host, as recorded for logs and output.
public struct CommandRecord: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable {
        case check, apply, verify, facts, read, upload
    }

    public var role: Role
    /// The command as shown to people: secrets masked.
    public var command: String
    public var stdout: String
    public var stderr: String
    public var exitStatus: Int32
    public var signal: String?
    public var durationMillis: Int

    public init(role: Role, command: String, stdout: String, stderr: String, exitStatus: Int32, signal: String? = nil, durationMillis: Int) {
        self.role = role
        self.command = command
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.signal = signal
        self.durationMillis = durationMillis
    }
}

public struct ActionReport: Sendable, Hashable {
    public var label: String
    public var status: ActionStatus
    /// Why it failed or may change; redacted.
    public var message: String?
    /// A unified diff of a file's content (secrets masked), when it differs.
    public var diff: String?
    public var commands: [CommandRecord]

    public init(label: String, status: ActionStatus, message: String? = nil, diff: String? = nil, commands: [CommandRecord] = []) {
        self.label = label
        self.status = status
        self.message = message
        self.diff = diff
        self.commands = commands
    }
}

/// How one node (a step on a host) ended.
public struct NodeReport: Sendable, Hashable {
    public var node: Int
    public var ref: NodeRef
    public var status: NodeStatus
    public var actions: [ActionReport]
    /// Milliseconds from the start of the run.
    public var startMillis: Int
    public var durationMillis: Int

    public init(node: Int, ref: NodeRef, status: NodeStatus, actions: [ActionReport] = [], startMillis: Int = 0, durationMillis: Int = 0) {
        self.node = node
        self.ref = ref
        self.status = status
        self.actions = actions
        self.startMillis = startMillis
        self.durationMillis = durationMillis
    }
}

/// What a run reports as it goes.
public enum EngineEvent: Sendable {
    case nodeStarted(node: Int, ref: NodeRef, startMillis: Int)
    case nodeFinished(NodeReport)
}

/// Counts per host, as Ansible's recap prints them.
public struct HostCounts: Sendable, Hashable {
    public var ok = 0
    public var changed = 0
    public var failed = 0
    public var skipped = 0
    public var unreachable = 0
    public var cancelled = 0

    public init() {}

    public static func += (a: inout HostCounts, b: HostCounts) {
        a.ok += b.ok
        a.changed += b.changed
        a.failed += b.failed
        a.skipped += b.skipped
        a.unreachable += b.unreachable
        a.cancelled += b.cancelled
    }

    public mutating func add(_ status: NodeStatus) {
        switch status {
        case .ok: ok += 1
        // A handler nothing notified did not run: not counted, as in Ansible.
        case .notNotified: break
        case .changed, .wouldChange, .mayChange: changed += 1
        case .failed: failed += 1
        case .unreachable: unreachable += 1
        case .skipped, .conditionFalse: skipped += 1
        case .cancelled: cancelled += 1
        }
    }
}

/// The outcome of a whole run.
public struct RunReport: Sendable {
    public let mode: EngineMode
    /// One per node of the graph; nil for nodes outside the run's selection.
    public let nodes: [NodeReport?]
    public let durationMillis: Int
    public let interrupted: Bool
    /// Commands and transfers sent to hosts (a batch of checks is one).
    public var remoteCommands = 0

    public init(mode: EngineMode, nodes: [NodeReport?], durationMillis: Int, interrupted: Bool) {
        self.mode = mode
        self.nodes = nodes
        self.durationMillis = durationMillis
        self.interrupted = interrupted
    }

    /// Counts per host name, in the graph's host order.
    public func recap(hosts: [PlanHost]) -> [(host: String, counts: HostCounts)] {
        var counts = [String: HostCounts]()
        for case let r? in nodes { counts[r.ref.host, default: HostCounts()].add(r.status) }
        return hosts.compactMap { h in counts[h.name].map { (h.name, $0) } }
    }

    public var hasFailures: Bool { nodes.contains { $0?.status.isFailure == true } }
    public var hasUnreachable: Bool {
        nodes.contains { if case .unreachable? = $0?.status { true } else { false } }
    }
    public var hasChanges: Bool { nodes.contains { $0?.status.isChange == true } }

    /// Steps by the longest time any of their nodes took, longest first.
    public func slowestSteps(_ count: Int) -> [(step: String, host: String, millis: Int)] {
        var best = [String: (String, Int)]()
        for case let r? in nodes where r.durationMillis > (best[r.ref.step]?.1 ?? -1) {
            best[r.ref.step] = (r.ref.host, r.durationMillis)
        }
        var rows: [(step: String, host: String, millis: Int)] = best.map { (step: $0.key, host: $0.value.0, millis: $0.value.1) }
        rows.sort { a, b in a.millis != b.millis ? a.millis > b.millis : a.step < b.step }
        return Array(rows.prefix(count))
    }
}

extension Duration {
    /// Whole milliseconds.
    public var millis: Int {
        let (s, atto) = components
        return Int(s) * 1000 + Int(atto / 1_000_000_000_000_000)
    }
}
