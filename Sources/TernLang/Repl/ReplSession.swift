import Foundation
import TernPlan
import TernSource

/// What one input of the REPL gave.
public enum ReplReply: Sendable {
    /// A value, or a definition taken: text to print.
    case text(String)
    /// The input was refused: diagnostics, rendered, pointing into it.
    case diagnostics([Diagnostic])
    /// Something to run on hosts now: the nodes `selection` of `graph`.
    case run(ReplRun)
    case quit
}

/// Nodes the REPL asks the engine to run now.
public struct ReplRun: Sendable {
    public enum Mode: Sendable { case session, plan, apply }
    public let graph: StepGraph
    /// The nodes to run; when nil, the steps named in `steps` with what
    /// they depend on (the engine's `Selection.steps`).
    public let selection: Set<Int>?
    public let steps: [String]
    /// `.session`: as `:mode` says; `.plan`/`.apply`: as the command said.
    public let mode: Mode
    public let secrets: Redactor
    /// What the user typed, for `:save` when it succeeds.
    let saved: String?
}

/// The language, live: every input is checked against a document made of
/// the playbook given at start, the definitions taken so far, and the input
/// itself, by the same planner as `tern check` — no second dialect.
///
/// - a declaration (`let`, `use`, `param`, `secret`, `recipe`, `fn`,
///   `step`, `handler`, `host`, `group`, `inventory`) is kept when the
///   document with it has no error;
/// - `on TARGETS ACTION` becomes a step of its own, run at once;
/// - anything else is an expression: its value is printed with its type.
///
/// Diagnostics about the input point into it (`<input>:1:5`), not into the
/// document it was checked in.
public final class ReplSession: @unchecked Sendable {
    public let options: PlanOptions
    let playbookText: String
    let documentPath: String
    /// Definitions taken, in order.
    public private(set) var definitions: [String] = []
    /// `on` inputs that ran without a failure, as steps, for `:save`.
    public private(set) var succeeded: [String] = []
    private var runCount = 0
    /// The last document that planned without errors.
    private var last: ReplEvaluation?

    static let declarationWords: Set<String> = [
        "let", "use", "param", "secret", "recipe", "fn", "step", "handler", "host", "group", "inventory",
    ]

    /// `playbook`: a file whose declarations the session starts with.
    public init(playbook: String?, options: PlanOptions) throws {
        self.options = options
        if let playbook {
            guard let data = FileManager.default.contents(atPath: playbook) else {
                throw ReplError("cannot read \(playbook)")
            }
            playbookText = String(decoding: data, as: UTF8.self)
            documentPath = playbook
        } else {
            playbookText = ""
            documentPath = (options.baseDirectory ?? FileManager.default.currentDirectoryPath) + "/<repl>.tern"
        }
    }

    /// Loads the playbook and inventory: their diagnostics, if any.
    public func start() -> [Diagnostic] {
        let e = evaluate(input: "", expression: nil)
        if e.errors == 0 { last = e }
        return e.diagnostics
    }

    /// False while a construct is open: a bracket, a brace or a
    /// triple-quoted string, or a line that ends with `\\`, `,` or a binary
    /// operator. Decided on the language's own tokens, so strings, escapes
    /// and comments count exactly as in a file.
    public func isComplete(_ text: String) -> Bool {
        let file = SourceFile(path: "<input>", text: text)
        var lexer = Lexer(file: file)
        let tokens = lexer.tokenize()
        // A one-line string left open is an error the parser reports; a
        // triple-quoted one goes on to the next line.
        let openText = lexer.diagnostics.contains { d in
            d.id == "unterminated-string" && (d.span.map { file.text(of: $0).hasPrefix("\"\"\"") } ?? false)
        }
        if openText { return false }
        var depth = 0
        var last: Token.Kind?
        for t in tokens {
            switch t.kind {
            case .symbol(.lparen), .symbol(.lbracket), .symbol(.lbrace): depth += 1
            case .symbol(.rparen), .symbol(.rbracket), .symbol(.rbrace): depth -= 1
            case .newline, .eof, .doc: continue
            default: break
            }
            last = t.kind
        }
        if depth > 0 { return false }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("\\") { return false }
        switch last {
        case .symbol(let s)?:
            return ![.comma, .assign, .eq, .ne, .lt, .le, .gt, .ge, .plus, .minus, .star, .slash, .percent].contains(s)
        case .keyword(let k)?:
            return ![.and, .or, .not].contains(k)
        default:
            return true
        }
    }

