/// Graphviz output: `tern graph --format dot | dot -Tsvg > plan.svg`.
///
/// Each step is a cluster (`cluster_N`, N its declaration index, so ids do
/// not move when the order changes) holding one box per instance, named
/// `"step@host"`. An `after` dependency is one solid edge per step pair,
/// drawn from cluster to cluster: Graphviz can only connect nodes, so the
/// edge joins the first node of each cluster and `ltail`/`lhead` (with
/// `compound=true`) clip it at the cluster borders. Drawing it once instead
/// of once per node pair keeps a 100-host plan legible. Data references and
/// serial batches bind single instances, so they are dashed edges between
/// nodes. A step without nodes gets a placeholder box, because an empty
/// cluster is not drawn and an edge needs a node to attach to; its name has
/// no `@`, so it cannot clash with an instance.
extension GraphRenderer {
    static func renderDOT(_ c: Context) -> String {
        let g = c.graph
        var out = "digraph tern {\n"
        out += "  compound=true;\n"
        out += "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        out += "  edge [fontname=\"Helvetica\"];\n"

        for s in c.order {
            let decl = g.steps[s]
            out += "  subgraph cluster_\(s) {\n"
            out += "    label=\(dotQuoted(decl.name));\n"
            if g.stepNodes[s].isEmpty {
                out += "    \(dotQuoted(dotPlaceholder(s))) [label=\"(no hosts)\", style=dotted];\n"
            }
            for n in g.stepNodes[s] {
                let node = g.nodes[n]
                out += "    " + dotQuoted(node.ref.description)
                switch node.condition {
                case .always: break
                case .never: out += " [style=\"rounded,dotted\", fontcolor=gray40]"
                case .deferred: out += " [style=\"rounded,dashed\"]"
                }
                out += ";\n"
            }
            out += "  }\n"
        }

        for s in c.order {
            for t in g.stepAfter[s] {
                out += "  \(dotRepresentative(t, g)) -> \(dotRepresentative(s, g))"
                out += " [ltail=cluster_\(t), lhead=cluster_\(s)];\n"
            }
        }
        for s in c.order {
            for n in g.stepNodes[s] {
                let node = g.nodes[n]
                for d in node.extraDependencies {
                    out += "  \(dotQuoted(g.nodes[d].ref.description)) -> \(dotQuoted(node.ref.description))"
                    out += " [style=dashed];\n"
                }
            }
        }
        out += "}\n"
        return out
    }

    /// The node an edge to or from a step's cluster attaches to.
    private static func dotRepresentative(_ s: Int, _ g: StepGraph) -> String {
        if let first = g.stepNodes[s].first { return dotQuoted(g.nodes[first].ref.description) }
        return dotQuoted(dotPlaceholder(s))
    }

    private static func dotPlaceholder(_ s: Int) -> String { "step \(s) (no hosts)" }

    /// A DOT double-quoted string. Inside one, only `\"` is an escape to the
    /// parser; labels then read `\\` as a backslash and `\n` as a line break,
    /// so backslashes are doubled and line breaks spelled `\n`. Other control
    /// characters have no meaning in a label and become spaces.
    static func dotQuoted(_ s: String) -> String {
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
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
