import Synchronization
import TernPlan
import TernSource

public struct EngineOptions: Sendable {
    public var mode: EngineMode = .apply
    /// Hosts worked on at once.
    public var forks = 256
    /// Stop starting nodes after the first failure.
    public var failFast = false
    /// Send the first checks of nodes that become ready together on one
    /// host as one command.
    public var batchChecks = true
    /// The nodes to run; nil runs all. A node outside the selection counts
    /// as done for its dependents.
    public var selection: Set<Int>?
    /// In apply mode, read the old content of each file that changes, for a
    /// diff in the report (plan always does).
    public var applyDiffs = false

    public init(mode: EngineMode = .apply) {
        self.mode = mode
    }
}

/// Runs a step graph: the walker below decides *when* a node starts (all
/// it depends on is done), the `Limiter` *how many* run at once, and
/// `NodeRunner` what happens on the host.
///
/// The walker owns all scheduling state and changes it only between
/// awaits of its task group, so it needs no locks. `after S` edges are
/// counted per step (a step is done when all its nodes are), data and
/// handler edges per node, so a run over 100,000 nodes never expands the
/// |S| × |T| edges that `after` implies.
public struct Engine: Sendable {
    public let graph: StepGraph
    public let transport: any Transport
    public let options: EngineOptions
    public let secrets: SecretBook
    public let control: RunControl
    public let onEvent: @Sendable (EngineEvent) -> Void

    public init(
        graph: StepGraph, transport: any Transport, options: EngineOptions, secrets: SecretBook,
        control: RunControl = RunControl(), onEvent: @escaping @Sendable (EngineEvent) -> Void = { _ in }
    ) {
        self.graph = graph
        self.transport = transport
        self.options = options
        self.secrets = secrets
        self.control = control
        self.onEvent = onEvent
    }

    public func run() async -> RunReport {
        let counting = CountingTransport(transport)
        var walker = Walker(engine: self, transport: counting)
        var report = await walker.run()
        report.remoteCommands = counting.count
        return report
    }
}

/// Counts what the engine asks of hosts: commands and transfers, each one
/// remote operation (a batch of checks is one).
final class CountingTransport: Transport {
    let base: any Transport
    private let counter = Atomic<Int>(0)

    init(_ base: any Transport) {
        self.base = base
    }

    var count: Int { counter.load(ordering: .relaxed) }

    func exec(_ request: CommandRequest, on host: PlanHost) async throws(TransportError) -> CommandResult {
        counter.add(1, ordering: .relaxed)
        return try await base.exec(request, on: host)
    }

    func upload(_ data: [UInt8], to path: String, options: UploadOptions, on host: PlanHost) async throws(TransportError) {
        counter.add(1, ordering: .relaxed)
        try await base.upload(data, to: path, options: options, on: host)
    }

    func download(_ path: String, on host: PlanHost) async throws(TransportError) -> [UInt8] {
        counter.add(1, ordering: .relaxed)
        return try await base.download(path, on: host)
    }

    func shutdown() async { await base.shutdown() }
}

struct Walker {
    let engine: Engine
    let transport: any Transport
    let graph: StepGraph
    let clock = ContinuousClock.now
    let limiter: Limiter
    let memory = RunMemory()
    let facts: FactCache
    let hostsByName: [String: PlanHost]
    let prechecks = Prechecks()
    /// Selected nodes of each host, in graph order.
    var hostNodes: [[Int]]
    var started: [Bool]
    /// Hosts (and `become` users) whose later checks were sent ahead.
    var lookedAhead: Set<String> = []

    var reports: [NodeReport?]
    var selected: [Bool]
    /// Unfinished selected nodes per step.
    var stepUnfinished: [Int]
    /// A node of the step that lets no dependent run, once one has ended so.
    var stepBlocker: [NodeRef?]
    /// Steps in `after` not yet done, per step.
    var afterPending: [Int]
    var stepUsers: [[Int]]
    /// Unfinished data, handler and serial dependencies, per node.
    var extraPending: [Int]
    var extraBlocker: [NodeRef?]
    var extraUsers: [[Int]]
    /// Steps that notified each handler node, by node.
    var notifiedBy: [Int: [String]] = [:]
    var ready: [Int] = []

