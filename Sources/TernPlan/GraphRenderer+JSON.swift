/// JSON output, for tools that want the plan as data.
///
/// ```
/// {
///   "hosts": [{name, address, port, user}],
///   "steps": [{name, location, targets, after, options}],
///   "nodes": [{id, step, host, condition, when, depends_on, actions}]
/// }
/// ```
///
/// `depends_on` lists only a node's instance-level dependencies (data
/// references, serial batches) by id; `after` dependencies are stated once
/// per step, as in `StepGraph`, so a 100-host plan does not repeat them
/// 10,000 times. `condition` is `always`, `never` or `deferred`, with the
/// expression in `when`. A command action has `check` (null when it has none)
/// and `apply`; a file action has `path`, `mode`, `owner`, `group`,
/// `content_known` and `content_bytes`. Commands are redacted exactly as in
/// the text form.
///
/// Keys are written in a fixed order by a small streaming writer rather than
/// through a dictionary, so the document is byte-for-byte stable and is never
/// built twice in memory.
extension GraphRenderer {
    static func renderJSON(_ c: Context) -> String {
        let g = c.graph
        var w = JSONWriter()
        w.beginObject()

        w.key("hosts")
        w.beginArray()
        for h in g.hosts {
            w.beginObject()
            w.key("name"); w.string(h.name)
            w.key("address"); w.string(h.address)
            w.key("port"); w.int(h.port)
            w.key("user"); w.string(h.user)
            w.endObject()
        }
        w.endArray()

        w.key("steps")
        w.beginArray()
        for s in c.order {
            let decl = g.steps[s]
            let o = decl.options
            w.beginObject()
            w.key("name"); w.string(decl.name)
            w.key("location"); w.string(decl.span.location.description)
            w.key("targets"); w.strings(decl.targets)
            w.key("after"); w.strings(decl.after)
            w.key("options")
            w.beginObject()
            w.key("retries"); w.int(o.retries)
            w.key("delay_ms"); w.int(o.delayMillis)
            w.key("timeout_ms"); w.int(o.timeoutMillis)
            w.key("become"); w.string(o.become)
            w.key("once"); w.bool(o.once)
            w.key("serial"); w.int(o.serial)
            w.key("handler"); w.bool(o.handler)
            w.endObject()
            w.endObject()
        }
        w.endArray()

        w.key("nodes")
        w.beginArray()
        for s in c.order {
            // As in the text form: the hosts of a step usually share their
            // actions, so their JSON is written once and repeated.
            var previous: (actions: [Action], json: String)?
            for n in g.stepNodes[s] {
                let node = g.nodes[n]
                w.beginObject()
                w.key("id"); w.string(node.ref.description)
                w.key("step"); w.string(node.ref.step)
                w.key("host"); w.string(node.ref.host)
                switch node.condition {
                case .always:
                    w.key("condition"); w.string("always")
                    w.key("when"); w.string(nil)
                case .never:
                    w.key("condition"); w.string("never")
                    w.key("when"); w.string(nil)
                case .deferred(let e):
                    w.key("condition"); w.string("deferred")
                    w.key("when"); w.string(c.conditionText(e))
                }
                w.key("depends_on"); w.strings(node.extraDependencies.map { g.nodes[$0].ref.description })
                w.key("actions")
                if let previous, previous.actions == node.actions {
                    w.rendered(previous.json)
                } else {
                    let json = JSONWriter.fragment(atDepth: w.depth) { w in
                        w.beginArray()
                        for a in node.actions { jsonAction(a, c, &w) }
                        w.endArray()
                    }
                    w.rendered(json)
                    previous = (node.actions, json)
                }
                w.endObject()
            }
        }
        w.endArray()

        w.endObject()
        return w.finish()
    }

