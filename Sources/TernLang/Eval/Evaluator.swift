import TernPlan
import TernSource

/// Evaluates Tern syntax into values.
///
/// The evaluator is a tree walker. It never throws for bad input: it reports
/// a diagnostic and returns `.poison`, which every operation passes on
/// without a further message, so a mistake is reported once. Globals of a
/// module are evaluated lazily, on first use, so declarations may appear in
/// any order; a global that needs itself is reported as a cycle. The current
/// host (`host`) is dynamic: a recipe called from a step sees the host the
/// step is being evaluated for.
final class Evaluator {
    var diagnostics = DiagnosticBag()
    let loader: ModuleLoader
    var inventory = Inventory()
    /// The root playbook module: the only one that sees the inventory.
    var root: Module?
    var currentHost: Int?
    /// Whether evaluation looked at the current host, directly or through a
    /// step-level `let` that did: results that did not can be shared by
    /// every host of the step (see `StepEvaluation`).
    var hostTracking = HostTracking()
    var callStack: [(name: String, span: SourceSpan)] = []
    /// Globals being evaluated, to catch a `let` that needs itself.
    var evaluating: [(module: ObjectIdentifier, name: String)] = []
    /// Bounds total work so that no input can hang the tool.
    var budget = 10_000_000
    var budgetExceeded = false
    /// The text of every secret, to mask it in messages.
    var secretTexts: Set<String> = []
    /// Every `read(..., after: S)` call: the node it waits for and where.
    var readDependencies: [(NodeRef, SourceSpan)] = []
    let environment: [String: String]
    let requireSecrets: Bool
    static let maxCallDepth = 64
    /// More actions than this on one host in one step is a runaway loop.
    static let maxActionsPerNode = 10_000

    init(loader: ModuleLoader, environment: [String: String], requireSecrets: Bool) {
        self.loader = loader
        self.environment = environment
        self.requireSecrets = requireSecrets
    }

    // MARK: reporting

    /// Reports a diagnostic, adding the recipe calls that led to it.
    func report(_ d: Diagnostic) {
        var d = d
        // Innermost first; a run of the same frame (recursion) is one note.
        var frames = Array(callStack.reversed())[...]
        while let frame = frames.first {
            var repeats = 1
            while repeats < frames.count, frames[frames.startIndex + repeats].name == frame.name,
                frames[frames.startIndex + repeats].span == frame.span
            {
                repeats += 1
            }
            let times = repeats > 1 ? " (\(repeats) times)" : ""
            d = d.with(note: .init("in \(frame.name), called here\(times)", at: frame.span))
            frames = frames.dropFirst(repeats)
        }
        diagnostics.add(d)
    }

    /// Counts one unit of work; false (and one report) once the budget is spent.
    func spend(_ span: SourceSpan) -> Bool {
        budget -= 1
        if budget >= 0 { return true }
        if !budgetExceeded {
            budgetExceeded = true
            report(.evaluationTooLong(at: span))
        }
        return false
    }

    // MARK: names

    func lookup(_ name: String, at span: SourceSpan, scope: Scope?, module: Module) -> Value {
        if let (v, owner) = scope?.lookupWithOwner(name) {
            if owner === hostTracking.stepScope, hostTracking.dependentLocals.contains(name) { hostTracking.accessed = true }
            return v
        }
        if name == "host" {
            if let h = currentHost {
                hostTracking.accessed = true
                return .host(h)
            }
            report(.hostOutsideStep(at: span))
            return .poison
        }
        if let v = global(name, in: module, at: span) { return v }
        if module === root, name == "all", inventory.group(named: "all") == nil {
            return .hosts(Array(inventory.hosts.indices))
        }
        if let b = Builtins.table[name] { return .function(b) }
        var candidates = Set(scope?.allNames ?? [])
        candidates.formUnion(module.globals.keys)
        candidates.formUnion(module.lazyGlobals.keys)
        candidates.formUnion(Builtins.table.keys)
        if module === root { candidates.insert("all") }
        report(.unknownName(name, at: span, candidates: candidates))
        return .poison
    }

