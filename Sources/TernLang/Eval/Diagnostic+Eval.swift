import TernSource

/// Diagnostics of evaluation: names, types, calls and values.
extension Diagnostic {
    static func unknownName(_ name: String, at span: SourceSpan, candidates: Set<String>) -> Diagnostic {
        Diagnostic(
            id: "unknown-name", "unknown name '\(name)'", at: span, label: "not defined",
            help: Suggestions.didYouMean(name, among: candidates.sorted()))
    }

    static func hostOutsideStep(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "host-outside-step", "'host' is only defined while a step is evaluated for a host", at: span,
            help: "use 'host' inside a step body or a recipe called from one")
    }

    static func globalCycle(_ chain: [String], at span: SourceSpan, definedAt: SourceSpan?) -> Diagnostic {
        Diagnostic(
            id: "definition-cycle", "'\(chain.last ?? "")' is defined in terms of itself: \(chain.joined(separator: " -> "))",
            at: span, label: "needs its own value", notes: definedAt.map { [.init("defined here", at: $0)] } ?? [])
    }

    static func evaluationTooLong(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "evaluation-too-long", "evaluation takes too many steps", at: span,
            help: "a loop or recursion here does far more work than a playbook should")
    }

    static func tooManyActions(_ limit: Int, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "evaluation-too-long", "a step makes more than \(limit) actions on one host", at: span,
            help: "a loop here produces far more actions than a playbook should")
    }

    static func recursionTooDeep(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "recursion-too-deep", "calls nest too deeply (in '\(name)')", at: span,
            help: "a recipe or function that calls itself must stop somewhere")
    }

    static func notCallable(_ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "not-callable", "\(type.article) cannot be called", at: span, label: "not a recipe or function")
    }

    static func notBoolean(_ type: TypeTag, operatorName: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "type-mismatch", "'\(operatorName)' needs booleans, found \(type.article)", at: span,
            label: "\(type.article)", help: "Tern has no truthiness: compare explicitly, e.g. x != \"\" or len(xs) > 0")
    }

    static func conditionNotBoolean(_ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "type-mismatch", "a condition must be a bool, found \(type.article)", at: span, label: "\(type.article)",
            help: "Tern has no truthiness: compare explicitly, e.g. x != \"\" or len(xs) > 0")
    }

    static func deferredCondition(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "deferred-condition", "this condition is known only at run time", at: span,
            label: "depends on a value read from a host",
            help: "an 'if' is decided while planning; use the step option 'when:' for run-time conditions")
    }

    static func deferredIteration(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "deferred-iteration", "cannot loop over a value known only at run time", at: span,
            help: "the set of actions is decided while planning; loop over plan-time values")
    }

    static func cannotInterpolate(_ type: TypeTag, at span: SourceSpan, nested: Bool) -> Diagnostic {
        Diagnostic(
            id: "cannot-interpolate", nested ? "cannot interpolate a list of lists" : "cannot interpolate \(type.article) into a string",
            at: span, label: "\(type.article)",
            help: type == .map || type == .list ? "encode it first, e.g. ${json(x)}" : nil)
    }

    static func unknownMember(_ name: String, module: String, at span: SourceSpan, candidates: [String]) -> Diagnostic {
        Diagnostic(
            id: "unknown-member", "module '\(module)' has no member '\(name)'", at: span, label: "not in \(module)",
            help: Suggestions.didYouMean(name, among: candidates.sorted()))
    }

    static func unknownHostField(_ name: String, host: String, at span: SourceSpan, candidates: [String]) -> Diagnostic {
        Diagnostic(
            id: "unknown-field", "host '\(host)' has no field or variable '\(name)'", at: span,
            help: Suggestions.didYouMean(name, among: candidates)
                ?? "hosts have \(Evaluator.hostFields.joined(separator: ", ")) and their inventory variables")
    }

    static func unknownField(_ name: String, of type: TypeTag, at span: SourceSpan, candidates: [String]) -> Diagnostic {
        Diagnostic(
            id: "unknown-field", "\(type.article) has no field '\(name)'", at: span,
            help: Suggestions.didYouMean(name, among: candidates)
                ?? (candidates.isEmpty ? nil : "fields: \(candidates.joined(separator: ", "))"))
    }

    static func emptyHostSet(_ field: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "empty-host-set", "'.\(field)' of an empty host set", at: span, label: "no hosts here")
    }

    static func missingKey(_ key: String, at span: SourceSpan, candidates: [String]) -> Diagnostic {
        Diagnostic(
            id: "missing-key", "map has no key '\(key)'", at: span,
            help: Suggestions.didYouMean(key, among: candidates) ?? "use get(map, key, default) for an optional key")
    }

    static func indexOutOfRange(_ i: Int, count: Int, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "index-out-of-range", "index \(i) is out of range", at: span,
            label: count == 0 ? "the collection is empty" : "valid indices are 0 to \(count - 1)")
    }

    static func unknownHost(_ name: String, at span: SourceSpan, candidates: [String]) -> Diagnostic {
        Diagnostic(
            id: "unknown-host", "no host named '\(name)'", at: span,
            help: Suggestions.didYouMean(name, among: candidates))
    }

    static func unknownGroup(_ name: String, at span: SourceSpan, candidates: [String]) -> Diagnostic {
        Diagnostic(
            id: "unknown-group", "no group named '\(name)'", at: span,
            help: Suggestions.didYouMean(name, among: candidates + ["all"]))
    }

    static func wrongIndexType(_ type: TypeTag, expected: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "index must be \(expected), found \(type.article)", at: span)
    }

    static func notIndexable(_ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "\(type.article) cannot be indexed", at: span)
    }

    static func badOperand(_ op: String, _ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "'\(op)' cannot be applied to \(type.article)", at: span)
    }

    static func badOperands(_ op: String, _ l: TypeTag, _ r: TypeTag, at span: SourceSpan) -> Diagnostic {
        var help: String?
        if op == "+", l == .list {
            help = "add a list: xs + [item]"
        } else if op == "+", (l == .string) != (r == .string) {
            help = "convert with str(...) or interpolate: \"${a}${b}\""
        }
        return Diagnostic(
            id: "type-mismatch", "'\(op)' cannot combine \(l.article) and \(r.article)", at: span, help: help)
    }

    static func runTimeArithmetic(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "type-mismatch", "'+' with a value known only at run time can only join strings", at: span,
            help: "numbers read from a host cannot be computed with while planning; compute on the host in the command")
    }

    static func overflow(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "overflow", "integer overflow", at: span)
    }

    static func negativeDuration(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "overflow", "a duration cannot be negative", at: span)
    }

    static func divisionByZero(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "division-by-zero", "division by zero", at: span)
    }

    static func notIterable(_ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "type-mismatch", "cannot loop over \(type.article)", at: span,
            help: "loop over a list, a map or a host set")
    }

    static func unknownArgument(_ name: String, function: String, at span: SourceSpan, candidates: [String], signature: Signature) -> Diagnostic {
        Diagnostic(
            id: "unknown-argument", "'\(function)' has no parameter '\(name)'", at: span,
            notes: [.init("\(function)\(signature.description)")],
            help: Suggestions.didYouMean(name, among: candidates))
    }

    static func argumentGivenTwice(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "duplicate-argument", "argument '\(name)' is given twice", at: span)
    }

    static func tooManyArguments(function: String, max: Int, given: Int, at span: SourceSpan, signature: Signature) -> Diagnostic {
        Diagnostic(
            id: "argument-count", "'\(function)' takes at most \(max) argument\(max == 1 ? "" : "s"), but \(given) were given",
            at: span, label: "extra argument", notes: [.init("\(function)\(signature.description)")])
    }

    static func missingArgument(_ name: String, function: String, at span: SourceSpan, signature: Signature) -> Diagnostic {
        Diagnostic(
            id: "argument-count", "missing argument '\(name)' in call to '\(function)'", at: span,
            notes: [.init("\(function)\(signature.description)")])
    }

    static func wrongArgumentType(_ name: String, function: String, expected: TypeTag, got: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "type-mismatch", "argument '\(name)' of '\(function)' must be \(expected.article), found \(got.article)",
            at: span, label: got.article)
    }

    static func redefinedLocal(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "duplicate-definition", "'\(name)' is already defined in this block", at: span,
            help: "bindings cannot change; choose a new name")
    }

    static func returnInStep(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "misplaced-return", "'return' is not allowed in a step", at: span,
            help: "a step lists actions; use 'if' to leave some out")
    }

    static func returnValueInRecipe(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "misplaced-return", "a recipe returns its actions, not a value", at: span,
            help: "use 'fn' for a function that computes a value")
    }

    static func actionInFunction(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "action-in-function", "a function cannot produce actions", at: span,
            help: "declare it with 'recipe' instead of 'fn'")
    }

    static func unusedValue(_ type: TypeTag, at span: SourceSpan, inRecipe: Bool) -> Diagnostic {
        Diagnostic(
            id: "unused-value", "\(type.article) is computed here but not used", at: span,
            label: "not an action",
            help: type == .recipe || type == .function
                ? "call it: add arguments, or () if it takes none"
                : inRecipe ? "bind it with let, or give it back with 'return' in a fn" : "steps contain actions; bind values with let")
    }

    static func notData(_ type: TypeTag, function: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "'\(function)' cannot take \(type.article)", at: span, label: type.article)
    }

    static func builtinFailed(_ name: String, _ message: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "builtin-failed", "\(name): \(message)", at: span)
    }

    static func rangeTooLarge(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "range-too-large", "range of more than 100000 numbers", at: span)
    }

    static func formatArguments(expected: Int, given: Int, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "argument-count", "format has \(expected) placeholder\(expected == 1 ? "" : "s") but \(given) value\(given == 1 ? " was" : "s were") given",
            at: span)
    }

    static func badFormat(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "bad-format", "a format string uses {} for a value and {{ }} for literal braces", at: span)
    }

    static func rawOfSecret(at span: SourceSpan, deferred: Bool) -> Diagnostic {
        Diagnostic(
            id: "raw-not-allowed", deferred ? "raw() needs text known while planning" : "a secret cannot be spliced raw into a command",
            at: span, help: deferred ? nil : "interpolate it instead: it becomes one quoted word, printed as ***")
    }

    static func missingEnvironment(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "missing-environment", "environment variable '\(name)' is not set", at: span,
            help: "set it, or give a default: env(\"\(name)\", default: \"...\")")
    }

    static func localFileMissing(_ path: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "file-not-found", "cannot read local file '\(path)'", at: span)
    }

    static func userFailure(_ message: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "fail", message, at: span)
    }

    static func relativeRemotePath(_ path: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "relative-path", "remote path '\(path)' must be absolute", at: span,
            help: "write the full path, e.g. /\(path)")
    }

    static func badMode(_ mode: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "bad-mode", "'\(mode)' is not an octal file mode", at: span,
            help: "write it as a string of octal digits, e.g. \"0644\"")
    }

    static func readNeedsOneHost(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "read() needs exactly one host", at: span,
            help: "pick one, e.g. group.first or group[0]")
    }

    static func readNeedsPathOrCommand(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "argument-count", "read() needs either a path or cmd:, not both or neither", at: span,
            help: "read(host, \"/etc/file\") or read(host, cmd: \"hostname\")")
    }

    static func emptyCommand(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "empty-command", "'\(name)' is an empty command", at: span)
    }

    static func mustBeKnown(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "deferred-not-allowed", "'\(name)' must be known while planning", at: span,
            label: "depends on a value read from a host")
    }

    static func mustNotBeSecret(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "secret-not-allowed", "'\(name)' cannot be a secret: it is printed in plans and logs", at: span)
    }

    static func expectedStep(_ type: TypeTag, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "type-mismatch", "expected a step (or a list of steps), found \(type.article)", at: span,
            help: "name the step itself, without quotes")
    }
}

