import ArgumentParser
import Foundation
import Synchronization
import TernEngine
import TernLang
import TernPlan
import TernSSH
import TernSource

/// `tern repl`: the language live, on real hosts, with the same evaluator,
/// engine and SSH layer as playbooks.
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Explore hosts and build playbooks interactively.",
        discussion: """
            Input is Tern: an expression prints its value and type; let, use,
            recipe, fn, step, handler, host and group define; a construct left
            open continues on the next line. `on TARGETS ACTION` runs an action
            now on those hosts, with the same check / apply / verify as a
            playbook (`:mode plan` only checks). `:help` lists the commands.

            Examples:
              tern repl --lab
              tern repl -i inventory.tern playbooks/glusterfs.tern
              echo 'on lab run "uptime"' | tern repl --lab
            """
    )

    @OptionGroup var evaluation: EvaluationOptions
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "How many hosts at once.") var forks = 256
    @Argument(help: "A playbook whose definitions the session starts with.") var playbook: String?

    func run() async throws {
        var options = try evaluation.planOptions(requireSecrets: true)
        options.inventoryPaths = connection.inventoryPaths(evaluation.inventory)
        let session: ReplSession
        do {
            session = try ReplSession(playbook: playbook, options: options)
        } catch {
            throw ValidationError("\(error)")
        }
        let renderer = evaluation.renderer
        let startDiagnostics = session.start()
        if !startDiagnostics.isEmpty { FileHandle.standardError.write(Data((renderer.render(startDiagnostics) + "\n").utf8)) }

        let interactive = isatty(0) == 1
        let transport = SSHTransport(passphrasePrompt: ConnectionOptions.terminalPassphrasePrompt, settings: try connection.settings())
        let lines = LineSource(interactive: interactive, completions: { session.completions(prefix: $0) + ReplCommand.docCompletions($0) })
        if interactive {
            printLine("tern repl — :help for commands, Ctrl-D to leave")
        }
        var pending = ""
        while let line = lines.read(prompt: pending.isEmpty ? "tern> " : "  ... ") {
            if lines.interrupted {
                // Ctrl-C: drop the construct being typed.
                pending = ""
                continue
            }
            pending += (pending.isEmpty ? "" : "\n") + line
            guard session.isComplete(pending) else { continue }
            let input = pending
            pending = ""
            lines.remember(input)
            if input.hasPrefix(":doc") {
                doc(input)
                continue
            }
            if input.hasPrefix(":facts") {
                await facts(String(input.dropFirst(6)).trimmingCharacters(in: .whitespaces), session: session, transport: transport)
                continue
            }
            switch session.submit(input) {
            case .text(let t):
                if !t.isEmpty { printLine(t) }
            case .diagnostics(let ds):
                FileHandle.standardError.write(Data((renderer.render(ds) + "\n").utf8))
            case .quit:
                await transport.shutdown()
                lines.close()
                return
            case .run(let r):
                await execute(r, session: session, transport: transport, color: renderer.color)
            }
        }
        // End of input inside an open construct: say what is missing.
        if !pending.isEmpty, case .diagnostics(let ds) = session.submit(pending) {
            FileHandle.standardError.write(Data((renderer.render(ds) + "\n").utf8))
        }
        await transport.shutdown()
        lines.close()
    }

    /// Runs what an `on` input or `:plan`/`:apply` asked for and prints a
    /// block per node: status, time, the last command's output.
    func execute(_ r: ReplRun, session: ReplSession, transport: SSHTransport, color: Bool) async {
        var o = EngineOptions(mode: r.mode == .plan || (r.mode == .session && session.planOnly) ? .plan : .apply)
        o.forks = forks
        if let s = r.selection {
            o.selection = s
        } else {
            do {
                o.selection = try Selection.steps(r.steps, in: r.graph)
            } catch {
                printLine(error.description)
                return
            }
        }
        let control = RunControl()
        let secrets = SecretBook(r.secrets)
        // Ctrl-C stops what runs, not the REPL.
        let interrupt = Interrupts(
            control: control, exitOnSecond: false, message: "interrupting: no new steps start; waiting for running commands")
        let report = await Engine(graph: r.graph, transport: transport, options: o, secrets: secrets, control: control).run()
        interrupt.stop()
        let palette = Palette(color: color)
        var lines: [String] = []
        for case let n? in report.nodes {
            var head = "\(n.ref.host) | " + palette.status(n.status).trimmingCharacters(in: .whitespaces) + " | \(seconds(n.durationMillis))"
            if r.steps.count > 1 || r.selection == nil { head = "\(n.ref.step) @ " + head }
            if let reason = n.status.reason { head += " | " + reason }
            lines.append(head)
            let last = n.actions.last { !$0.commands.isEmpty }?.commands.last { $0.role == .apply || $0.role == .check }
            if let out = last?.stdout, !out.isEmpty { lines.append(out.hasSuffix("\n") ? String(out.dropLast()) : out) }
            if n.status.isFailure, let err = last?.stderr, !err.isEmpty {
                lines.append(contentsOf: err.split(separator: "\n").suffix(8).map { "stderr: " + $0 })
            }
            for a in n.actions where a.diff != nil { lines.append(a.diff!.hasSuffix("\n") ? String(a.diff!.dropLast()) : a.diff!) }
        }
        if report.interrupted { lines.append("interrupted") }
        FileHandle.standardOutput.write(Data(secrets.redact(lines.joined(separator: "\n") + "\n").utf8))
        session.finished(r, failed: report.hasFailures || report.interrupted || o.mode == .plan)
    }

    /// `:facts HOSTS`: the facts playbooks see as `host.facts.*`, gathered
    /// with the engine's one command per host.
    func facts(_ expression: String, session: ReplSession, transport: SSHTransport) async {
        guard !expression.isEmpty else {
            printLine("write :facts HOSTS, e.g. :facts lab")
            return
        }
        switch session.hosts(expression) {
        case .failure(let e):
            printLine(e.description)
        case .success(let hosts):
            let outcomes = await AdHoc.run(CommandRequest(FactScript.command), on: hosts, transport: transport, limit: forks)
            for (h, o) in zip(hosts, outcomes) {
                switch o {
                case .finished(let r) where r.succeeded:
                    let f = FactScript.parse(r.stdoutText)
                    printLine(h.name + "\n" + f.keys.sorted().map { "  \($0) = \(f[$0] ?? "")" }.joined(separator: "\n"))
                case .finished(let r):
                    printLine("\(h.name) | failed | status \(r.exitStatus)")
                case .error(let e):
                    printLine("\(h.name) | \(e.isUnreachable ? "unreachable" : "failed") | \(e)")
                }
            }
        }
    }

    /// `:doc [MODULE[.NAME]]` through `tern doc`'s own pages.
    func doc(_ input: String) {
        let arg = input.dropFirst(4).trimmingCharacters(in: .whitespaces)
        var args = arg.isEmpty ? [] : [arg]
        if let stdlib = evaluation.stdlib { args += ["--stdlib", stdlib] }
        do {
            let command = try DocCommand.parse(args)
            try command.validate()
            try command.run()
        } catch {
            printLine(DocCommand.message(for: error))
        }
    }
}

extension ReplCommand {
    static func docCompletions(_ prefix: String) -> [String] {
        ":doc".hasPrefix(prefix) && !prefix.isEmpty ? [":doc"] : []
    }
}
