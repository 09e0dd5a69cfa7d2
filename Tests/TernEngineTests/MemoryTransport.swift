import Foundation
import Synchronization
import TernEngine
import TernLang
import TernPlan
import TernSource

/// An in-memory transport for tests of the scheduler: each host is a set of
/// keys, and commands are a tiny language, one command per line:
///
/// - `test K` — exit 0 when the host has K;
/// - `set K` — adds K; `unset K` removes it; `remote-set H K` adds K on host H;
/// - `fail` — exit 1 with "boom" on stderr;
/// - `flaky K N` — fails the first N times on a host, then sets K;
/// - `hold NAME` — marks NAME busy on the host across several yields (to
///   catch overlapping actions under one lock);
/// - `say TEXT` — prints TEXT.
///
/// Batched checks (`/bin/sh -s` with the script on stdin) are split into
/// their checks and answered in the batch's marker format, so the engine's
/// own parser is exercised. Unknown commands exit 127. Every command is
/// logged with a global sequence number; in-flight commands are counted
/// per host and overall.
final class MemoryTransport: Transport {
    struct State {
        var keys: [String: Set<String>] = [:]
        var log: [(host: String, command: String)] = []
        var execs: [(host: String, command: String)] = []
        /// The timeout of each exec, parallel to `execs`.
        var timeouts: [Int?] = []
        var inFlight: [String: Int] = [:]
        var peakHosts = 0
        var held: [String: Int] = [:]
        var peakHeld: [String: Int] = [:]
        var flaky: [String: Int] = [:]
        var unreachable: Set<String> = []
        var uploads: [(host: String, path: String, data: [UInt8])] = []
    }

    let state = Mutex(State())
    let facts: String
    /// Called at the start of every exec (e.g. to interrupt a run mid-way).
    let onExec: (@Sendable () -> Void)?

    init(unreachable: Set<String> = [], facts: String = "os_family=debian\npkg_manager=apt\n", onExec: (@Sendable () -> Void)? = nil) {
        state.withLock { $0.unreachable = unreachable }
        self.facts = facts
        self.onExec = onExec
    }

    func has(_ key: String, on host: String) -> Bool { state.withLock { $0.keys[host]?.contains(key) ?? false } }
    var log: [(host: String, command: String)] { state.withLock { $0.log } }
    var execs: [(host: String, command: String)] { state.withLock { $0.execs } }

    func setUnreachable(_ host: String, _ down: Bool) {
        state.withLock { if down { $0.unreachable.insert(host) } else { $0.unreachable.remove(host) } }
    }

    func exec(_ request: CommandRequest, on host: PlanHost) async throws(TransportError) -> CommandResult {
        let down = state.withLock { s -> Bool in
            guard !s.unreachable.contains(host.name) else { return true }
            s.execs.append((host.name, request.command))
            s.timeouts.append(request.timeoutMillis)
            s.inFlight[host.name, default: 0] += 1
            s.peakHosts = max(s.peakHosts, s.inFlight.values.filter { $0 > 0 }.count)
            return false
        }
        if down { throw .unreachable(host: host.name, reason: "connection refused") }
        defer { state.withLock { $0.inFlight[host.name, default: 1] -= 1 } }
        onExec?()
        for _ in 0..<3 { await Task.yield() }
        if request.command == FactScript.command {
            return CommandResult(stdout: Array(facts.utf8), stderr: [], exitStatus: 0, durationMillis: 1)
        }
        if request.command == "/bin/sh -s" {
            return await batch(String(decoding: request.stdin, as: UTF8.self), host: host.name)
        }
        let (out, err, rc) = await run(request.command, host: host.name)
        return CommandResult(stdout: Array(out.utf8), stderr: Array(err.utf8), exitStatus: rc, durationMillis: 1)
    }

    /// Answers a batch script in the format `CheckScript` writes: per check,
    /// `( eval WORD ) </dev/null` (WORD a shell-quoted word), then a marker line.
    private func batch(_ script: String, host: String) async -> CommandResult {
        var out = "", err = ""
        var rest = Substring(script)
        var index = 0
        while let open = rest.range(of: "( eval ") {
            rest = rest[open.upperBound...]
            let (check, after) = Self.unquoteWord(rest)
            rest = after
            guard let close = rest.range(of: " ) </dev/null\n") else { break }
            rest = rest[close.upperBound...]
            // The marker line names the token.
            let line = rest.prefix { $0 != "\n" }
            let token = String(line).components(separatedBy: "'\\n%s %d %d\\n' ")[1].split(separator: " ")[0]
            let (o, e, rc) = await run(check, host: host)
            out += o + "\n\(token) \(index) \(rc)\n"
            err += e + "\n\(token) \(index)\n"
            index += 1
        }
        return CommandResult(stdout: Array(out.utf8), stderr: Array(err.utf8), exitStatus: 0, durationMillis: 1)
    }

