import TernSource

/// A host as the plan needs it: how to reach it.
public struct PlanHost: Sendable, Hashable {
    public let name: String
    public let address: String
    /// Nil when the inventory does not say: the ssh config's Port, else 22.
    public let port: Int?
    public let user: String?

    public init(name: String, address: String, port: Int? = nil, user: String? = nil) {
        self.name = name
        self.address = address
        self.port = port
        self.user = user
    }
}

/// Whether a node runs, decided at plan time where possible.
public enum Condition: Sendable, Hashable {
    case always
    /// The step's `when:` was false for this host.
    case never
    /// `when:` depends on a value known only at run time.
    case deferred(RuntimeExpr)
}

/// Options a step header may carry; milliseconds for durations.
public struct StepOptions: Sendable, Hashable {
    public var retries: Int = 0
    public var delayMillis: Int = 0
    public var timeoutMillis: Int?
    /// The user to become through sudo, or nil.
    public var become: String?
    /// Run on the first target host only.
    public var once: Bool = false
    /// Rolling batches of this many hosts.
    public var serial: Int?
    /// A handler runs only when an action that notifies it changed something.
    public var handler: Bool = false

    public init() {}
}

/// One `step` declaration, after evaluation.
public struct StepDecl: Sendable, Hashable {
    public let name: String
    public let span: SourceSpan
    /// Host names, in inventory order.
    public let targets: [String]
    /// Names of the steps this one waits for on all their hosts.
    public let after: [String]
    /// Where each `after` name was written, parallel to `after`.
    public let afterSpans: [SourceSpan]
    public let options: StepOptions

    public init(
        name: String, span: SourceSpan, targets: [String], after: [String], afterSpans: [SourceSpan],
        options: StepOptions
    ) {
        self.name = name
        self.span = span
        self.targets = targets
        self.after = after
        self.afterSpans = afterSpans
        self.options = options
    }
}

/// An instance of a step on a host, by name: how deferred values and edges
/// refer to nodes before the graph assigns indices.
public struct NodeRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let step: String
    public let host: String
    public init(step: String, host: String) {
        self.step = step
        self.host = host
    }
    public var description: String { "\(step)@\(host)" }
    public static func < (a: NodeRef, b: NodeRef) -> Bool { (a.step, a.host) < (b.step, b.host) }
}

/// One step on one host, with its ordered actions.
public struct NodeSpec: Sendable, Hashable {
    public let ref: NodeRef
    public let actions: [Action]
    public let condition: Condition
    /// Instances this node reads data from (a data reference waits for
    /// exactly the instance it reads), with where the reference was written.
    public let dataDependencies: [DataDependency]

    public init(ref: NodeRef, actions: [Action], condition: Condition, dataDependencies: [DataDependency]) {
        self.ref = ref
        self.actions = actions
        self.condition = condition
        self.dataDependencies = dataDependencies
    }
}

public struct DataDependency: Sendable, Hashable {
    public let node: NodeRef
    public let span: SourceSpan
    public init(node: NodeRef, span: SourceSpan) {
        self.node = node
        self.span = span
    }
}
