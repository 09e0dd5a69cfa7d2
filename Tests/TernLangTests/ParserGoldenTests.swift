import Foundation
import TernLang
import TernSource
import Testing

/// The parser's specification: each `Golden/parse/NAME.tern` parses without
/// errors into the tree printed in `NAME.ast`.
@Suite struct ParserGoldenTests {
    @Test(arguments: GoldenFiles.inputs("parse"))
    func parses(_ name: String) throws {
        let path = GoldenFiles.path("parse", name)
        let text = try #require(GoldenFiles.read(path))
        let (syntax, diagnostics) = Parser.parse(SourceFile(path: "parse/" + name, text: text))
        #expect(diagnostics.isEmpty, "\(DiagnosticRenderer().render(diagnostics))")
        GoldenFiles.check(ASTPrinter.print(syntax), against: String(path.dropLast(5)) + ".ast")
    }

    @Test func goldenFolderIsNotEmpty() {
        #expect(GoldenFiles.inputs("parse").count >= 10)
    }
}
