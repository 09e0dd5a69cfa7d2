/// The canonical text form of a plan: what `tern graph` prints by default
/// and what golden tests compare.
///
/// ```
/// graph: 2 hosts, 3 steps, 5 nodes, 5 edges
///
/// step glusterd  site.tern:1:6  hosts=2
///   glusterd@lab1
///     $ pkg.installed "glusterfs-server"  site.tern:2:3  lock=pkg
///       check: dpkg-query -W glusterfs-server
///       apply: apt-get install -y glusterfs-server
///   ...
///
/// step trust  site.tern:7:6  hosts=2  after=glusterd
///   trust@lab2  waits for heketi_key@lab1
///     when ${lab2.facts.os}
///     > file.content "/etc/heketi/key"  site.tern:8:3
///       path=/etc/heketi/key mode=0600 owner=root
///       content: (known at run time)
/// ```
///
/// One block per step, separated by a blank line. The header carries only
/// what differs from the defaults, as `key=value` words, so that a diff of
/// two plans shows exactly what changed. `$` marks a command action, `>` a
/// file upload. A command without a check says so on its own line, because
/// such an action runs, and reports a change, on every run. Text that spans
/// several lines (a heredoc in a command) keeps its continuation lines
/// indented under the first, so every line still belongs visibly to its node.
extension GraphRenderer {
    static func renderText(_ c: Context) -> String {
        var out = ""
        writeText(c) { out += $0 }
        return out
    }

    /// The text form, a step at a time, so a large graph need not be held
    /// in memory as one string.
    static func writeText(_ c: Context, to sink: (String) -> Void) {
        let g = c.graph
        sink("graph: \(count(g.hosts.count, "host")), \(count(g.steps.count, "step")), "
            + "\(count(g.nodes.count, "node")), \(count(g.edgeCount, "edge"))\n")
        for s in c.order {
            var out = "\n"
            textStep(s, c, into: &out)
            sink(out)
        }
    }

    private static func textStep(_ s: Int, _ c: Context, into out: inout String) {
        let g = c.graph
        let decl = g.steps[s]
        out += "step \(decl.name)  \(decl.span.location)  hosts=\(decl.targets.count)"
        if !decl.after.isEmpty { out += "  after=" + decl.after.joined(separator: ",") }
        let options = optionWords(decl.options)
        if !options.isEmpty { out += "  " + options.joined(separator: " ") }
        out += "\n"

        if g.stepNodes[s].isEmpty { out += "  (no hosts)\n" }
        // The hosts of a step usually share one list of actions; render it
        // once and repeat the text while the next node's list is equal.
        var previous: (actions: [Action], text: String)?
        for n in g.stepNodes[s] {
            let node = g.nodes[n]
            out += "  \(node.ref)"
            if !node.extraDependencies.isEmpty {
                out += "  waits for "
                for (i, d) in node.extraDependencies.enumerated() {
                    if i > 0 { out += ", " }
                    out += g.nodes[d].ref.description
                }
            }
            out += "\n"
            switch node.condition {
            case .always: break
            case .never: out += "    skipped: condition is false\n"
            case .deferred(let e): line("    when ", c.conditionText(e), into: &out)
            }
            if let previous, previous.actions == node.actions {
                out += previous.text
                continue
            }
            var text = ""
            if node.actions.isEmpty { text += "    (no actions)\n" }
            for action in node.actions { textAction(action, c, into: &text) }
            out += text
            previous = (node.actions, text)
        }
    }

    private static func textAction(_ a: Action, _ c: Context, into out: inout String) {
        var head = ""
        switch a.kind {
        case .command: head = "    $ "
        case .file: head = "    > "
        }
        var label = c.scrubber.scrub(a.label) + "  " + a.span.location.description
        if let lock = a.lock { label += "  lock=" + lock }
        if !a.notify.isEmpty { label += "  notify=" + a.notify.joined(separator: ",") }
        line(head, label, into: &out)

        switch a.kind {
        case .command(let check, let apply):
            let shown = c.commands(check, apply)
            if let check = shown.check {
                line("      check: ", check, into: &out)
            } else {
                out += "      (no check: runs every time)\n"
            }
            line("      apply: ", shown.apply, into: &out)
        case .file(let f):
            var words = "path=" + ShellQuote.quote(c.scrubber.scrub(f.path))
            if let mode = f.mode { words += " mode=" + ShellQuote.quote(c.scrubber.scrub(mode)) }
            if let owner = f.owner { words += " owner=" + ShellQuote.quote(c.scrubber.scrub(owner)) }
            if let group = f.group { words += " group=" + ShellQuote.quote(c.scrubber.scrub(group)) }
            line("      ", words, into: &out)
            if f.content.plainText != nil {
                // Secrets show as ***, so the body can be printed; long
                // bodies are cut to their first lines.
                let shown = c.scrubber.scrub(f.content.displayText(redacted: true))
                var lines = shown.split(separator: "\n", omittingEmptySubsequences: false)
                if lines.last == "" { lines.removeLast() }
                out += "      content: \(count(lines.count, "line"))\n"
                for l in lines.prefix(maxContentLines) { out += "        | \(l)\n" }
                if lines.count > maxContentLines { out += "        | … \(lines.count - maxContentLines) more\n" }
            } else {
                out += "      content: (known at run time)\n"
            }
        }
    }

    static let maxContentLines = 12

    /// Appends `prefix + text` and a newline, indenting any further lines of
    /// `text` to the column where it started.
    private static func line(_ prefix: String, _ text: String, into out: inout String) {
        out += prefix
        if !text.utf8.contains(UInt8(ascii: "\n")) {
            out += text
        } else {
            let pad = String(repeating: " ", count: prefix.count)
            for (i, part) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if i > 0 { out += "\n" + pad }
                out += part
            }
        }
        out += "\n"
    }

    private static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}
