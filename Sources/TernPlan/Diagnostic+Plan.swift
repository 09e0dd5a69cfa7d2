import TernSource

extension Diagnostic {
    static func duplicateStep(_ name: String, at span: SourceSpan, first: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "duplicate-step", "step '\(name)' is defined twice", at: span, label: "second definition",
            notes: [.init("first defined here", at: first)], help: "rename one of the steps")
    }

    static func unknownStep(_ name: String, at span: SourceSpan, known: [String]) -> Diagnostic {
        Diagnostic(
            id: "unknown-step", "no step named '\(name)'", at: span, label: "not a step",
            help: Suggestions.didYouMean(name, among: known))
    }

    static func stepNotOnHost(_ ref: NodeRef, at span: SourceSpan, targets: [String]) -> Diagnostic {
        let on = targets.prefix(5).joined(separator: ", ") + (targets.count > 5 ? ", ..." : "")
        return Diagnostic(
            id: "step-not-on-host", "step '\(ref.step)' does not run on host '\(ref.host)'", at: span,
            label: "reads \(ref)",
            notes: [.init("'\(ref.step)' runs on: \(targets.isEmpty ? "no hosts" : on)")],
            help: "read from a host the step runs on, or add '\(ref.host)' to its targets")
    }

    static func internalNode(_ ref: NodeRef) -> Diagnostic {
        Diagnostic(
            id: "internal-error", "internal error: node \(ref) is duplicated or names an unknown step or host",
            help: "this is a bug in tern; please report it with the playbook")
    }

    static func readsItself(_ ref: NodeRef, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "dependency-cycle", "step '\(ref.step)' reads its own result on \(ref.host)", at: span,
            label: "known only after this step has run",
            help: "read it in a step that runs after '\(ref.step)'")
    }

    static func notifyNotHandler(_ name: String, at span: SourceSpan, declared: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "notify-not-handler", "'\(name)' is a step, not a handler", at: span, label: "notifies \(name)",
            notes: [.init("declared here", at: declared)],
            help: "declare it with 'handler \(name) on ...' to run it only when notified")
    }

    static func handlerNotOnHost(_ name: String, host: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "handler-not-on-host", "handler '\(name)' does not run on host '\(host)'", at: span,
            help: "add '\(host)' to the handler's hosts, or notify it only from steps on its hosts")
    }

    static func dependencyCycle(_ names: [String], at span: SourceSpan, notes: [Note]) -> Diagnostic {
        Diagnostic(
            id: "dependency-cycle",
            names.count == 2 && names[0] == names[1]
                ? "step '\(names[0])' waits for itself"
                : "steps wait for each other in a cycle: \(names.joined(separator: " -> "))",
            at: span, label: "this step is part of the cycle", notes: notes,
            help: "remove one of these dependencies")
    }
}