/// Diagnostics of modules and declarations.
extension Diagnostic {
    static func moduleNotFound(_ name: String, at span: SourceSpan, path: String?, candidates: [String]) -> Diagnostic {
        Diagnostic(
            id: "module-not-found", "no module '\(name)'", at: span,
            label: path.map { "no file \($0)" } ?? "not in the standard library",
            help: Suggestions.didYouMean(name, among: candidates)
                ?? (candidates.isEmpty ? nil : "standard modules: \(candidates.joined(separator: ", "))"))
    }

    static func importCycle(_ chain: [String], at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "import-cycle", "modules use each other in a cycle: \(chain.joined(separator: " -> "))", at: span,
            help: "move what both need into a third module")
    }

    static func playbookOnlyDeclaration(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "misplaced-declaration", "modules may only declare use, let, fn and recipe", at: span,
            help: "steps, hosts, groups, params and secrets belong in the playbook")
    }

    static func duplicateDefinition(_ name: String, at span: SourceSpan, first: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "duplicate-definition", "'\(name)' is defined twice", at: span, label: "second definition",
            notes: [.init("first defined here", at: first)])
    }

    static func duplicateParameter(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "duplicate-definition", "parameter '\(name)' appears twice", at: span)
    }

    static func unknownType(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "unknown-type", "unknown type '\(name)'", at: span,
            help: Suggestions.didYouMean(name, among: TypeTag.declarable.keys.sorted())
                ?? "types: \(TypeTag.declarable.keys.sorted().joined(separator: ", "))")
    }
}
