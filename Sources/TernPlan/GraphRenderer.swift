import TernSource
/// The ways a step graph can be shown: `tern graph --format ...`.
public enum GraphFormat: String, CaseIterable, Sendable {
    /// Canonical, deterministic text for people and golden tests.
    case text
    /// Graphviz; `dot -Tsvg` draws it.
    case dot
    /// A Mermaid flowchart, for Markdown pages that render it.
    case mermaid
    /// One JSON document with fixed key order, for other tools.
    case json
}

/// Renders a `StepGraph` in every `GraphFormat`.
///
/// All formats share three rules, kept here so that they cannot drift apart:
///
/// - **Order.** Steps appear in `StepGraph.stepOrder` (topological, ties by
///   declaration order) and the nodes of a step in target order, so the same
///   plan always renders to the same bytes.
/// - **Secrets.** Commands are shown through `Template.shellCommand(redacted:)`
///   and file bodies only by size, so a `.secret` segment becomes `***`. As a
///   second line of defence, every free-text field that reaches the output
///   (labels, commands, paths, conditions) is scrubbed of the graph's secret
///   values, in case one also reached the plan through an unmarked path.
/// - **Size.** Output is built by appending to one string, with no per-node
///   work that grows with the graph, so 100 hosts × 1000 steps renders in a
///   fraction of a second.
///
/// The formats themselves live in `GraphRenderer+Text.swift`, `+DOT`,
/// `+Mermaid` and `+JSON`.
public enum GraphRenderer {
    public static func render(_ g: StepGraph, as format: GraphFormat) -> String {
        let context = Context(g)
        switch format {
        case .text: return renderText(context)
        case .dot: return renderDOT(context)
        case .mermaid: return renderMermaid(context)
        case .json: return renderJSON(context)
        }
    }

    /// Writes the graph piece by piece to `sink`: the text format streams a
    /// step at a time; the others are rendered whole first.
    public static func write(_ g: StepGraph, as format: GraphFormat, to sink: (String) -> Void) {
        if format == .text {
            writeText(Context(g), to: sink)
        } else {
            sink(render(g, as: format))
        }
    }

    /// What every format needs, computed once per render.
    struct Context {
        let graph: StepGraph
        /// Every step exactly once, in rendering order.
        let order: [Int]
        let scrubber: SecretScrubber

        init(_ graph: StepGraph) {
            self.graph = graph
            // `stepOrder` covers every step of a graph the builder accepted
            // (it has no cycle); the fallback keeps a step visible anyway.
            var order = graph.stepOrder
            if order.count < graph.steps.count {
                var seen = Set(order)
                for s in graph.steps.indices where seen.insert(s).inserted { order.append(s) }
            }
            self.order = order
            self.scrubber = SecretScrubber(graph)
        }

        /// `check` (nil when there is none) and `apply` of a command action,
        /// as display text with secrets redacted.
        func commands(_ check: Template?, _ apply: Template) -> (check: String?, apply: String) {
            (check.map { scrubber.scrub($0.shellCommand(redacted: true)) },
             scrubber.scrub(apply.shellCommand(redacted: true)))
        }

        /// A deferred condition as the user would read it: `${expr}`.
        func conditionText(_ e: RuntimeExpr) -> String {
            scrubber.scrub("${" + e.description + "}")
        }
    }

    /// `1500ms`, `5s`, `2m`: the shortest exact spelling of a duration.
    static func duration(millis: Int) -> String {
        if millis != 0, millis % 60_000 == 0 { return "\(millis / 60_000)m" }
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        return "\(millis)ms"
    }

    /// The non-default options of a step as `key=value` words, in a fixed order.
    static func optionWords(_ o: StepOptions) -> [String] {
        var words: [String] = []
        if o.retries != 0 { words.append("retries=\(o.retries)") }
        if o.delayMillis != 0 { words.append("delay=\(duration(millis: o.delayMillis))") }
        if let t = o.timeoutMillis { words.append("timeout=\(duration(millis: t))") }
        if let b = o.become { words.append("become=\(b)") }
        if o.once { words.append("once") }
        if let s = o.serial { words.append("serial=\(s)") }
        if o.handler { words.append("handler") }
        return words
    }

    /// Removes every secret value of a graph from free text.
    ///
    /// Secret values are gathered once from every template and deferred
    /// expression in the graph (segments marked `.secret`, secret deferred
    /// values, `PlanValue.secret` constants). When a graph holds none, which
    /// is the common case, `scrub` returns its argument untouched at no cost.
    struct SecretScrubber {
        private let redactor: Redactor

        init(_ graph: StepGraph) {
            var found = Set<String>()
            func visit(_ t: Template) {
                for segment in t.segments {
                    switch segment {
                    case .secret(let s): found.insert(s)
                    case .deferred(let e, _): visit(e)
                    case .text, .raw, .word: break
                    }
                }
            }
            func visit(_ e: RuntimeExpr) {
                switch e {
                case .value(let v): visit(v)
                case .output(_, let command, _): visit(command)
                case .call(_, let args): args.forEach(visit)
                case .readFile, .fact, .stepOutput: break
                }
            }
            func visit(_ v: PlanValue) {
                switch v {
                case .secret(let s): found.insert(s)
                case .list(let xs): xs.forEach(visit)
                case .map(let es): es.forEach { visit($0.value) }
                case .null, .bool, .int, .string: break
                }
            }
            // A plain walk: cheaper than hashing actions to skip repeats.
            for node in graph.nodes {
                if case .deferred(let e) = node.condition { visit(e) }
                for action in node.actions {
                    switch action.kind {
                    case .command(let check, let apply):
                        if let check { visit(check) }
                        visit(apply)
                    case .file(let f): visit(f.content)
                    }
                }
            }
            // Secret segments are always masked where they stand; this
            // second, textual pass catches text that quotes a secret.
            redactor = Redactor(secrets: found)
        }

        func scrub(_ s: String) -> String { redactor.redact(s) }
    }
}
