import Foundation
import TernLang
import TernSource
import Testing

/// Rendered errors, exactly: each `Golden/errors/NAME.tern` is planned and
/// its diagnostics, rendered without colour, must equal `NAME.expected`.
/// A case may use files of its own folder (`Golden/errors/NAME/`) for
/// modules and inventories; `-p` values come from a first line
/// `# params: NAME=VALUE ...`.
@Suite struct DiagnosticGoldenTests {
    static var cases: [String] { GoldenFiles.inputs("errors") }

    @Test(arguments: cases)
    func rendersDiagnostics(_ name: String) throws {
        let dir = GoldenFiles.root.appendingPathComponent("errors").path
        let text = try #require(GoldenFiles.read(GoldenFiles.path("errors", name)))
        var options = PlanOptions()
        options.stdlibPath = GoldenFiles.repository.appendingPathComponent("stdlib").path
        options.environment = ["TERN_TEST_VAR": "value"]
        options.baseDirectory = dir
        if let first = text.split(separator: "\n").first, first.hasPrefix("# params:") {
            for pair in first.dropFirst("# params:".count).split(separator: " ") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                options.params.append((kv[0], kv.count > 1 ? kv[1] : ""))
            }
        }
        // Paths print relative to the golden folder: `NAME.tern:3:7`.
        let result = Planner.plan(path: dir + "/" + name, options: options)
        #expect(result.errorCount > 0 || result.warningCount > 0, "\(name) should produce a diagnostic")
        // A path that escapes the golden folder (the stdlib, or a message
        // that prints an absolute path) would tie the expected file to this
        // checkout: the repository's own path prints as `$REPO`.
        let rendered = DiagnosticRenderer().render(result.diagnostics)
            .replacingOccurrences(of: GoldenFiles.repository.path, with: "$REPO")
        GoldenFiles.check(rendered, against: GoldenFiles.path("errors", String(name.dropLast(5)) + ".expected"))
    }

    @Test func atLeastFiftyErrorCases() {
        #expect(Self.cases.count >= 50)
    }
}

