import ArgumentParser
import Foundation
import TernLang
import TernPlan
import TernSource

extension GraphFormat: ExpressibleByArgument {}

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a playbook's step graph.",
        discussion: """
            Nodes are (step, host) pairs; edges mean "must finish before".

            Examples:
              tern graph playbooks/glusterfs.tern
              tern graph playbooks/glusterfs.tern --format dot | dot -Tsvg > graph.svg
              tern graph playbooks/glusterfs.tern --format mermaid
              tern graph playbooks/glusterfs.tern --format json | jq '.nodes | length'
            """
    )

    @OptionGroup var options: EvaluationOptions

    @Option(help: "Output format: text, dot, mermaid or json.") var format: GraphFormat = .text

    @Argument(help: "The playbook.") var playbook: String

    func run() throws {
        let result = Planner.plan(path: playbook, options: try options.planOptions(requireSecrets: false))
        options.report(result, path: playbook)
        guard let graph = result.graph, result.errorCount == 0 else {
            throw ExitCode(ExitStatus.invalidPlaybook)
        }
        // Buffered writes of up to 64 KiB: big graphs stream out.
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 16)
        GraphRenderer.write(graph, as: format) { piece in
            buffer.append(contentsOf: piece.utf8)
            if buffer.count >= 1 << 16 {
                FileHandle.standardOutput.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(Data(buffer))
    }
}
