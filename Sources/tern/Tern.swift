import ArgumentParser
import Foundation
import TernLang
import TernPlan
import TernSSH
import TernSource

/// Exit statuses, stable for scripts (sysexits.h where one fits).
enum ExitStatus {
    static let invalidPlaybook: Int32 = 65  // EX_DATAERR
}

@main
struct Tern: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern",
        abstract: "A playbook engine: Tern programs in, a step graph out, run over SSH.",
        discussion: """
            Examples:
              tern check playbooks/glusterfs.tern
              tern graph playbooks/glusterfs.tern --format dot | dot -Tsvg > graph.svg
              sudo tern lab up --hosts 3
              tern run --lab all -- uptime
              tern plan --lab playbooks/lab-basics.tern
              tern apply --lab playbooks/lab-basics.tern
              tern doc gluster.volume
              tern repl --lab

            Exit status: 0 on success, 65 when a playbook is invalid, 64 for a wrong
            command line; `tern run` and `tern apply` add 2 (failed on a host) and 4
            (a host could not be reached), `tern plan` 3 (changes pending), and
            130 when interrupted.
            """,
        subcommands: [Check.self, Graph.self, PlanCommand.self, ApplyCommand.self, Run.self, Lab.self, DocCommand.self, ReplCommand.self]
    )

    static func main() async {
        MallocArenas.limit()
        await main(nil)
    }
}

/// Options of every command that evaluates a playbook.
struct EvaluationOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp(
        "An inventory file (.tern, or Ansible INI/YAML); replaces the playbook's own. Repeatable.",
        valueName: "inventory"))
    var inventory: [String] = []

    @Option(name: .short, help: ArgumentHelp("Set a parameter: -p NAME=VALUE. Repeatable.", valueName: "name=value"))
    var param: [String] = []

    @Option(help: ArgumentHelp("Directory of the standard library (default: found next to tern, or $TERN_STDLIB).", valueName: "dir"))
    var stdlib: String?

    @Flag(help: "Colour the output (default: when writing to a terminal and NO_COLOR is unset).")
    var color = false

    func validate() throws {
        for p in param where p.firstIndex(of: "=").map({ $0 == p.startIndex }) ?? true {
            throw ValidationError("-p takes NAME=VALUE, got '\(p)'")
        }
    }

    func planOptions(requireSecrets: Bool) throws -> PlanOptions {
        var o = PlanOptions()
        o.inventoryPaths = inventory
        o.requireSecrets = requireSecrets
        o.stdlibPath = stdlib ?? StdlibLocator.find()
        for p in param {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw ValidationError("-p takes NAME=VALUE, got '\(p)'")
            }
            o.params.append((String(p[..<eq]), String(p[p.index(after: eq)...])))
        }
        return o
    }

    var renderer: DiagnosticRenderer {
        let env = ProcessInfo.processInfo.environment
        let useColor = color || (isatty(2) == 1 && env["NO_COLOR"] == nil && env["TERM"] != "dumb")
        return DiagnosticRenderer(color: useColor)
    }

    /// Prints diagnostics to standard error with a summary line.
    func report(_ result: PlanResult, path: String) {
        let text = renderer.render(result.diagnostics)
        if !text.isEmpty { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }
}

/// Where the standard library lives: `$TERN_STDLIB`, a `stdlib` folder in an
/// ancestor of the executable's folder (a build tree), or `../share/tern/stdlib`.
enum StdlibLocator {
    static func find() -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["TERN_STDLIB"] { return env }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let share = dir.appendingPathComponent("../share/tern/stdlib").standardized.path
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("stdlib").path
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDir), isDir.boolValue { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        if fm.fileExists(atPath: share) { return share }
        let cwd = fm.currentDirectoryPath + "/stdlib"
        return fm.fileExists(atPath: cwd) ? cwd : nil
    }
}
