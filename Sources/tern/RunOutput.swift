import Foundation
import Synchronization
import TernEngine
import TernPlan

/// Where `tern plan` / `tern apply` report: plain lines, a live terminal
/// view, or JSON Lines. Every byte passes through the run's `SecretBook`
/// on its way out, after the engine has already masked what it knows.
protocol RunPrinter: Sendable {
    func started(playbook: String, graph: StepGraph, nodes: Int, logDirectory: String?)
    func event(_ e: EngineEvent)
    func finished(_ report: RunReport, graph: StepGraph, logDirectory: String?, exitStatus: Int32)
}

/// Colours by status, only when asked for.
struct Palette: Sendable {
    let color: Bool
    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    func status(_ s: NodeStatus) -> String {
        let word = s.word.padding(toLength: 12, withPad: " ", startingAt: 0)
        switch s {
        case .ok, .notNotified: return paint(word, "32")
        case .changed, .wouldChange, .mayChange: return paint(word, "33")
        case .failed: return paint(word, "1;31")
        case .unreachable: return paint(word, "1;35")
        case .skipped, .conditionFalse, .cancelled: return paint(word, "36")
        }
    }
}

/// 0.25 s, 12.5 s: milliseconds as seconds, in plain integer arithmetic.
func seconds(_ ms: Int) -> String {
    let ms = max(0, ms)
    if ms < 10_000 {
        let hundredths = (ms + 5) / 10
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac) s"
    }
    let tenths = (ms + 50) / 100
    return "\(tenths / 10).\(tenths % 10) s"
}

/// Text shared by the plain and the live printers.
struct RunText: Sendable {
    let mode: EngineMode
    let palette: Palette
    let showDiffs: Bool

    /// The first line of a run: `tern apply p.tern: 15 nodes on 3 hosts`.
    func header(playbook: String, nodes: Int, hosts: Int) -> String {
        "tern \(mode.rawValue) \(playbook): \(nodes) node\(nodes == 1 ? "" : "s") on \(hosts) host\(hosts == 1 ? "" : "s")"
    }

