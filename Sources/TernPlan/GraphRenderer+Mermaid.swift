/// Mermaid output, for Markdown pages and issue trackers that draw it.
///
/// ```
/// flowchart TD
///   subgraph s0 ["glusterd"]
///     s0_h0["glusterd@lab1"]
///   end
///   s0 --> s2
///   s1_h0 -.-> s2_h1
/// ```
///
/// Mermaid ids must be plain identifiers, and some words (`end`, `graph`)
/// are keywords, so ids are derived from indices — `sN` for step N in
/// declaration order, `sN_hM` for its instance on host M — and names appear
/// only in quoted labels. As in the DOT form, `after` is one edge between
/// subgraphs per step pair, and instance-level dependencies (data, serial
/// batches) are dotted edges between nodes.
extension GraphRenderer {
    static func renderMermaid(_ c: Context) -> String {
        let g = c.graph
        var out = "flowchart TD\n"
        for s in c.order {
            out += "  subgraph s\(s) [\(mermaidQuoted(g.steps[s].name))]\n"
            if g.stepNodes[s].isEmpty {
                out += "    s\(s)_none[\"(no hosts)\"]\n"
            }
            for n in g.stepNodes[s] {
                let node = g.nodes[n]
                var label = node.ref.description
                if case .never = node.condition { label += " (skipped)" }
                out += "    \(mermaidID(node))[\(mermaidQuoted(label))]\n"
            }
            out += "  end\n"
        }
        for s in c.order {
            for t in g.stepAfter[s] { out += "  s\(t) --> s\(s)\n" }
        }
        for s in c.order {
            for n in g.stepNodes[s] {
                let node = g.nodes[n]
                for d in node.extraDependencies { out += "  \(mermaidID(g.nodes[d])) -.-> \(mermaidID(node))\n" }
            }
        }
        return out
    }

    /// Whether `mermaidQuoted` rewrites this byte.
    private static func mermaidNeedsEscape(_ b: UInt8) -> Bool {
        switch b {
        case 0..<0x20, 0x7F, UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "<"), UInt8(ascii: ">"),
            UInt8(ascii: "&"), UInt8(ascii: "`"):
            return true
        default:
            return false
        }
    }

    private static func mermaidID(_ node: StepGraph.Node) -> String { "s\(node.step)_h\(node.host)" }

    /// A double-quoted Mermaid label. Mermaid has no backslash escapes; it
    /// reads `#N;` as the character with decimal code N, so every character
    /// that could end the label or be taken for markup (quotes, `#`, `<`, `>`,
    /// `&`, backticks) is written that way. Line breaks become spaces.
    static func mermaidQuoted(_ s: String) -> String {
        if !s.utf8.contains(where: mermaidNeedsEscape) {
            return "\"" + s + "\""
        }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"", "#", "<", ">", "&", "`": out += "#\(u.value);"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += " "
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
