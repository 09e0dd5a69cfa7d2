import ArgumentParser
import Foundation
import TernEngine
import TernLang
import TernPlan
import TernSSH
import TernSource

/// `tern plan`: connect, run every check, change nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `tern apply` would change: checks only, never an apply.",
        discussion: """
            Connects to every host of the playbook and runs each action's check.
            Prints the nodes that would change, with unified diffs of file contents
            (secrets masked); nodes that read a value known only after an apply
            upstream are shown as "may change".

            Examples:
              tern plan --lab playbooks/glusterfs.tern
              tern plan -i inventory.tern --limit lab2 --step volume playbooks/glusterfs.tern

            Exit status: 0 when there is nothing to do, 3 when changes are pending,
            2 when a check could not run, 4 when a host could not be reached,
            65 for an invalid playbook, 64 for a wrong command line, 130 when interrupted.
            """
    )

    @OptionGroup var evaluation: EvaluationOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var run: RunOptions
    @Argument(help: "The playbook.") var playbook: String

    func run() async throws {
        try await EngineRun(mode: .plan, evaluation: evaluation, connection: connection, run: run, playbook: playbook, rerunFailed: false, failFast: false).execute()
    }
}

/// `tern apply`: make it so.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Run a playbook: check every action, apply what is not yet so, check again.",
        discussion: """
            Nodes (a step on a host) start as soon as what they depend on is done,
            over one SSH session per host. An action whose check passes is "ok"; one
            whose check fails is applied and checked again: "changed", or "failed:
            did not converge". A failed node skips its dependents and nothing else.
            Every run writes a log folder (--log-dir) with each node's commands and
            output and a summary that --rerun-failed reads.

            Examples:
              tern apply --lab playbooks/glusterfs.tern
              tern apply -i inventory.tern -p volume_size=50 playbooks/glusterfs-heketi.tern
              tern apply --lab --rerun-failed playbooks/glusterfs.tern
              tern apply --lab --json playbooks/glusterfs.tern | jq -c 'select(.event=="node_finished")'

            Exit status: 0 on success, 2 when a node failed, 4 when a host could not be
            reached, 65 for an invalid playbook, 64 for a wrong command line,
            130 when interrupted (Ctrl-C).
            """
    )

    @OptionGroup var evaluation: EvaluationOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var run: RunOptions
    @Flag(help: "Stop starting nodes after the first failure.") var failFast = false
    @Flag(help: "Run only what failed, was skipped or was cancelled in the last run (from --log-dir), with its dependents.")
    var rerunFailed = false
    @Argument(help: "The playbook.") var playbook: String

    func run() async throws {
        try await EngineRun(mode: .apply, evaluation: evaluation, connection: connection, run: run, playbook: playbook, rerunFailed: rerunFailed, failFast: failFast).execute()
    }
}

/// Options shared by plan and apply.
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only these hosts: names or patterns (lab*), comma-separated. Repeatable.", valueName: "hosts"))
    var limit: [String] = []
    @Option(help: ArgumentHelp("Only these steps (with the steps they depend on), comma-separated. Repeatable.", valueName: "names"))
    var step: [String] = []
    @Option(help: "How many hosts at once.") var forks = 256
    @Flag(help: "Stream JSON Lines events on standard output instead of text.") var json = false
    @Flag(help: "Show file diffs for changes in apply (plan always shows them).") var diff = false
    @Option(help: ArgumentHelp("Where run logs go (default: .tern/runs).", valueName: "dir")) var logDir = ".tern/runs"
    @Flag(help: ArgumentHelp("Send every check as its own command (for comparison).", visibility: .hidden)) var noBatch = false

    func validate() throws {
        guard forks > 0 else { throw ValidationError("--forks must be at least 1") }
    }
}

/// Exit statuses of plan and apply.
enum RunExit {
    static let failed: Int32 = 2
    static let changesPending: Int32 = 3
    static let unreachable: Int32 = 4
    static let interrupted: Int32 = 130
}

struct EngineRun {
    let mode: EngineMode
    let evaluation: EvaluationOptions
    let connection: ConnectionOptions
    let run: RunOptions
    let playbook: String
    let rerunFailed: Bool
    let failFast: Bool