    /// A module global, evaluating it now if it is a lazy `let`.
    func global(_ name: String, in module: Module, at span: SourceSpan) -> Value? {
        if let v = module.globals[name] { return v }
        guard let lazy = module.lazyGlobals[name] else { return nil }
        let key = (ObjectIdentifier(module), name)
        if evaluating.contains(where: { $0.module == key.0 && $0.name == name }) {
            let chain = evaluating.filter { $0.module == key.0 }.map(\.name) + [name]
            report(.globalCycle(chain, at: span, definedAt: module.globalSpans[name]))
            return .poison
        }
        evaluating.append(key)
        let savedHost = currentHost
        let savedStack = callStack
        currentHost = nil
        callStack = []
        let value = lazy(self)
        currentHost = savedHost
        callStack = savedStack
        evaluating.removeLast()
        module.globals[name] = value
        module.lazyGlobals[name] = nil
        return value
    }

    // MARK: expressions

    func eval(_ e: Expr, _ scope: Scope?, _ module: Module) -> Value {
        guard spend(e.span) else { return .poison }
        switch e.kind {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .duration(let d): return .duration(d)
        case .error: return .poison
        case .name(let n): return lookup(n, at: e.span, scope: scope, module: module)
        case .string(let parts):
            var t = Template()
            for part in parts {
                switch part {
                case .text(let s): t.append(.text(s))
                case .code(let inner):
                    let v = eval(inner, scope, module)
                    guard let segs = interpolate(v, at: inner.span) else { return .poison }
                    for s in segs { t.append(s) }
                }
            }
            return .string(t)
        case .list(let items):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for i in items {
                let v = eval(i, scope, module)
                if v.isPoison { return .poison }
                out.append(v)
            }
            return .list(out)
        case .comprehension(let body, let vars, let iterable, let condition):
            let seq = eval(iterable, scope, module)
            guard let items = iterate(seq, vars: vars.count, at: iterable.span) else { return .poison }
            var out: [Value] = []
            for item in items {
                let inner = Scope(parent: scope)
                for (v, x) in zip(vars, item) { _ = inner.define(v.name, x) }
                if let condition {
                    guard let keep = boolCondition(eval(condition, inner, module), at: condition.span) else {
                        return .poison
                    }
                    if !keep { continue }
                }
                let v = eval(body, inner, module)
                if v.isPoison { return .poison }
                out.append(v)
            }
            return .list(out)
        case .map(let entries):
            var m = OrderedMap()
            for entry in entries {
                let v = eval(entry.value, scope, module)
                if v.isPoison { return .poison }
                m[entry.key] = v
            }
            return .map(m)
        case .field(let base, let name):
            return field(eval(base, scope, module), name, baseSpan: base.span)
        case .index(let base, let key):
            return index(eval(base, scope, module), eval(key, scope, module), at: e.span, keySpan: key.span)
        case .call(let callee, let args):
            let f = eval(callee, scope, module)
            var values: [ArgumentValue] = []
            for a in args {
                let v = eval(a.value, scope, module)
                values.append(ArgumentValue(label: a.label, value: v, span: a.value.span))
            }
            if f.isPoison || values.contains(where: { $0.value.isPoison }) { return .poison }
            guard case .function(let fn) = f else {
                report(.notCallable(f.typeTag, at: callee.span))
                return .poison
            }
            return call(fn, values, at: e.span, calleeSpan: callee.span)
        case .unary(let op, let operand):
            return unary(op, eval(operand, scope, module), at: e.span)
        case .binary(.and, let l, let r), .binary(.or, let l, let r):
            let isAnd: Bool = if case .binary(.and, _, _) = e.kind { true } else { false }
            let left = eval(l, scope, module)
            if case .bool(let b) = left {
                if isAnd && !b { return .bool(false) }
                if !isAnd && b { return .bool(true) }
                let right = eval(r, scope, module)
                if case .bool = right { return right }
                if case .deferred(let re, let t) = right, t == .bool || t == .any { return .deferred(re, .bool) }
                if right.isPoison { return .poison }
                report(.notBoolean(right.typeTag, operatorName: isAnd ? "and" : "or", at: r.span))
                return .poison
            }
            if case .deferred(let le, let lt) = left, lt == .bool || lt == .any {
                let right = eval(r, scope, module)
                guard let re = right.runtimeExpr, right.typeTag == .bool || right.typeTag == .any else {
                    if !right.isPoison { report(.notBoolean(right.typeTag, operatorName: isAnd ? "and" : "or", at: r.span)) }
                    return .poison
                }
                return .deferred(.call(isAnd ? .and : .or, [le, re]), .bool)
            }
            if left.isPoison { return .poison }
            report(.notBoolean(left.typeTag, operatorName: isAnd ? "and" : "or", at: l.span))
            return .poison
        case .binary(let op, let l, let r):
            return binary(op, eval(l, scope, module), eval(r, scope, module), at: e.span, leftSpan: l.span, rightSpan: r.span)
        case .conditional(let cond, let then, let other):
            guard let c = boolCondition(eval(cond, scope, module), at: cond.span) else { return .poison }
            return c ? eval(then, scope, module) : eval(other, scope, module)
        }
    }