    private static func jsonAction(_ a: Action, _ c: Context, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("label"); w.string(c.scrubber.scrub(a.label))
        w.key("location"); w.string(a.span.location.description)
        switch a.kind {
        case .command(let check, let apply):
            let shown = c.commands(check, apply)
            w.key("kind"); w.string("command")
            w.key("check"); w.string(shown.check)
            w.key("apply"); w.string(shown.apply)
        case .file(let f):
            let body = f.content.plainText
            w.key("kind"); w.string("file")
            w.key("path"); w.string(c.scrubber.scrub(f.path))
            w.key("mode"); w.string(f.mode.map(c.scrubber.scrub))
            w.key("owner"); w.string(f.owner.map(c.scrubber.scrub))
            w.key("group"); w.string(f.group.map(c.scrubber.scrub))
            w.key("content_known"); w.bool(body != nil)
            w.key("content_bytes"); w.int(body?.utf8.count)
        }
        w.key("lock"); w.string(a.lock)
        w.key("notify"); w.strings(a.notify)
        w.endObject()
    }

    /// Writes pretty-printed JSON (two-space indent) in the order it is told.
    ///
    /// The only state is whether the current container already has an item
    /// (to place commas) and whether a key is waiting for its value. After
    /// any container closes, its parent has an item by definition, so one
    /// flag serves every level.
    struct JSONWriter {
        private var out = ""
        private(set) var depth = 0
        private var containerHasItems = false
        private var awaitingValue = false
        /// `"\n"` followed by the indentation of each depth, made once.
        private var newlines: [String] = ["\n"]

        init() {}

        /// JSON text for one value written at `depth`, to be passed to
        /// `rendered(_:)` of a writer at that depth after a key.
        static func fragment(atDepth depth: Int, _ body: (inout JSONWriter) -> Void) -> String {
            var w = JSONWriter()
            w.depth = depth
            w.awaitingValue = true
            body(&w)
            return w.out
        }

        /// A value already rendered by `fragment(atDepth:_:)`.
        mutating func rendered(_ json: String) { scalar(json) }

        mutating func beginObject() { open("{") }
        mutating func endObject() { close("}") }
        mutating func beginArray() { open("[") }
        mutating func endArray() { close("]") }

        mutating func key(_ k: String) {
            startItem()
            JSONWriter.appendQuoted(k, to: &out)
            out += ": "
            awaitingValue = true
        }

        mutating func string(_ s: String?) {
            startItem()
            if let s { JSONWriter.appendQuoted(s, to: &out) } else { out += "null" }
        }

        mutating func int(_ i: Int?) { scalar(i.map { String($0) } ?? "null") }
        mutating func bool(_ b: Bool) { scalar(b ? "true" : "false") }

        /// A list of strings on one line: short lists (targets, `after`)
        /// read better that way.
        mutating func strings(_ xs: [String]) {
            startItem()
            out += "["
            for (i, x) in xs.enumerated() {
                if i > 0 { out += ", " }
                JSONWriter.appendQuoted(x, to: &out)
            }
            out += "]"
        }

        mutating func finish() -> String { out + "\n" }

        private mutating func scalar(_ text: String) {
            startItem()
            out += text
        }

        private mutating func open(_ bracket: String) {
            startItem()
            out += bracket
            depth += 1
            containerHasItems = false
        }

        private mutating func close(_ bracket: String) {
            depth -= 1
            if containerHasItems { newline() }
            out += bracket
            containerHasItems = true
        }

        private mutating func startItem() {
            if awaitingValue {
                awaitingValue = false
                return
            }
            if depth > 0 {
                if containerHasItems { out += "," }
                newline()
            }
            containerHasItems = true
        }

        private mutating func newline() {
            while newlines.count <= depth { newlines.append(newlines[newlines.count - 1] + "  ") }
            out += newlines[depth]
        }

        /// Appends a JSON string literal (the data codec's escaping).
        static func appendQuoted(_ s: String, to out: inout String) {
            JSONCodec.appendQuoted(s, to: &out)
        }
    }
}
