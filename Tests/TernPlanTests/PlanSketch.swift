import TernPlan
import TernSource
import Testing

/// A step as a test describes it: the part of a playbook that matters to the
/// graph, without the language around it.
struct StepSketch {
    var name: String
    var on: [String]
    var after: [String] = []
    var options = StepOptions()
    var actions: [ActionSketch] = []
    /// Instances this step reads (`"step@host"`), each on the listed hosts
    /// of this step, or on all of them.
    var reads: [ReadSketch] = []
    /// The condition of the instance on a host; `.always` where absent.
    var conditions: [String: Condition] = [:]
}

/// An action's label (what the user wrote) and what it does.
struct ActionSketch {
    var label: String
    var kind: Action.Kind
    var lock: String? = nil
    var notify: [String] = []

    /// A command action; `check: nil` is one that runs every time.
    static func command(_ label: String, check: Template?, apply: Template, lock: String? = nil) -> ActionSketch {
        ActionSketch(label: label, kind: .command(check: check, apply: apply), lock: lock)
    }

    static func file(_ label: String, _ spec: FileSpec) -> ActionSketch {
        ActionSketch(label: label, kind: .file(spec))
    }
}

struct ReadSketch {
    var ref: NodeRef
    var on: [String]?

    init(_ ref: String, on: [String]? = nil) {
        let parts = ref.split(separator: "@", maxSplits: 1).map(String.init)
        self.ref = NodeRef(step: parts[0], host: parts.count > 1 ? parts[1] : "")
        self.on = on
    }
}

/// Turns sketches into what the evaluator would hand to `GraphBuilder`.
///
/// The steps are first written out as Tern-like source text, one line per
/// action and per read:
///
/// ```
/// step trust on lab1, lab2 after glusterd {
///   ssh.authorized_key user: "root"
///   read(heketi_key@lab1)
/// }
/// ```
///
/// so every span (a step's name, each `after` name, each action, each
/// read) points at real text in a real `SourceFile`, and diagnostics and
/// locations in rendered output can be checked as a user would see them.
struct PlanSketch {
    var hosts: [String]
    var steps: [StepSketch]
    var path = "site.tern"

    init(hosts: [String], _ steps: [StepSketch]) {
        self.hosts = hosts
        self.steps = steps
    }

    /// The source text and the builder input made from it.
    func input() -> (file: SourceFile, hosts: [PlanHost], steps: [StepDecl], nodes: [NodeSpec]) {
        // Lay out the text first, remembering byte ranges; spans need the file.
        struct Layout {
            var name: Range<Int>
            var after: [Range<Int>]
            var actions: [Range<Int>]
            var reads: [Range<Int>]
        }
        var text = ""
        var layouts: [Layout] = []
        func add(_ s: String) -> Range<Int> {
            let start = text.utf8.count
            text += s
            return start..<text.utf8.count
        }
        for step in steps {
            _ = add("step ")
            let name = add(step.name)
            _ = add(" on " + step.on.joined(separator: ", "))
            var after: [Range<Int>] = []
            for (i, a) in step.after.enumerated() {
                _ = add(i == 0 ? " after " : ", ")
                after.append(add(a))
            }
            _ = add(" {\n")
            var actions: [Range<Int>] = []
            for a in step.actions {
                _ = add("  ")
                actions.append(add(a.label))
                _ = add("\n")
            }
            var reads: [Range<Int>] = []
            for r in step.reads {
                _ = add("  ")
                reads.append(add("read(\(r.ref))"))
                _ = add("\n")
            }
            _ = add("}\n")
            layouts.append(Layout(name: name, after: after, actions: actions, reads: reads))
        }

        let file = SourceFile(path: path, text: text)
        func span(_ r: Range<Int>) -> SourceSpan { SourceSpan(file: file, start: r.lowerBound, end: r.upperBound) }

        let planHosts = hosts.enumerated().map { i, h in
            PlanHost(name: h, address: "127.0.0.\(i + 2)", port: 22, user: "root")
        }
        var decls: [StepDecl] = []
        var nodes: [NodeSpec] = []
        for (step, layout) in zip(steps, layouts) {
            decls.append(
                StepDecl(
                    name: step.name, span: span(layout.name), targets: step.on, after: step.after,
                    afterSpans: layout.after.map(span), options: step.options))
            let actions = zip(step.actions, layout.actions).map { a, r in
                Action(kind: a.kind, label: a.label, span: span(r), lock: a.lock, notify: a.notify)
            }
            for host in step.on {
                let deps = zip(step.reads, layout.reads).compactMap { read, r -> DataDependency? in
                    guard read.on?.contains(host) ?? true else { return nil }
                    return DataDependency(node: read.ref, span: span(r))
                }
                nodes.append(
                    NodeSpec(
                        ref: NodeRef(step: step.name, host: host), actions: actions,
                        condition: step.conditions[host] ?? .always, dataDependencies: deps))
            }
        }
        return (file, planHosts, decls, nodes)
    }

    /// The graph (nil when the builder reported an error) and every diagnostic.
    func build() -> (graph: StepGraph?, diagnostics: [Diagnostic]) {
        let i = input()
        var builder = GraphBuilder(hosts: i.hosts, steps: i.steps, nodes: i.nodes)
        let graph = builder.build()
        return (graph, builder.diagnostics.diagnostics)
    }

    /// The graph, or a recorded test failure listing the diagnostics.
    func graph(sourceLocation: Testing.SourceLocation = #_sourceLocation) -> StepGraph? {
        let (graph, diagnostics) = build()
        if graph == nil {
            Issue.record(
                "expected a graph, got:\n\(DiagnosticRenderer().render(diagnostics))",
                sourceLocation: sourceLocation)
        }
        return graph
    }
}

extension StepGraph {
    /// `"step@host"` of every node this node waits for.
    func dependencyNames(of ref: String) -> [String] {
        guard let i = nodes.firstIndex(where: { $0.ref.description == ref }) else { return ["<no node \(ref)>"] }
        return dependencies(of: i).map { nodes[$0].ref.description }
    }

    /// `"step@host"` of the instance-level dependencies of a node.
    func extraDependencyNames(of ref: String) -> [String] {
        guard let i = nodes.firstIndex(where: { $0.ref.description == ref }) else { return ["<no node \(ref)>"] }
        return nodes[i].extraDependencies.map { nodes[$0].ref.description }
    }

    var stepOrderNames: [String] { stepOrder.map { steps[$0].name } }
}