    /// A plan-time boolean for `if`; no truthiness, nothing deferred.
    func boolCondition(_ v: Value, at span: SourceSpan) -> Bool? {
        switch v {
        case .bool(let b): return b
        case .poison: return nil
        case .deferred:
            report(.deferredCondition(at: span))
            return nil
        default:
            report(.conditionNotBoolean(v.typeTag, at: span))
            return nil
        }
    }

    /// The segments a value contributes to a string: one shell word (or
    /// several for a list).
    func interpolate(_ v: Value, at span: SourceSpan) -> [Template.Segment]? {
        switch v {
        case .poison: return nil
        case .string(let t):
            // An empty string is still a word: `test -n ${x}` must see ''.
            if t.segments.isEmpty { return [.word("")] }
            // Text the value's author wrote becomes part of one word here.
            return t.segments.map { seg in
                if case .text(let s) = seg { return .word(s) }
                return seg
            }
        case .int(let i): return [.word(String(i))]
        case .bool(let b): return [.word(b ? "true" : "false")]
        case .duration(let ms): return [.word(Value.formatDuration(ms))]
        case .host(let h): return [.word(inventory.hosts[h].name)]
        case .hosts(let hs):
            return interpolate(.list(hs.map { Value.host($0) }), at: span)
        case .deferred(let e, let t):
            return [.deferred(e, secret: t == .secret || e.containsSecret)]
        case .list(let xs):
            var out: [Template.Segment] = []
            for (i, x) in xs.enumerated() {
                if case .list = x {
                    report(.cannotInterpolate(.list, at: span, nested: true))
                    return nil
                }
                guard let segs = interpolate(x, at: span) else { return nil }
                if i > 0 { out.append(.text(" ")) }
                out.append(contentsOf: segs)
            }
            return out
        default:
            report(.cannotInterpolate(v.typeTag, at: span, nested: false))
            return nil
        }
    }
}

extension RuntimeExpr {
    var containsSecret: Bool {
        switch self {
        case .value(let v): v.isSecret
        case .call(_, let args): args.contains { $0.containsSecret }
        case .output(_, let c, _): c.containsSecret
        default: false
        }
    }
}

struct HostTracking {
    var accessed = false
    /// The top scope of the step body being evaluated, and its locals whose
    /// values depend on the host.
    var stepScope: Scope?
    var dependentLocals: Set<String> = []
}

/// An evaluated argument with where it was written.
struct ArgumentValue {
    let label: Identifier?
    let value: Value
    let span: SourceSpan
}
