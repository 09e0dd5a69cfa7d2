import TernPlan
/// Prints a syntax tree as indented S-expressions: the canonical form the
/// parser's golden tests compare against. Spans are shown as `@line:col`.
public enum ASTPrinter {
    public static func print(_ file: FileSyntax) -> String {
        var out = ""
        if !file.moduleDoc.isEmpty { out += "(module-doc \(file.moduleDoc.map(q).joined(separator: " ")))\n" }
        for d in file.decls { out += decl(d) + "\n" }
        return out
    }

    /// Strings print as Tern literals that read back as the same text.
    static func q(_ s: String) -> String { PlanValueFormat.quoted(s) }

    static func at(_ e: Expr) -> String { "@\(e.span.location.line):\(e.span.location.column)" }

    static func decl(_ d: Decl) -> String {
        let doc = d.doc.isEmpty ? "" : " (doc \(d.doc.map(q).joined(separator: " ")))"
        switch d.kind {
        case .use(let items):
            return "(use" + items.map { " (\($0.isPath ? q($0.module) : $0.module) as \($0.alias.name))" }.joined() + ")"
        case .inventory(let p): return "(inventory \(expr(p)))"
        case .param(let n, let t, let v):
            return "(param \(n.name)\(t.map { " : \($0.name)" } ?? "")\(v.map { " = " + expr($0) } ?? ""))"
        case .secret(let n, let s, let a): return "(secret \(n.name) from \(s.name) \(expr(a)))"
        case .let(let n, let v): return "(let \(n.name) \(expr(v)))"
        case .host(let n, let b): return "(host \(q(n.name))\(b.map { " " + expr($0) } ?? ""))"
        case .group(let n, let b): return "(group \(n.name) \(expr(b)))"
        case .function(let n, let ps, let body, let isRecipe):
            let params = ps.map { p in
                p.name.name + (p.type.map { ": " + $0.name } ?? "") + (p.defaultValue.map { " = " + expr($0) } ?? "")
            }.joined(separator: ", ")
            return "(\(isRecipe ? "recipe" : "fn") \(n.name) (\(params))\(doc)\n" + block(body, 1) + ")"
        case .step(let s):
            var head = "(\(s.isHandler ? "handler" : "step") \(s.name.name) on \(expr(s.targets))"
            if !s.after.isEmpty { head += " after " + s.after.map(\.name).joined(separator: ",") }
            for o in s.options { head += " (\(o.name.name): \(expr(o.value)))" }
            return head + "\n" + block(s.body, 1) + ")"
        case .error: return "(error)"
        }
    }

    static func block(_ stmts: [Stmt], _ level: Int) -> String {
        stmts.map { stmt($0, level) }.joined(separator: "\n")
    }

    static func stmt(_ s: Stmt, _ level: Int) -> String {
        let pad = String(repeating: "  ", count: level)
        switch s.kind {
        case .let(let n, let v): return pad + "(let \(n.name) \(expr(v)))"
        case .expr(let e): return pad + expr(e)
        case .for(let vars, let it, let body):
            return pad + "(for \(vars.map(\.name).joined(separator: ",")) in \(expr(it))\n" + block(body, level + 1) + ")"
        case .if(let c, let t, let e):
            var out = pad + "(if \(expr(c))\n" + block(t, level + 1)
            if let e { out += "\n" + pad + " else\n" + block(e, level + 1) }
            return out + ")"
        case .return(let e): return pad + "(return\(e.map { " " + expr($0) } ?? ""))"
        case .error: return pad + "(error)"
        }
    }

    public static func expr(_ e: Expr) -> String {
        switch e.kind {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .duration(let ms): return "\(ms)ms"
        case .string(let parts):
            if parts.isEmpty { return "\"\"" }
            if parts.count == 1, case .text(let t) = parts[0] { return q(t) }
            return "(str " + parts.map { p in
                switch p {
                case .text(let t): q(t)
                case .code(let c): "${" + expr(c) + "}"
                }
            }.joined(separator: " ") + ")"
        case .name(let n): return n
        case .list(let xs): return "[" + xs.map(expr).joined(separator: " ") + "]"
        case .comprehension(let body, let vars, let it, let cond):
            return "[\(expr(body)) for \(vars.map(\.name).joined(separator: ",")) in \(expr(it))\(cond.map { " if " + expr($0) } ?? "")]"
        case .map(let es): return "{" + es.map { "\($0.key): \(expr($0.value))" }.joined(separator: ", ") + "}"
        case .field(let b, let n): return "(. \(expr(b)) \(n.name))"
        case .index(let b, let k): return "(index \(expr(b)) \(expr(k)))"
        case .call(let f, let args):
            return "(call \(expr(f))" + args.map { a in " " + (a.label.map { $0.name + ": " } ?? "") + expr(a.value) }.joined() + ")"
        case .unary(let op, let x): return "(\(op.rawValue) \(expr(x)))"
        case .binary(let op, let l, let r): return "(\(op.rawValue) \(expr(l)) \(expr(r)))"
        case .conditional(let c, let t, let o): return "(if \(expr(c)) \(expr(t)) \(expr(o)))"
        case .error: return "(error \(at(e)))"
        }
    }
}
