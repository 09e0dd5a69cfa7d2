import Foundation
import TernLang
import TernSource
import Testing

@Suite struct RobustnessTests {
    @Test func probe() throws {
        guard let dir = ProcessInfo.processInfo.environment["PROBE_DIR"] else { return }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tern") }.sorted()
        var out = ""
        for n in names {
            let text = String(decoding: FileManager.default.contents(atPath: dir + "/" + n) ?? Data(), as: UTF8.self)
            let file = SourceFile(path: n, text: text)
            let (syntax, diags) = Parser.parse(file)
            out += "=== \(n)\n" + ASTPrinter.print(syntax) + DiagnosticRenderer().render(diags) + "\n"
            for d in syntax.decls {
                out += "decl span: \(file.text(of: d.span).debugDescription)\n"
                func e(_ x: Expr) { out += "  expr \(ASTPrinter.expr(x)) -> \(file.text(of: x.span).debugDescription)\n" }
                func s(_ st: Stmt) {
                    out += "  stmt span: \(file.text(of: st.span).debugDescription)\n"
                    if case .expr(let x) = st.kind { e(x) }
                    if case .let(_, let x) = st.kind { e(x) }
                }
                switch d.kind {
                case .let(_, let x): e(x)
                case .step(let st): st.body.forEach(s)
                case .function(_, _, let body, _): body.forEach(s)
                default: break
                }
            }
        }
        try out.write(toFile: dir + "/out.txt", atomically: true, encoding: .utf8)
    }
}
