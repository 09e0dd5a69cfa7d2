import ArgumentParser
import Foundation
import TernEngine
import TernLang
import TernPlan
import TernSSH
import TernSource

/// `tern run`: one command on many hosts at once, output grouped by host.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command on many hosts in parallel.",
        discussion: """
            TARGETS is a Tern expression over the inventory, as after `on` in a step:
            a group, a host, a list, or set arithmetic such as 'glfs - lab1'.
            The command runs with /bin/sh on every host at once, over one SSH
            session per host; output is printed per host, in inventory order.

            Examples:
              tern run --lab all -- hostname
              tern run -i inventory.tern 'glfs - glfs.first' -- gluster peer status
              tern run --lab lab --become root --timeout 30s -- 'df -h /'

            Exit status: 0 when the command succeeded everywhere, 2 when it failed
            on a host, 4 when a host could not be reached, 64 for a wrong command
            line, 65 for an invalid inventory or target.
            """
    )

    @OptionGroup var evaluation: EvaluationOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Run through sudo -n as this user.", valueName: "user")) var become: String?
    @Option(help: ArgumentHelp("Stop a command after this long, e.g. 30s.", valueName: "duration")) var timeout: String?
    @Option(help: "How many hosts at once.") var forks = 100

    @Argument(help: "The hosts: a Tern expression such as all, glfs or 'glfs - lab1'.") var targets: String
    @Argument(parsing: .remaining, help: "The command (after --).") var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command after --, e.g. tern run all -- uptime") }
        guard forks > 0 else { throw ValidationError("--forks must be at least 1") }
        if let timeout, (DurationText.millis(timeout) ?? 0) <= 0 {
            throw ValidationError("--timeout takes a duration such as 30s, got '\(timeout)'")
        }
    }

    func run() async throws {
        var options = try evaluation.planOptions(requireSecrets: false)
        options.inventoryPaths = connection.inventoryPaths(evaluation.inventory)
        let chosen = Planner.targets(targets, options: options)
        let renderer = evaluation.renderer
        if !chosen.diagnostics.isEmpty {
            FileHandle.standardError.write(Data((renderer.render(chosen.diagnostics) + "\n").utf8))
        }
        guard chosen.diagnostics.allSatisfy({ $0.severity != .error }) else { throw ExitCode(ExitStatus.invalidPlaybook) }

        let transport = SSHTransport(passphrasePrompt: ConnectionOptions.terminalPassphrasePrompt, settings: try connection.settings())
        let text = command.joined(separator: " ")
        let request = CommandRequest(text, become: become, timeoutMillis: timeout.flatMap(DurationText.millis))
        let outcomes = await AdHoc.run(request, on: chosen.hosts, transport: transport, limit: forks)
        await transport.shutdown()

        let style = OutputStyle(palette: Palette(color: renderer.color))
        var counts = (ok: 0, failed: 0, unreachable: 0)
        for (host, outcome) in zip(chosen.hosts, outcomes) {
            printLine(chosen.secrets.redact(style.render(host: host.name, outcome)))
            switch outcome {
            case .finished(let r) where r.succeeded: counts.ok += 1
            case .finished: counts.failed += 1
            case .error(let e) where e.isUnreachable: counts.unreachable += 1
            case .error: counts.failed += 1
            }
        }
        printLine("\(chosen.hosts.count) host\(chosen.hosts.count == 1 ? "" : "s"): \(counts.ok) ok, \(counts.failed) failed, \(counts.unreachable) unreachable")
        if counts.unreachable > 0 { throw ExitCode(4) }
        if counts.failed > 0 { throw ExitCode(2) }
    }
}

/// Runs one request on many hosts with at most `limit` at once.
enum AdHoc {
    enum Outcome: Sendable {
        case finished(CommandResult)
        /// The command could not run or finish (unreachable host, timeout, sudo).
        case error(TransportError)
    }

    static func outcome(of request: CommandRequest, on host: PlanHost, transport: some Transport) async -> Outcome {
        do {
            return .finished(try await transport.exec(request, on: host))
        } catch {
            return .error(error)
        }
    }

    static func run(_ request: CommandRequest, on hosts: [PlanHost], transport: some Transport, limit: Int) async -> [Outcome] {
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var results = [Outcome?](repeating: nil, count: hosts.count)
            var next = 0
            func start(_ i: Int) {
                let host = hosts[i]
                group.addTask { (i, await outcome(of: request, on: host, transport: transport)) }
            }
            while next < min(limit, hosts.count) { start(next); next += 1 }
            while let (i, outcome) = await group.next() {
                results[i] = outcome
                if next < hosts.count { start(next); next += 1 }
            }
            return results.map { $0 ?? .error(.other(host: "?", reason: "not run")) }
        }
    }
}

/// Per-host output of `tern run`: a header line, then stdout, then stderr.
struct OutputStyle {
    let palette: Palette

    func paint(_ s: String, _ code: String) -> String { palette.paint(s, code) }

    func render(host: String, _ outcome: AdHoc.Outcome) -> String {
        switch outcome {
        case .error(let e):
            return "\(paint(host, "1")) | \(paint(e.isUnreachable ? "UNREACHABLE" : "FAILED", "1;31")) | \(e)"
        case .finished(let r):
            let status: String
            if let signal = r.signal {
                status = paint("FAILED", "1;31") + " | signal \(signal)"
            } else if r.exitStatus == 0 {
                status = paint("OK", "1;32") + " | rc=0"
            } else {
                status = paint("FAILED", "1;31") + " | rc=\(r.exitStatus)"
            }
            var out = "\(paint(host, "1")) | \(status) | \(r.durationMillis) ms"
            let stdout = r.stdoutText, stderr = r.stderrText
            if !stdout.isEmpty { out += "\n" + stdout.trimmingTrailingNewline }
            if !stderr.isEmpty {
                out += "\n" + stderr.trimmingTrailingNewline.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { paint("stderr: ", "33") + $0 }.joined(separator: "\n")
            }
            return out
        }
    }
}

extension String {
    var trimmingTrailingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
