import Foundation
import TernLang
import TernPlan
import TernSource
import Testing

/// Playbooks to step graphs, as canonical text: each `Golden/graphs/NAME.tern`
/// plans without errors into the graph printed in `NAME.graph`; its DOT
/// rendering is accepted by Graphviz and its JSON by a JSON parser.
@Suite struct GraphGoldenTests {
    static func plan(_ name: String) throws -> StepGraph {
        var options = PlanOptions()
        options.stdlibPath = GoldenFiles.repository.appendingPathComponent("stdlib").path
        options.baseDirectory = GoldenFiles.root.appendingPathComponent("graphs").path
        options.environment = ["ADMIN_KEY": "very-secret-admin-key"]
        options.requireSecrets = true
        let result = Planner.plan(path: GoldenFiles.path("graphs", name), options: options)
        #expect(result.errorCount == 0, "\(DiagnosticRenderer().render(result.diagnostics))")
        return try #require(result.graph)
    }

    @Test(arguments: GoldenFiles.inputs("graphs"))
    func textGraph(_ name: String) throws {
        let graph = try Self.plan(name)
        let text = GraphRenderer.render(graph, as: .text)
        #expect(!text.contains("very-secret-admin-key"))
        GoldenFiles.check(text, against: GoldenFiles.path("graphs", String(name.dropLast(5)) + ".graph"))
    }

    @Test(arguments: GoldenFiles.inputs("graphs"))
    func dotRendersWithGraphviz(_ name: String) throws {
        let dot = GraphRenderer.render(try Self.plan(name), as: .dot)
        let (status, output) = try run("/usr/bin/dot", ["-Tsvg"], input: dot)
        #expect(status == 0, "dot failed: \(output)")
        #expect(output.contains("<svg"))
    }

    @Test(arguments: GoldenFiles.inputs("graphs"))
    func jsonParses(_ name: String) throws {
        let graph = try Self.plan(name)
        let json = GraphRenderer.render(graph, as: .json)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let nodes = try #require(object?["nodes"] as? [[String: Any]])
        #expect(nodes.count == graph.nodes.count)
        #expect(!json.contains("very-secret-admin-key"))
    }

    @Test func goldenFolderIsNotEmpty() {
        #expect(GoldenFiles.inputs("graphs").count >= 5)
    }

    /// Runs a real process with `input` on standard input; returns its exit
    /// status and standard output. A missing program fails the test.
    func run(_ program: String, _ arguments: [String], input: String) throws -> (Int32, String) {
        guard FileManager.default.isExecutableFile(atPath: program) else {
            Issue.record("\(program) is not installed; scripts/setup installs it")
            return (-1, "")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tern-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in"), outURL = dir.appendingPathComponent("out")
        try Data(input.utf8).write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        p.standardInput = try FileHandle(forReadingFrom: inURL)
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: outURL)
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: try Data(contentsOf: outURL), as: UTF8.self))
    }
}