    /// The lines for a finished node: a status line, then details for
    /// anything that is not plainly ok.
    func node(_ r: NodeReport, stepWidth: Int, hostWidth: Int) -> [String] {
        var head = palette.status(r.status) + " " + r.ref.step.padding(toLength: stepWidth, withPad: " ", startingAt: 0)
            + "  " + r.ref.host.padding(toLength: hostWidth, withPad: " ", startingAt: 0)
        if r.durationMillis > 0 || r.status == .ok || r.status == .changed { head += "  " + seconds(r.durationMillis) }
        if let reason = r.status.reason { head += "  — " + reason }
        var lines = [head]
        for a in r.actions {
            switch a.status {
            case .ok, .notRun: continue
            case .changed, .wouldChange, .mayChange, .failed:
                var l = "    " + (mode == .plan ? planMark(a.status) : applyMark(a.status)) + " " + a.label
                if let m = a.message, !(r.status.reason ?? "").contains(m) { l += "  — " + m }
                lines.append(l)
                if a.status == .failed, let last = a.commands.last {
                    for s in tail(last.stderr.isEmpty ? last.stdout : last.stderr, 8) { lines.append("        | " + s) }
                }
                if let d = a.diff, showDiffs || mode == .plan {
                    for s in d.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                        lines.append("        " + diffLine(String(s)))
                    }
                }
            }
        }
        return lines
    }

    func planMark(_ s: ActionStatus) -> String {
        switch s {
        case .wouldChange: palette.paint("~", "33")
        case .mayChange: palette.paint("?", "33")
        case .failed: palette.paint("!", "31")
        default: " "
        }
    }

    func applyMark(_ s: ActionStatus) -> String {
        switch s {
        case .changed: palette.paint("~", "33")
        case .failed: palette.paint("!", "31")
        default: " "
        }
    }

    func diffLine(_ s: String) -> String {
        if s.hasPrefix("+") && !s.hasPrefix("+++") { return palette.paint(s, "32") }
        if s.hasPrefix("-") && !s.hasPrefix("---") { return palette.paint(s, "31") }
        if s.hasPrefix("@@") { return palette.paint(s, "36") }
        return s
    }

    func tail(_ text: String, _ n: Int) -> [String] {
        text.split(separator: "\n").suffix(n).map(String.init)
    }

    /// The recap: one line per host, the slowest steps, a summary line.
    func recap(_ report: RunReport, graph: StepGraph, logDirectory: String?) -> [String] {
        let rows = report.recap(hosts: graph.hosts)
        let width = rows.map(\.host.count).max() ?? 0
        var lines = ["", palette.paint("RECAP", "1")]
        var total = HostCounts()
        for (host, c) in rows {
            total += c
            let changedWord = mode == .plan ? "to_change" : "changed"
            var l = host.padding(toLength: width, withPad: " ", startingAt: 0)
                + "  " + palette.paint("ok=\(c.ok)", c.ok > 0 ? "32" : "0")
                + "  " + palette.paint("\(changedWord)=\(c.changed)", c.changed > 0 ? "33" : "0")
                + "  " + palette.paint("failed=\(c.failed)", c.failed > 0 ? "1;31" : "0")
                + "  skipped=\(c.skipped)"
                + "  " + palette.paint("unreachable=\(c.unreachable)", c.unreachable > 0 ? "1;35" : "0")
            if c.cancelled > 0 { l += "  cancelled=\(c.cancelled)" }
            lines.append(l)
        }
        let slow = report.slowestSteps(3).filter { $0.millis > 0 }
        if !slow.isEmpty {
            lines.append("slowest: " + slow.map { "\($0.step) (\(seconds($0.millis)) on \($0.host))" }.joined(separator: ", "))
        }
        var summary = mode == .plan
            ? "plan: \(total.changed) to change, \(total.ok) ok"
            : "apply: \(total.changed) changed, \(total.ok) ok"
        if total.failed > 0 { summary += ", \(total.failed) failed" }
        if total.unreachable > 0 { summary += ", \(total.unreachable) unreachable" }
        if total.skipped > 0 { summary += ", \(total.skipped) skipped" }
        if total.cancelled > 0 { summary += ", \(total.cancelled) cancelled" }
        summary += " in \(seconds(report.durationMillis)), \(report.remoteCommands) remote command\(report.remoteCommands == 1 ? "" : "s")"
        if report.interrupted { summary += " (interrupted)" }
        if mode == .plan, total.changed == 0, total.failed == 0, total.unreachable == 0 { summary += " — nothing to do" }
        lines.append(summary)
        if let logDirectory { lines.append("log: \(logDirectory)") }
        return lines
    }
}

/// Writes text through the redactor, in one write per call.
struct Out: Sendable {
    let secrets: SecretBook
    func write(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        FileHandle.standardOutput.write(Data(secrets.redact(lines.joined(separator: "\n") + "\n").utf8))
    }
}

/// One line per finished node (in plan mode, only nodes with something to
/// say), then the recap. For logs and pipes.
final class PlainPrinter: RunPrinter {
    let text: RunText
    let out: Out
    let widths: Mutex<(step: Int, host: Int)> = Mutex((0, 0))

    init(text: RunText, out: Out) {
        self.text = text
        self.out = out
    }

    func started(playbook: String, graph: StepGraph, nodes: Int, logDirectory: String?) {
        widths.withLock { $0 = (graph.steps.map(\.name.count).max() ?? 0, graph.hosts.map(\.name.count).max() ?? 0) }
        out.write([text.header(playbook: playbook, nodes: nodes, hosts: graph.hosts.count)])
    }

    func event(_ e: EngineEvent) {
        guard case .nodeFinished(let r) = e else { return }
        if r.status == .notNotified || (text.mode == .plan && r.status == .ok) { return }
        let w = widths.withLock { $0 }
        out.write(text.node(r, stepWidth: w.step, hostWidth: w.host))
    }

    func finished(_ report: RunReport, graph: StepGraph, logDirectory: String?, exitStatus: Int32) {
        out.write(text.recap(report, graph: graph, logDirectory: logDirectory))
    }
}

/// JSON Lines on standard output: run_started, node_started, node_finished,
/// run_finished.
final class JSONPrinter: RunPrinter {
    let out: Out
    let mode: EngineMode
    init(out: Out, mode: EngineMode) {
        self.out = out
        self.mode = mode
    }

