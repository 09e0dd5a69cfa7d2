import TernPlan
import TernSource

/// Diagnostics of playbooks: inventory, parameters, secrets and steps.
extension Diagnostic {
    static func playbookNotFound(_ path: String) -> Diagnostic {
        Diagnostic(id: "file-not-found", "cannot read playbook '\(path)'")
    }

    static func inventoryNotFound(_ path: String, at span: SourceSpan?) -> Diagnostic {
        Diagnostic(id: "file-not-found", "cannot read inventory '\(path)'", at: span)
    }

    static func inventoryPathNotString(_ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "an inventory path must be a string, found \(type.article)", at: span)
    }

    static func notInventoryDeclaration(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "misplaced-declaration", "an inventory file may only declare host, group and let", at: span)
    }

    static func duplicateHost(_ name: String, at span: SourceSpan, first: SourceSpan?) -> Diagnostic {
        Diagnostic(
            id: "duplicate-definition", "host '\(name)' is defined twice", at: span,
            notes: first.map { [.init("first defined here", at: $0)] } ?? [])
    }

    static func badHostField(_ field: String, expected: String, got: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "host '\(field)' must be \(expected), found \(got.article)", at: span)
    }

    static func portOutOfRange(_ port: Int, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "bad-port", "port \(port) is out of range", at: span, label: "ports run from 1 to 65535")
    }

    static func emptyHostField(_ field: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "host '\(field)' is empty", at: span)
    }

    static func badGroupMember(_ key: String, _ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "type-mismatch", "group '\(key)' must list \(key == "hosts" ? "hosts" : "groups"), found \(type.article)",
            at: span)
    }

    static func paramRequired(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "missing-parameter", "parameter '\(name)' has no default and was not given", at: span,
            help: "pass it on the command line: -p \(name)=VALUE")
    }

    static func paramBadValue(_ name: String, _ value: String, expected: TypeTag, declaredAt: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "bad-parameter", "-p \(name)=\(value): expected \(expected.article)", at: declaredAt,
            label: "declared here as \(expected.article)",
            help: expected == .list || expected == .map ? "give lists and maps as JSON, e.g. -p \(name)='[\"a\",\"b\"]'" : nil)
    }

    static func paramDefaultType(_ name: String, expected: TypeTag, got: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "default of '\(name)' must be \(expected.article), found \(got.article)", at: span)
    }

    static func unknownParam(_ name: String, candidates: [String]) -> Diagnostic {
        Diagnostic(
            id: "unknown-parameter", "-p \(name): the playbook has no parameter '\(name)'",
            help: Suggestions.didYouMean(name, among: candidates)
                ?? (candidates.isEmpty ? "the playbook declares no parameters" : "parameters: \(candidates.joined(separator: ", "))"))
    }

    static func secretSourceNotString(_ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "a secret's source must be a plain string, found \(type.article)", at: span)
    }

    static func secretMissing(_ name: String, source: String, key: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "secret-missing",
            source == "env" ? "secret '\(name)': environment variable \(key) is not set" : "secret '\(name)': cannot read file \(key)",
            at: span, help: source == "env" ? "export \(key)=... before running" : nil)
    }

    static func stepWithoutHosts(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(.warning, id: "no-hosts", "step '\(name)' runs on no hosts", at: span)
    }

    static func targetsNotHosts(_ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "type-mismatch", "a step runs on hosts, found \(type.article)", at: span,
            help: "name a host, a group, or a list of them")
    }

    static func badOption(_ name: String, expected: String, got: TypeTag, at span: SourceSpan, hint: String? = nil) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "option '\(name)' must be \(expected), found \(got.article)", at: span, help: hint)
    }

    static func optionGivenTwice(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "duplicate-option", "option '\(name)' is given twice", at: span)
    }

    static func unknownOption(_ name: String, at span: SourceSpan, candidates: [String]) -> Diagnostic {
        Diagnostic(
            id: "unknown-option", "unknown step option '\(name)'", at: span,
            help: Suggestions.didYouMean(name, among: candidates) ?? "options: \(candidates.joined(separator: ", "))")
    }

    static func stepNotOnHostRead(_ ref: NodeRef, at span: SourceSpan, targets: [String]) -> Diagnostic {
        let on = targets.prefix(5).joined(separator: ", ") + (targets.count > 5 ? ", ..." : "")
        return Diagnostic(
            id: "step-not-on-host", "step '\(ref.step)' does not run on host '\(ref.host)'", at: span,
            label: "waits for \(ref)",
            notes: [.init("'\(ref.step)' runs on: \(targets.isEmpty ? "no hosts" : on)")],
            help: "read from a host the step runs on")
    }

    static func actionWithoutCheck(_ primitive: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            .warning, id: "action-without-check", "this action has no check, so it runs (and reports a change) every time",
            at: span,
            help: primitive == "run" ? "add creates: PATH or unless: COMMAND" : "add check: COMMAND that exits 0 when the work is done")
    }
}

extension Diagnostic {
    static func noTargets(_ expression: String) -> Diagnostic {
        Diagnostic(id: "no-hosts", "'\(expression)' selects no hosts")
    }
}