    func execute() async throws {
        var options = try evaluation.planOptions(requireSecrets: true)
        options.inventoryPaths = connection.inventoryPaths(evaluation.inventory)
        let result = Planner.plan(path: playbook, options: options)
        evaluation.report(result, path: playbook)
        guard let graph = result.graph, result.errorCount == 0 else { throw ExitCode(ExitStatus.invalidPlaybook) }

        let selection = try select(graph)
        let secrets = SecretBook(result.secrets)
        let out = Out(secrets: secrets)
        let env = ProcessInfo.processInfo.environment
        let color = evaluation.color || (isatty(1) == 1 && env["NO_COLOR"] == nil && env["TERM"] != "dumb")
        let text = RunText(mode: mode, palette: Palette(color: color), showDiffs: run.diff)
        let printer: any RunPrinter
        if run.json {
            printer = JSONPrinter(out: out, mode: mode)
        } else if isatty(1) == 1, env["TERM"] != "dumb" {
            printer = LivePrinter(text: text, out: out)
        } else {
            printer = PlainPrinter(text: text, out: out)
        }

        let log: RunLog?
        do {
            log = try RunLog(base: run.logDir, mode: mode)
        } catch {
            throw ValidationError("--log-dir: cannot create a run log under \(run.logDir): \(error.localizedDescription)")
        }

        var engineOptions = EngineOptions(mode: mode)
        engineOptions.forks = run.forks
        engineOptions.failFast = failFast
        engineOptions.batchChecks = !run.noBatch
        engineOptions.applyDiffs = run.diff
        engineOptions.selection = selection
        let control = RunControl()
        let interrupts = Interrupts(
            control: control, exitOnSecond: true,
            message: "tern: interrupted: no new steps start; waiting for running commands (Ctrl-C again to exit now)")
        let transport = SSHTransport(passphrasePrompt: ConnectionOptions.terminalPassphrasePrompt, settings: try connection.settings())
        let engine = Engine(graph: graph, transport: transport, options: engineOptions, secrets: secrets, control: control) { event in
            printer.event(event)
            if case .nodeFinished(let r) = event { log?.write(r) }
        }
        printer.started(playbook: playbook, graph: graph, nodes: selection?.count ?? graph.nodes.count, logDirectory: log?.directory)
        let report = await engine.run()
        await transport.shutdown()
        interrupts.stop()

        let status = exitStatus(report, control: control)
        if let log {
            do {
                try log.finish(report, hosts: graph.hosts, playbook: playbook)
            } catch {
                FileHandle.standardError.write(Data("tern: could not write the run summary in \(log.directory): \(error.localizedDescription)\n".utf8))
            }
        }
        printer.finished(report, graph: graph, logDirectory: log?.directory, exitStatus: status)
        if status != 0 { throw ExitCode(status) }
    }

    func exitStatus(_ report: RunReport, control: RunControl) -> Int32 {
        if report.interrupted, control.interruptedByUser { return RunExit.interrupted }
        if report.nodes.contains(where: { if case .failed? = $0?.status { true } else { false } }) { return RunExit.failed }
        if report.hasUnreachable { return RunExit.unreachable }
        if report.interrupted { return RunExit.failed }
        if mode == .plan, report.hasChanges { return RunExit.changesPending }
        return 0
    }

    func select(_ graph: StepGraph) throws -> Set<Int>? {
        var chosen: Set<Int>?
        func narrow(_ s: Set<Int>) { chosen = chosen.map { $0.intersection(s) } ?? s }
        do {
            if !run.limit.isEmpty { narrow(try Selection.hosts(run.limit, in: graph)) }
            if !run.step.isEmpty { narrow(try Selection.steps(run.step, in: graph)) }
        } catch {
            throw ValidationError(error.description)
        }
        if rerunFailed {
            let last: (playbook: String, statuses: [NodeRef: String])
            do {
                last = try RunLog.lastStatuses(base: run.logDir)
            } catch {
                throw ValidationError("--rerun-failed: \(error)")
            }
            let again = Selection.rerun(last: last.statuses, in: graph)
            if again.isEmpty {
                printLine("--rerun-failed: nothing failed, was skipped or was cancelled in the last apply (\(run.logDir)/last-apply): nothing to do")
                throw ExitCode.success
            }
            narrow(again)
        }
        if let chosen, chosen.isEmpty {
            throw ValidationError("--limit and --step together select no node of the playbook")
        }
        return chosen
    }
}