    init(engine: Engine, transport: any Transport) {
        self.engine = engine
        self.transport = transport
        graph = engine.graph
        limiter = Limiter(forks: engine.options.forks)
        facts = FactCache(transport: transport)
        hostsByName = Dictionary(graph.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let n = graph.nodes.count
        reports = Array(repeating: nil, count: n)
        selected = Array(repeating: engine.options.selection == nil, count: n)
        if let sel = engine.options.selection { for i in sel where i < n { selected[i] = true } }
        stepUnfinished = graph.stepNodes.map { _ in 0 }
        stepBlocker = Array(repeating: nil, count: graph.steps.count)
        afterPending = graph.stepAfter.map(\.count)
        stepUsers = Array(repeating: [], count: graph.steps.count)
        for (t, deps) in graph.stepAfter.enumerated() { for s in deps { stepUsers[s].append(t) } }
        extraPending = Array(repeating: 0, count: n)
        extraBlocker = Array(repeating: nil, count: n)
        extraUsers = Array(repeating: [], count: n)
        hostNodes = Array(repeating: [], count: graph.hosts.count)
        started = Array(repeating: false, count: n)
        for (i, node) in graph.nodes.enumerated() where selected[i] {
            hostNodes[node.host].append(i)
            stepUnfinished[node.step] += 1
            for d in node.extraDependencies where selected[d] {
                extraPending[i] += 1
                extraUsers[d].append(i)
            }
        }
    }

    mutating func run() async -> RunReport {
        // Steps with no selected node and nothing to wait for are done from
        // the start; one that still waits is done when its `after` steps are
        // (`stepDone` carries it on then), and never twice.
        var emptySteps = (0..<graph.steps.count).filter { stepUnfinished[$0] == 0 && afterPending[$0] == 0 }
        while let s = emptySteps.popLast() {
            for t in stepUsers[s] {
                afterPending[t] -= 1
                if afterPending[t] == 0, stepUnfinished[t] == 0 { emptySteps.append(t) }
            }
        }
        for i in graph.nodes.indices where selected[i] && isReady(i) { ready.append(i) }

        await withTaskGroup(of: NodeRunner.Outcome.self) { group in
            var running = 0
            while true {
                running += startReady(in: &group)
                if running == 0 { break }
                guard let outcome = await group.next() else { break }
                running -= 1
                finish(outcome.report, output: outcome.output)
            }
        }
        // Every selected node has a report; one without would be a walker
        // bug, reported as a failure rather than passed over in silence.
        for i in graph.nodes.indices where selected[i] && reports[i] == nil {
            reports[i] = NodeReport(node: i, ref: graph.nodes[i].ref, status: .failed("never became ready (an engine error; please report it)"))
        }
        let d = ContinuousClock.now - clock
        return RunReport(
            mode: engine.options.mode, nodes: reports,
            durationMillis: d.millis,
            interrupted: engine.control.isInterrupted)
    }

    func isReady(_ i: Int) -> Bool {
        afterPending[graph.nodes[i].step] == 0 && extraPending[i] == 0
    }

    /// Starts every ready node that should run; finishes at once those that
    /// should not (skipped, `when:` false, not notified, cancelled).
    mutating func startReady(in group: inout TaskGroup<NodeRunner.Outcome>) -> Int {
        var launched = 0
        while !ready.isEmpty {
            let batch = ready
            ready = []
            var toRun: [Int] = []
            for i in batch {
                if let status = settledWithoutRunning(i) {
                    finish(NodeReport(node: i, ref: graph.nodes[i].ref, status: status, startMillis: millisSinceStart()), output: nil)
                } else {
                    toRun.append(i)
                }
            }
            // Nodes of one host that became ready together share a batch
            // of first checks (per `become`, which changes how it runs).
            for i in toRun { started[i] = true }
            var batches: [String: CheckBatch] = [:]
            if engine.options.batchChecks {
                var groups: [String: [Int]] = [:]
                for i in toRun { groups[batchKey(i), default: []].append(i) }
                for (key, members) in groups {
                    let ahead = lookahead(key, host: graph.nodes[members[0]].host)
                    guard members.count > 1 || !ahead.isEmpty else { continue }
                    let first = graph.nodes[members[0]]
                    let opts = members.map { graph.steps[graph.nodes[$0].step].options }
                    let timeout = opts.contains { $0.timeoutMillis == nil } ? nil : opts.compactMap(\.timeoutMillis).max()
                    batches[key] = CheckBatch(
                        host: graph.hosts[first.host], become: opts[0].become, timeoutMillis: timeout,
                        transport: transport, expected: members.count, lookahead: ahead, prechecks: prechecks)
                }
            }
            for i in toRun {
                let runner = NodeRunner(
                    graph: graph, nodeIndex: i, mode: engine.options.mode, transport: transport, limiter: limiter,
                    memory: memory, facts: facts, secrets: engine.secrets, control: engine.control, hostsByName: hostsByName,
                    batch: batches[batchKey(i)], prechecks: prechecks,
                    applyDiffs: engine.options.applyDiffs, clock: clock)
                engine.onEvent(.nodeStarted(node: i, ref: graph.nodes[i].ref, startMillis: millisSinceStart()))
                group.addTask { await runner.run() }
                launched += 1
            }
        }
        return launched
    }

    /// The first time a host (as one `become` user) sends a batch, the
    /// plan-time checks of its later nodes go along with it.
    mutating func lookahead(_ key: String, host: Int) -> [(node: Int, checks: [(action: Int, script: String)])] {
        guard lookedAhead.insert(key).inserted else { return [] }
        var out: [(node: Int, checks: [(action: Int, script: String)])] = []
        for i in hostNodes[host] where !started[i] && batchKey(i) == key {
            let node = graph.nodes[i]
            if graph.steps[node.step].options.handler { continue }
            if case .never = node.condition { continue }
            var checks: [(action: Int, script: String)] = []
            var known = true
            for (a, action) in node.actions.enumerated() where action.hasCheck {
                guard let script = action.staticCheck else {
                    known = false
                    break
                }
                checks.append((a, script))
            }
            if known, !checks.isEmpty { out.append((i, checks)) }
        }
        return out
    }

    /// Nodes share a batch only when their checks run the same way: same
    /// host, same `become`, same `timeout` (a check must never outlive its
    /// step's timeout by riding in another's batch).
    func batchKey(_ i: Int) -> String {
        let n = graph.nodes[i]
        let o = graph.steps[n.step].options
        return "\(n.host) \(o.become ?? "") \(o.timeoutMillis.map(String.init) ?? "-")"
    }

    /// The status of a ready node that will not run, or nil when it runs.
    func settledWithoutRunning(_ i: Int) -> NodeStatus? {
        let node = graph.nodes[i]
        let blockers = stepBlocker
        let isHandler = graph.steps[node.step].options.handler
        // A handler nothing notified does not run, whatever failed.
        if isHandler, notifiedBy[i] == nil { return .notNotified }
        if let b = graph.stepAfter[node.step].lazy.compactMap({ blockers[$0] }).first {
            return .skipped("\(b) did not succeed")
        }
        if isHandler {
            // A notified handler waits for every node that may notify it, but
            // only the failure of one that did notify it (or of a node it
            // reads data from) stops it.
            let notifiers = Set(notifiedBy[i] ?? [])
            for d in node.extraDependencies where selected[d] {
                guard let r = reports[d], !r.status.letsDependentsRun else { continue }
                let mayNotify = graph.nodes[d].host == node.host
                    && graph.nodes[d].actions.contains { $0.notify.contains(node.ref.step) }
                if !mayNotify || notifiers.contains(r.ref.step) { return .skipped("\(r.ref) did not succeed") }
            }
        } else if let b = extraBlocker[i] {
            return .skipped("\(b) did not succeed")
        }
        if engine.control.isInterrupted { return .cancelled(engine.control.reason) }
        if case .never = node.condition { return .conditionFalse }
        // A notified handler would run; plan mode runs no handler checks.
        if isHandler, engine.options.mode == .plan { return .wouldChange }
        if let reason = memory.downReason(graph.hosts[node.host].name) {
            return .unreachable("\(graph.hosts[node.host].name) is unreachable: \(reason)")
        }
        return nil
    }

    mutating func finish(_ report: NodeReport, output: String?) {
        let i = report.node
        let node = graph.nodes[i]
        reports[i] = report
        memory.finished(node.ref, status: report.status, output: output)
        engine.onEvent(.nodeFinished(report))
        if report.status.isFailure {
            if engine.options.failFast, !engine.control.isInterrupted {
                engine.control.interrupt("--fail-fast: \(node.ref) failed", byUser: false)
            }
        }

        // Handlers this node notified.
        for (a, action) in zip(report.actions, node.actions) where !action.notify.isEmpty {
            guard a.status == .changed || a.status == .wouldChange || a.status == .mayChange else { continue }
            for name in action.notify {
                if let h = graph.index(of: NodeRef(step: name, host: node.ref.host)) {
                    notifiedBy[h, default: []].append(node.ref.step)
                }
            }
        }

        let blocks = !report.status.letsDependentsRun
        if blocks, stepBlocker[node.step] == nil { stepBlocker[node.step] = node.ref }
        stepUnfinished[node.step] -= 1
        if stepUnfinished[node.step] == 0 { stepDone(node.step) }
        for u in extraUsers[i] {
            if blocks, extraBlocker[u] == nil { extraBlocker[u] = node.ref }
            extraPending[u] -= 1
            if extraPending[u] == 0, isReady(u) { ready.append(u) }
        }
    }

    mutating func stepDone(_ s: Int) {
        var done = [s]
        while let d = done.popLast() {
            for t in stepUsers[d] {
                afterPending[t] -= 1
                guard afterPending[t] == 0 else { continue }
                if stepUnfinished[t] == 0 {
                    done.append(t)
                } else {
                    for i in graph.stepNodes[t] where selected[i] && extraPending[i] == 0 { ready.append(i) }
                }
            }
        }
    }

    func millisSinceStart() -> Int {
        let d = ContinuousClock.now - clock
        return d.millis
    }
}