    /// Takes one complete input.
    public func submit(_ input: String) -> ReplReply {
        let text = input.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .text("") }
        if text.hasPrefix(":") { return command(text) }
        let first = text.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        if first == "on", text.count > 2 { return runNow(text) }
        if Self.declarationWords.contains(String(first)) { return define(text) }
        return expression(text)
    }

    // MARK: inputs

    private func define(_ text: String) -> ReplReply {
        let e = evaluate(input: text, expression: nil)
        guard e.errors == 0 else { return .diagnostics(e.diagnostics) }
        definitions.append(text)
        last = e
        // Warnings about this input only: earlier ones were shown already.
        let warnings = e.diagnostics.filter { $0.severity == .warning && $0.span?.file.path == "<input>" }
        return warnings.isEmpty ? .text("") : .diagnostics(warnings)
    }

    private func expression(_ text: String) -> ReplReply {
        let e = evaluate(input: "", expression: text)
        guard e.errors == 0, let shown = e.shown else { return .diagnostics(e.diagnostics) }
        return .text(shown)
    }

    /// `on TARGETS BODY`: BODY as the only statement of a new step.
    private func runNow(_ text: String) -> ReplReply {
        let rest = String(text.dropFirst(2))
        guard let split = ReplSyntax.splitTargets(rest) else {
            return .diagnostics([
                Diagnostic(.error, id: "repl-on", "write `on TARGETS ACTION`, e.g. on glfs run \"gluster peer status\"", at: SourceSpan(file: SourceFile(path: "<input>", text: text), start: 0, end: text.utf8.count))
            ])
        }
        runCount += 1
        let name = "repl_\(runCount)"
        let step = "step \(name) on \(split.targets) {\n  \(split.body)\n}"
        let e = evaluate(input: step, expression: nil)
        guard e.errors == 0, let graph = e.graph, let s = graph.steps.firstIndex(where: { $0.name == name }) else {
            return .diagnostics(e.diagnostics)
        }
        // What to save: the step as typed, with a name.
        return .run(ReplRun(graph: graph, selection: Set(graph.stepNodes[s]), steps: [name], mode: .session, secrets: e.secrets, saved: step))
    }

    /// The hosts a target expression names (`:facts glfs`), or why not.
    public func hosts(_ expression: String) -> Result<[PlanHost], ReplError> {
        let e = evaluate(input: "", expression: expression)
        if e.errors > 0 {
            return .failure(ReplError(DiagnosticRenderer(color: false).render(e.diagnostics)))
        }
        guard let hosts = e.selectedHosts, !hosts.isEmpty else {
            return .failure(ReplError("'\(expression)' is not a host or a set of hosts"))
        }
        return .success(hosts)
    }

    /// After a run: keep it for `:save` when nothing failed.
    public func finished(_ run: ReplRun, failed: Bool) {
        guard !failed, let s = run.saved, let name = run.steps.first else { return }
        // The same action on the same hosts again adds nothing to a playbook.
        let body = s.replacingOccurrences(of: "step \(name) ", with: "")
        if succeeded.contains(where: { $0.drop { $0 != " " }.dropFirst().drop { $0 != " " }.dropFirst() == body[...] }) { return }
        succeeded.append(s)
    }

    // MARK: commands

    public static let commands: [(name: String, help: String)] = [
        (":help", "this list"),
        (":hosts", "the inventory's hosts, with address and groups"),
        (":groups", "the inventory's groups and their hosts"),
        (":vars HOST", "a host's variables"),
        (":steps", "the steps defined so far (and the playbook's)"),
        (":graph", "the step graph of what is defined"),
        (":plan STEP", "check one step (with what it depends on), change nothing"),
        (":apply STEP", "apply one step (with what it depends on)"),
        (":mode plan|apply", "whether `on ...` inputs only check (plan) or also apply"),
        (":facts HOSTS", "gather and show the hosts' facts (one command per host)"),
        (":doc [MODULE[.NAME]]", "the standard library's documentation"),
        (":save FILE", "write the definitions and the actions that succeeded as a playbook"),
        (":quit", "leave (Ctrl-D too)"),
    ]

    /// Whether `on` inputs only check (`:mode plan`).
    public var planOnly = false

    private func command(_ text: String) -> ReplReply {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ":help", ":h", ":?":
            let width = Self.commands.map(\.name.count).max() ?? 0
            return .text(
                Self.commands.map { $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.help }.joined(separator: "\n")
                    + "\nOther input is Tern: an expression prints its value; let, use, recipe, fn, step, handler, host and group define;\n`on TARGETS ACTION` runs an action now (e.g. on lab run \"uptime\").")
        case ":quit", ":q", ":exit":
            return .quit
        case ":hosts":
            guard let l = current() else { return .text("no inventory") }
            return .text(l.hosts.map { "\($0.name)  \($0.address)  \($0.groups.joined(separator: ", "))" }.joined(separator: "\n"))
        case ":groups":
            guard let l = current() else { return .text("no inventory") }
            return .text(l.groups.map { "\($0.name): \($0.members.joined(separator: ", "))" }.joined(separator: "\n"))
        case ":vars":
            guard let l = current(), let h = l.hosts.first(where: { $0.name == arg }) else {
                return .text("no host '\(arg)'" + (Suggestions.closest(to: arg, among: current()?.hosts.map(\.name) ?? []).map { "; did you mean '\($0)'?" } ?? ""))
            }
            return .text(h.vars)
        case ":steps":
            guard let g = current()?.graph else { return .text("no steps") }
            return .text(g.steps.filter { !$0.name.hasPrefix("repl_") }.map { "\($0.name)  on \($0.targets.joined(separator: ", "))" + ($0.after.isEmpty ? "" : "  after \($0.after.joined(separator: ", "))") }.joined(separator: "\n"))
        case ":graph":
            guard let g = current()?.graph else { return .text("no steps") }
            var out = ""
            GraphRenderer.write(g, as: .text) { out += $0 }
            return .text(out.trimmingCharacters(in: .newlines))
        case ":plan", ":apply":
            guard let l = current(), let g = l.graph else { return .text("no steps") }
            let names = arg.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty else { return .text("write \(parts[0]) STEP") }
            return .run(ReplRun(graph: g, selection: nil, steps: names, mode: parts[0] == ":plan" ? .plan : .apply, secrets: l.secrets, saved: nil))
        case ":mode":
            switch arg {
            case "plan": planOnly = true
            case "apply": planOnly = false
            case "": break
            default: return .text("write :mode plan or :mode apply")
            }
            return .text("mode: \(planOnly ? "plan (checks only)" : "apply")")
        case ":save":
            guard !arg.isEmpty else { return .text("write :save FILE") }
            do {
                try save(to: arg)
                return .text("saved \(definitions.count) definition\(definitions.count == 1 ? "" : "s") and \(succeeded.count) step\(succeeded.count == 1 ? "" : "s") to \(arg)")
            } catch {
                return .text("cannot write \(arg): \(error.localizedDescription)")
            }
        default:
            let names = Self.commands.map { String($0.name.split(separator: " ")[0]) }
            return .text("unknown command \(parts[0])" + (Suggestions.closest(to: parts[0], among: names).map { "; did you mean \($0)?" } ?? "") + " (:help lists them)")
        }
    }

    /// The definitions and the runs that succeeded, as a playbook that
    /// `tern check` accepts: with the session's inventory files.
    public func save(to path: String) throws {
        var text = "# Saved from a tern repl session.\n\n"
        let cwd = FileManager.default.currentDirectoryPath
        for inv in options.inventoryPaths {
            let absolute = inv.hasPrefix("/") ? inv : cwd + "/" + inv
            text += "inventory \(PlanValueFormat.quoted(absolute))\n"
        }
        if !playbookText.isEmpty { text += "\n" + playbookText.trimmingCharacters(in: .newlines) + "\n" }
        for d in definitions { text += "\n" + d + "\n" }
        for s in succeeded { text += "\n" + s + "\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Names to complete: globals, hosts, groups, recipes of used modules, commands.
    public func completions(prefix: String) -> [String] {
        var names = Set<String>()
        if prefix.hasPrefix(":") {
            names.formUnion(Self.commands.map { String($0.name.split(separator: " ")[0]) })
        } else if let l = current() {
            names.formUnion(l.names)
            names.formUnion(Self.declarationWords)
            names.insert("on")
        }
        return names.filter { $0.hasPrefix(prefix) }.sorted()
    }

    private func current() -> ReplEvaluation? {
        if let last { return last }
        let e = evaluate(input: "", expression: nil)
        if e.errors == 0 { last = e }
        return last
    }

    // MARK: evaluation

    /// The document: the playbook, the definitions, then the input.
    private func evaluate(input: String, expression: String?) -> ReplEvaluation {
        var document = playbookText
        for d in definitions { document += (document.isEmpty || document.hasSuffix("\n") ? "" : "\n") + d + "\n" }
        if !document.isEmpty, !document.hasSuffix("\n") { document += "\n" }
        let inputStart = document.utf8.count
        document += input
        var e = ReplEvaluation.run(path: documentPath, text: document, options: options, expression: expression)
        // Spans in the input point into it, as typed.
        if !input.isEmpty {
            let file = SourceFile(path: "<input>", text: input)
            e.diagnostics = e.diagnostics.map { d in
                d.moved { span in
                    guard span.file.path == e.documentFile?.path, span.start >= inputStart else { return span }
                    return SourceSpan(file: file, start: span.start - inputStart, end: span.end - inputStart)
                }
            }
        }
        return e
    }
}

public struct ReplError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// Splitting `on TARGETS BODY`.
enum ReplSyntax {
    /// The target expression and the action after it: the expression ends
    /// where the parser's expression ends.
    static func splitTargets(_ rest: String) -> (targets: String, body: String)? {
        let file = SourceFile(path: "<input>", text: rest)
        var parser = Parser(file: file)
        parser.skipNewlines()
        let expr = parser.parseExpression()
        guard parser.diagnostics.isEmpty else { return nil }
        let end = expr.span.end
        let bytes = Array(rest.utf8)
        guard end < bytes.count else { return nil }
        let targets = String(decoding: bytes[..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        let body = String(decoding: bytes[end...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !targets.isEmpty, !body.isEmpty else { return nil }
        return (targets, body)
    }
}

extension Diagnostic {
    /// The same diagnostic with every span passed through `move`.
    func moved(_ move: (SourceSpan) -> SourceSpan) -> Diagnostic {
        Diagnostic(
            severity, id: id, message, at: span.map(move), label: label,
            notes: notes.map { .init($0.message, at: $0.span.map(move)) }, help: help)
    }
}