    /// One shell word as `ShellQuote.quote` writes it: bare, or in single
    /// quotes with `'\\''` for a quote inside.
    static func unquoteWord(_ s: Substring) -> (String, Substring) {
        var word = ""
        var i = s.startIndex
        while i < s.endIndex, s[i] != " " {
            if s[i] == "'" {
                i = s.index(after: i)
                while i < s.endIndex, s[i] != "'" {
                    word.append(s[i])
                    i = s.index(after: i)
                }
                if i < s.endIndex { i = s.index(after: i) }
            } else if s[i] == "\\" {
                i = s.index(after: i)
                if i < s.endIndex {
                    word.append(s[i])
                    i = s.index(after: i)
                }
            } else {
                word.append(s[i])
                i = s.index(after: i)
            }
        }
        return (word, s[i...])
    }

    private func run(_ command: String, host: String) async -> (String, String, Int32) {
        state.withLock { $0.log.append((host, command)) }
        var out = "", err = ""
        var rc: Int32 = 0
        for line in command.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            guard let verb = words.first else { continue }
            let arg = words.count > 1 ? words[1] : ""
            switch verb {
            case "test":
                rc = has(arg, on: host) ? 0 : 1
            case "set":
                state.withLock { _ = $0.keys[host, default: []].insert(arg) }
            case "remote-set":
                state.withLock { _ = $0.keys[arg, default: []].insert(words[2]) }
            case "unset":
                state.withLock { _ = $0.keys[host, default: []].remove(arg) }
            case "fail":
                err += "boom\n"
                rc = 1
            case "flaky":
                let n = Int(words[2]) ?? 0
                let failing = state.withLock { s -> Bool in
                    let key = host + "/" + arg
                    s.flaky[key, default: 0] += 1
                    return s.flaky[key]! <= n
                }
                if failing {
                    err += "not yet\n"
                    rc = 1
                } else {
                    state.withLock { _ = $0.keys[host, default: []].insert(arg) }
                }
            case "hold":
                let key = host + "/" + arg
                state.withLock {
                    $0.held[key, default: 0] += 1
                    $0.peakHeld[key] = max($0.peakHeld[key] ?? 0, $0.held[key]!)
                }
                for _ in 0..<20 { await Task.yield() }
                state.withLock { $0.held[key, default: 1] -= 1 }
            case "say":
                out += words.dropFirst().joined(separator: " ") + "\n"
            default:
                err += "\(verb): not found\n"
                rc = 127
            }
            if rc != 0 { break }
        }
        return (out, err, rc)
    }

    func upload(_ data: [UInt8], to path: String, options: UploadOptions, on host: PlanHost) async throws(TransportError) {
        if state.withLock({ $0.unreachable.contains(host.name) }) { throw .unreachable(host: host.name, reason: "connection refused") }
        state.withLock { $0.uploads.append((host.name, path, data)) }
    }

    func download(_ path: String, on host: PlanHost) async throws(TransportError) -> [UInt8] {
        throw .fileTransfer(host: host.name, path: path, reason: "not in memory")
    }

    func shutdown() async {}
}

/// Plans a playbook from text, with hosts h1...hN in group `all_hosts`.
func graph(_ body: String, hosts: Int = 3, environment: [String: String] = [:], file: StaticString = #filePath) throws -> (StepGraph, Redactor) {
    var text = ""
    for i in 1...hosts { text += "host h\(i) { address: \"127.0.0.\(i)\" }\n" }
    text += "group all_hosts { hosts: [" + (1...hosts).map { "h\($0)" }.joined(separator: ", ") + "] }\n"
    text += body
    var options = PlanOptions()
    options.environment = environment
    options.requireSecrets = true
    options.baseDirectory = NSTemporaryDirectory()
    options.stdlibPath = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("stdlib").path
    let result = Planner.plan(path: NSTemporaryDirectory() + "/engine-test.tern", text: text, options: options)
    guard let g = result.graph, result.errorCount == 0 else {
        throw PlanFailure(description: DiagnosticRenderer(color: false).render(result.diagnostics))
    }
    return (g, result.secrets)
}

struct PlanFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs a graph on a transport and returns the report.
func execute(
    _ g: StepGraph, _ t: some Transport, mode: EngineMode = .apply, forks: Int = 64, failFast: Bool = false,
    batch: Bool = true, secrets: Redactor = Redactor(secrets: []), control: RunControl = RunControl(),
    selection: Set<Int>? = nil, onEvent: @escaping @Sendable (EngineEvent) -> Void = { _ in }
) async -> RunReport {
    var o = EngineOptions(mode: mode)
    o.forks = forks
    o.failFast = failFast
    o.batchChecks = batch
    o.selection = selection
    return await Engine(graph: g, transport: t, options: o, secrets: SecretBook(secrets), control: control, onEvent: onEvent).run()
}

extension RunReport {
    func status(_ step: String, _ host: String) -> NodeStatus? {
        nodes.first { $0?.ref == NodeRef(step: step, host: host) }??.status
    }

    func keys(_ step: String) -> [String] {
        nodes.compactMap { $0 }.filter { $0.ref.step == step }.map(\.status.key)
    }
}
