import TernPlan
import TernSource

/// Evaluates `step` declarations into plan steps and nodes.
///
/// Targets and options are evaluated once per step; `when:` and the body
/// once per target host, with `host` bound. After a host's body reports an
/// error, the step's remaining hosts are not evaluated: they would only
/// repeat the message.
final class StepEvaluation {
    let ev: Evaluator
    let module: Module
    /// Label of each statement, by its span: computed once, shared by the
    /// actions of every host (a step body runs once per host).
    private var labels: [SourceSpan: [String]] = [:]
    private var warned: Set<SourceSpan> = []

    init(ev: Evaluator, module: Module) {
        self.ev = ev
        self.module = module
    }

    static let optionNames = ["retries", "delay", "timeout", "become", "once", "serial", "when"]

    func evaluate(_ steps: [StepDeclSyntax]) -> ([StepDecl], [NodeSpec]) {
        var decls: [StepDecl] = []
        var plans: [(StepDeclSyntax, [Int], StepOption?)] = []
        for s in steps {
            let targets = hostList(ev.eval(s.targets, nil, module), at: s.targets.span)
            var options = StepOptions()
            options.handler = s.isHandler
            var when: StepOption?
            var seen: Set<String> = []
            for o in s.options {
                if !seen.insert(o.name.name).inserted {
                    ev.report(.optionGivenTwice(o.name.name, at: o.name.span))
                    continue
                }
                if o.name.name == "when" { when = o; continue }
                apply(o, to: &options)
            }
            if targets.isEmpty, ev.diagnostics.errorCount == 0 {
                ev.report(.stepWithoutHosts(s.name.name, at: s.targets.span))
            }
            let hostNames = targets.map { ev.inventory.hosts[$0].name }
            decls.append(StepDecl(
                name: s.name.name, span: s.name.span, targets: hostNames, after: s.after.map(\.name),
                afterSpans: s.after.map(\.span), options: options))
            plans.append((s, options.once ? Array(targets.prefix(1)) : targets, when))
        }

        // A read(..., after: S) must read S where S runs.
        let targetsByStep = Dictionary(decls.map { ($0.name, Set($0.targets)) }, uniquingKeysWith: { a, _ in a })
        var nodes: [NodeSpec] = []
        for (s, hosts, when) in plans {
            let errorsBefore = ev.diagnostics.errorCount
            var cache = BodyCache()
            for h in hosts {
                ev.currentHost = h
                defer { ev.currentHost = nil }
                let ref = NodeRef(step: s.name.name, host: ev.inventory.hosts[h].name)
                let condition = evaluateWhen(when)
                var collected: [CollectedAction] = []
                if condition != .never {
                    collected = runBody(s.body, cache: &cache)
                }
                if ev.diagnostics.errorCount > errorsBefore { break }
                let actions = label(collected, warnUnchecked: !s.isHandler)
                var deps: [DataDependency] = []
                for a in actions {
                    for n in a.deferredExprs.flatMap(\.nodesRead) where targetsByStep[n.step]?.contains(n.host) == true {
                        deps.append(DataDependency(node: n, span: a.span))
                    }
                }
                if case .deferred(let e) = condition, let w = when {
                    for n in e.nodesRead where targetsByStep[n.step]?.contains(n.host) == true {
                        deps.append(DataDependency(node: n, span: w.value.span))
                    }
                }
                nodes.append(NodeSpec(ref: ref, actions: actions, condition: condition, dataDependencies: deps))
            }
        }
        for (ref, span) in ev.readDependencies where targetsByStep[ref.step].map({ !$0.contains(ref.host) }) ?? false {
            ev.report(.stepNotOnHostRead(ref, at: span, targets: decls.first { $0.name == ref.step }?.targets ?? []))
        }
        return (decls, nodes)
    }

    /// Results of the top-level statements of a step body that did not
    /// depend on the host, by statement index: computed for the first host,
    /// reused for the others. A `let` that looked at the host makes every
    /// statement that reads it host-dependent too.
    struct BodyCache {
        struct Entry {
            let actions: [CollectedAction]
            let binding: (name: String, value: Value)?
        }
        var entries: [Int: Entry] = [:]
        var filled = false
    }

    func runBody(_ body: [Stmt], cache: inout BodyCache) -> [CollectedAction] {
        let scope = Scope()
        ev.hostTracking = HostTracking(accessed: false, stepScope: scope, dependentLocals: [])
        defer { ev.hostTracking = HostTracking() }
        var collected: [CollectedAction] = []
        for (i, stmt) in body.enumerated() {
            if let entry = cache.entries[i] {
                collected.append(contentsOf: entry.actions)
                if let b = entry.binding { _ = scope.define(b.name, b.value) }
                continue
            }
            ev.hostTracking.accessed = false
            let before = collected.count
            _ = ev.exec([stmt], scope, module, mode: .step, into: &collected)
            var binding: (String, Value)?
            if case .let(let name, _) = stmt.kind {
                if ev.hostTracking.accessed {
                    ev.hostTracking.dependentLocals.insert(name.name)
                } else {
                    binding = scope.lookup(name.name).map { (name.name, $0) }
                }
            }
            if !cache.filled, !ev.hostTracking.accessed {
                cache.entries[i] = BodyCache.Entry(actions: Array(collected[before...]), binding: binding)
            }
        }
        cache.filled = true
        return collected
    }

