import ArgumentParser
import Foundation
import TernLang
import TernSource

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate playbooks without contacting any host.",
        discussion: """
            Parses and evaluates each playbook with its modules and inventory, builds
            its step graph, and prints every error and warning with its source line.

            Examples:
              tern check playbooks/glusterfs.tern
              tern check -i inventory/lab.tern -p replica=2 playbooks/*.tern
            """
    )

    @OptionGroup var options: EvaluationOptions

    @Argument(help: "Playbook files.") var playbooks: [String]

    func run() throws {
        var failed = false
        for path in playbooks {
            let result = Planner.plan(path: path, options: try options.planOptions(requireSecrets: false))
            options.report(result, path: path)
            if let graph = result.graph, result.errorCount == 0 {
                let warnings = result.warningCount == 0 ? "" : ", \(result.warningCount) warning\(result.warningCount == 1 ? "" : "s")"
                printLine("\(path): ok — \(graph.steps.count) step\(graph.steps.count == 1 ? "" : "s"), \(graph.nodes.count) node\(graph.nodes.count == 1 ? "" : "s") on \(graph.hosts.count) host\(graph.hosts.count == 1 ? "" : "s")\(warnings)")
            } else {
                failed = true
                let summary = DiagnosticRenderer.summary(errors: result.errorCount, warnings: result.warningCount) ?? "invalid"
                FileHandle.standardError.write(Data("\(path): \(summary)\n".utf8))
            }
        }
        if failed { throw ExitCode(ExitStatus.invalidPlaybook) }
    }
}

/// Writes a line to standard output at once, so it keeps its place among
/// the diagnostics written to standard error.
func printLine(_ s: String) {
    FileHandle.standardOutput.write(Data((s + "\n").utf8))
}