    func started(playbook: String, graph: StepGraph, nodes: Int, logDirectory: String?) {
        out.write([EventJSON.runStarted(mode: mode, playbook: playbook, hosts: graph.hosts.map(\.name), nodes: nodes, logDirectory: logDirectory)])
    }

    func event(_ e: EngineEvent) { out.write([EventJSON.event(e)]) }

    func finished(_ report: RunReport, graph: StepGraph, logDirectory: String?, exitStatus: Int32) {
        out.write([EventJSON.runFinished(report, hosts: graph.hosts, exitStatus: exitStatus)])
    }
}

/// The terminal view: finished nodes scroll by above a live region with a
/// progress bar, the counts so far, and a line per running node with its
/// elapsed time, redrawn ten times a second.
final class LivePrinter: RunPrinter {
    struct State {
        var total = 0
        var done = 0
        var counts = HostCounts()
        var running: [Int: (ref: NodeRef, start: ContinuousClock.Instant)] = [:]
        var drawnLines = 0
        var finished = false
        var widths = (step: 0, host: 0)
    }

    let text: RunText
    let out: Out
    let state = Mutex(State())
    let columns: Int

    init(text: RunText, out: Out) {
        self.text = text
        self.out = out
        var w = winsize()
        columns = ioctl(1, UInt(TIOCGWINSZ), &w) == 0 && w.ws_col > 20 ? Int(w.ws_col) : 80
    }

    func started(playbook: String, graph: StepGraph, nodes: Int, logDirectory: String?) {
        state.withLock {
            $0.total = nodes
            $0.widths = (graph.steps.map(\.name.count).max() ?? 0, graph.hosts.map(\.name.count).max() ?? 0)
        }
        out.write([text.header(playbook: playbook, nodes: nodes, hosts: graph.hosts.count)])
        Thread.detachNewThread { [self] in
            while true {
                let stop = state.withLock { $0.finished }
                if stop { return }
                redraw(permanent: [])
                usleep(100_000)
            }
        }
    }

    func event(_ e: EngineEvent) {
        switch e {
        case .nodeStarted(let i, let ref, _):
            state.withLock { $0.running[i] = (ref, .now) }
        case .nodeFinished(let r):
            let w = state.withLock { s in
                s.running[r.node] = nil
                s.done += 1
                s.counts.add(r.status)
                return s.widths
            }
            let quiet = r.status == .ok || r.status == .notNotified
            redraw(permanent: quiet ? [] : text.node(r, stepWidth: w.step, hostWidth: w.host))
        }
    }

    func finished(_ report: RunReport, graph: StepGraph, logDirectory: String?, exitStatus: Int32) {
        state.withLock { $0.finished = true }
        redraw(permanent: [], final: true)
        out.write(text.recap(report, graph: graph, logDirectory: logDirectory))
    }

    /// Clears the live region, prints `permanent` lines, draws the region again.
    private func redraw(permanent: [String], final: Bool = false) {
        state.withLock { s in
            var buf = ""
            if s.drawnLines > 0 { buf += "\u{1B}[\(s.drawnLines)A\r\u{1B}[J" }
            for l in permanent { buf += l + "\n" }
            var region: [String] = []
            if !final {
                let width = 30
                let filled = s.total == 0 ? width : s.done * width / s.total
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                let c = s.counts
                region.append(
                    "\(bar) \(s.done)/\(s.total)  " + text.palette.paint("ok \(c.ok)", "32") + "  "
                        + text.palette.paint("\(text.mode == .plan ? "to change" : "changed") \(c.changed)", "33") + "  "
                        + text.palette.paint("failed \(c.failed + c.unreachable)", c.failed + c.unreachable > 0 ? "31" : "0")
                        + "  skipped \(c.skipped)")
                let now = ContinuousClock.now
                let running = s.running.values.sorted { $0.start < $1.start }
                for r in running.prefix(8) {
                    let line = "  ⋯ \(r.ref.step) @ \(r.ref.host)  \(seconds((now - r.start).millis))"
                    region.append(String(line.prefix(columns - 1)))
                }
                if running.count > 8 { region.append("  … and \(running.count - 8) more") }
            }
            for l in region { buf += l + "\n" }
            s.drawnLines = region.count
            FileHandle.standardOutput.write(Data(out.secrets.redact(buf).utf8))
        }
    }
}
