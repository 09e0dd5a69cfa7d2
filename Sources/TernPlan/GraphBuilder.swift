import TernSource

/// Builds a `StepGraph` from evaluated steps and nodes through small named
/// passes, each of which may report diagnostics:
///
/// 1. `addNodes` — index every (step, host) node; a duplicate step is an error.
/// 2. `resolveAfter` — turn `after` names into step indices ("did you mean").
/// 3. `addDataEdges` — a data reference waits for exactly the node it reads;
///    reading a step on a host it does not run on is an error.
///    A handler waits for every node on its host whose actions notify it;
///    notifying a step that is not a handler is an error.
/// 4. `addSerialEdges` — rolling batches: batch k+1 waits for batch k.
/// 5. `findCycles` — strongly connected components of the step-level graph;
///    each cycle is reported once, naming every step with its location; then
///    cycles among the hosts of a single step.
public struct GraphBuilder {
    public private(set) var diagnostics = DiagnosticBag()
    let hosts: [PlanHost]
    let steps: [StepDecl]
    let specs: [NodeSpec]

    public init(hosts: [PlanHost], steps: [StepDecl], nodes: [NodeSpec]) {
        self.hosts = hosts
        self.steps = steps
        self.specs = nodes
    }

    /// The graph, or nil when a pass reported an error (see `diagnostics`).
    public mutating func build() -> StepGraph? {
        let hostIndex = Dictionary(hosts.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var stepIndex: [String: Int] = [:]
        var duplicated: Set<String> = []
        for (i, s) in steps.enumerated() {
            if let first = stepIndex[s.name] {
                duplicated.insert(s.name)
                diagnostics.add(.duplicateStep(s.name, at: s.span, first: steps[first].span))
            } else {
                stepIndex[s.name] = i
            }
        }

        // 1. nodes
        var nodeIndex: [NodeRef: Int] = [:]
        nodeIndex.reserveCapacity(specs.count)
        var stepNodes = Array(repeating: [Int](), count: steps.count)
        var order: [(spec: NodeSpec, step: Int, host: Int)] = []
        order.reserveCapacity(specs.count)
        var lastStep: (name: String, index: Int)?
        for spec in specs {
            // Nodes of one step come together: look its index up once.
            let s: Int?
            if let last = lastStep, last.name == spec.ref.step { s = last.index } else { s = stepIndex[spec.ref.step] }
            if let s { lastStep = (spec.ref.step, s) }
            // The evaluator makes one node per (declared step, known host);
            // anything else is a bug there, reported rather than dropped.
            guard let s, let h = hostIndex[spec.ref.host], nodeIndex[spec.ref] == nil else {
                // A second step of the same name is reported above.
                if !duplicated.contains(spec.ref.step) { diagnostics.add(.internalNode(spec.ref)) }
                continue
            }
            nodeIndex[spec.ref] = order.count
            stepNodes[s].append(order.count)
            order.append((spec, s, h))
        }

        // 2. after
        var stepAfter = Array(repeating: Set<Int>(), count: steps.count)
        for (i, s) in steps.enumerated() where stepIndex[s.name] == i {
            for (name, span) in zip(s.after, s.afterSpans) {
                if let t = stepIndex[name] {
                    stepAfter[i].insert(t)
                } else {
                    diagnostics.add(.unknownStep(name, at: span, known: steps.map(\.name)))
                }
            }
        }

        // 3. data edges
        var extra = Array(repeating: Set<Int>(), count: order.count)
        for (i, entry) in order.enumerated() {
            for dep in entry.spec.dataDependencies {
                if let d = nodeIndex[dep.node] {
                    if d == i {
                        diagnostics.add(.readsItself(dep.node, at: dep.span))
                    } else {
                        extra[i].insert(d)
                    }
                } else if let t = stepIndex[dep.node.step] {
                    diagnostics.add(.stepNotOnHost(dep.node, at: dep.span, targets: steps[t].targets))
                } else {
                    diagnostics.add(.unknownStep(dep.node.step, at: dep.span, known: steps.map(\.name)))
                }
            }
        }

        // 3b. handlers: a handler on a host waits for every node there that
        // may notify it, so it runs after the change that calls for it.
        for (i, entry) in order.enumerated() {
            for action in entry.spec.actions {
                for name in action.notify {
                    guard let t = stepIndex[name] else {
                        diagnostics.add(.unknownStep(name, at: action.span, known: steps.map(\.name)))
                        continue
                    }
                    guard steps[t].options.handler else {
                        diagnostics.add(.notifyNotHandler(name, at: action.span, declared: steps[t].span))
                        continue
                    }
                    guard let h = nodeIndex[NodeRef(step: name, host: entry.spec.ref.host)] else {
                        diagnostics.add(.handlerNotOnHost(name, host: entry.spec.ref.host, at: action.span))
                        continue
                    }
                    if h != i { extra[h].insert(i) }
                }
            }
        }

        // 4. serial batches
        for (s, decl) in steps.enumerated() {
            guard let size = decl.options.serial, size > 0 else { continue }
            let ns = stepNodes[s]
            var start = size
            while start < ns.count {
                let previous = ns[(start - size)..<start]
                for n in ns[start..<min(start + size, ns.count)] { extra[n].formUnion(previous) }
                start += size
            }
        }

        let graph = StepGraph(
            hosts: hosts, steps: steps,
            nodes: order.enumerated().map { i, e in
                StepGraph.Node(
                    ref: e.spec.ref, step: e.step, host: e.host, actions: e.spec.actions,
                    condition: e.spec.condition, extraDependencies: extra[i].sorted())
            },
            stepNodes: stepNodes, stepAfter: stepAfter.map { $0.sorted() }, nodeIndex: nodeIndex)

        // 5. cycles
        for d in CycleFinder.cycles(in: graph) { diagnostics.add(d) }
        for d in CycleFinder.instanceCycles(in: graph) { diagnostics.add(d) }
        return diagnostics.hasErrors ? nil : graph
    }
}