    /// Host indices from `on`: a host, a host set, or a list of them.
    func hostList(_ v: Value, at span: SourceSpan) -> [Int] {
        switch v {
        case .host(let h): return [h]
        case .hosts(let hs): return hs
        case .list(let xs):
            var out: [Int] = []
            for x in xs {
                switch x {
                case .host(let h): out.append(h)
                case .hosts(let hs): out.append(contentsOf: hs)
                case .poison: return []
                default:
                    ev.report(.targetsNotHosts(x.typeTag, at: span))
                    return []
                }
            }
            return Array(Set(out)).sorted()
        case .poison: return []
        default:
            ev.report(.targetsNotHosts(v.typeTag, at: span))
            return []
        }
    }

    func apply(_ o: StepOption, to options: inout StepOptions) {
        let v = ev.eval(o.value, nil, module)
        if v.isPoison { return }
        func bad(_ expected: String) {
            var hint: String?
            if expected.contains("duration"), case .int(let n) = v { hint = "write a unit: \(n)s" }
            ev.report(.badOption(o.name.name, expected: expected, got: v.typeTag, at: o.value.span, hint: hint))
        }
        switch (o.name.name, v) {
        case ("retries", .int(let n)) where n >= 0: options.retries = n
        case ("retries", _): bad("an int of 0 or more")
        case ("delay", .duration(let d)): options.delayMillis = d
        case ("delay", _): bad("a duration such as 5s")
        case ("timeout", .duration(let d)) where d > 0: options.timeoutMillis = d
        case ("timeout", _): bad("a positive duration such as 2m")
        case ("become", .bool(let b)): options.become = b ? "root" : nil
        case ("become", .string(let t)) where t.isKnown && !(t.plainText ?? "").isEmpty: options.become = t.plainText
        case ("become", _): bad("true, false or a user name")
        case ("once", .bool(let b)): options.once = b
        case ("once", _): bad("a bool")
        case ("serial", .int(let n)) where n > 0: options.serial = n
        case ("serial", _): bad("a positive int")
        default:
            ev.report(.unknownOption(o.name.name, at: o.name.span, candidates: StepEvaluation.optionNames))
        }
    }

    func evaluateWhen(_ when: StepOption?) -> Condition {
        guard let when else { return .always }
        let v = ev.eval(when.value, nil, module)
        switch v {
        case .bool(let b): return b ? .always : .never
        case .deferred(let e, .bool), .deferred(let e, .any): return .deferred(e)
        case .poison: return .always
        default:
            ev.report(.conditionNotBoolean(v.typeTag, at: when.value.span))
            return .always
        }
    }

    /// Gives each action the text of the statement that produced it, and
    /// warns (once per statement) about actions that cannot be checked —
    /// except in handlers, which run only after a change and need no check.
    func label(_ collected: [CollectedAction], warnUnchecked: Bool) -> [Action] {
        var counts: [Int: Int] = [:]
        for c in collected { counts[c.statement.start, default: 0] += 1 }
        var seen: [Int: Int] = [:]
        return collected.map { c in
            let n = counts[c.statement.start] ?? 1
            let i = (seen[c.statement.start] ?? 0) + 1
            seen[c.statement.start] = i
            let text = statementLabel(c.statement, part: i, of: n)
            let action = Action(kind: c.action.kind, label: text, span: c.statement, lock: c.action.lock, notify: c.action.notify)
            if warnUnchecked, !action.hasCheck, warned.insert(c.statement).inserted {
                ev.diagnostics.add(.actionWithoutCheck(c.action.primitive, at: c.statement))
            }
            return action
        }
    }

    /// "pkg.installed "x"", or with `[i/n]` when the statement made n actions.
    func statementLabel(_ span: SourceSpan, part i: Int, of n: Int) -> String {
        if let ls = labels[span], ls.count == n { return ls[i - 1] }
        let base = StepEvaluation.oneLine(span.text)
        let ls = n == 1 ? [base] : (1...n).map { "\(base) [\($0)/\(n)]" }
        labels[span] = ls
        return ls[i - 1]
    }

    static func oneLine(_ s: String) -> String {
        let collapsed = s.split(whereSeparator: { $0 == "\n" || $0 == " " || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        return collapsed.count > 100 ? String(collapsed.prefix(99)) + "…" : collapsed
    }
}
