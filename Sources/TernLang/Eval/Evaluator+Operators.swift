import TernPlan
import TernSource

extension Evaluator {
    // MARK: fields and indexing

    static let hostFields = ["name", "address", "port", "user", "vars", "groups", "facts"]
    static let hostSetFields = ["first", "last", "names", "count"]

    func field(_ base: Value, _ name: Identifier, baseSpan: SourceSpan) -> Value {
        switch base {
        case .poison: return .poison
        case .module(let m):
            if let v = global(name.name, in: m, at: name.span) { return v }
            report(.unknownMember(name.name, module: m.name, at: name.span, candidates: Array(m.globals.keys) + Array(m.lazyGlobals.keys)))
            return .poison
        case .host(let h):
            let host = inventory.hosts[h]
            switch name.name {
            case "name": return .data(host.name)
            case "address": return .data(host.address)
            case "port": return .int(host.port ?? 22)
            case "user": return host.user.map(Value.data) ?? .null
            case "vars": return .map(inventory.mergedVars(of: h))
            case "groups": return .list(inventory.groupNames(of: h).map(Value.data))
            case "facts": return .map(OrderedMap(Facts.names.map { ($0, .deferred(.fact(host: host.name, name: $0), .string)) }))
            default:
                let vars = inventory.mergedVars(of: h)
                if let v = vars[name.name] { return v }
                report(.unknownHostField(name.name, host: host.name, at: name.span, candidates: Evaluator.hostFields + vars.keys))
                return .poison
            }
        case .hosts(let hs):
            switch name.name {
            case "first", "last":
                guard let h = name.name == "first" ? hs.first : hs.last else {
                    report(.emptyHostSet(name.name, at: name.span))
                    return .poison
                }
                return .host(h)
            case "names": return .list(hs.map { .data(inventory.hosts[$0].name) })
            case "count": return .int(hs.count)
            default:
                report(.unknownField(name.name, of: .hosts, at: name.span, candidates: Evaluator.hostSetFields))
                return .poison
            }
        case .map(let m):
            if let v = m[name.name] { return v }
            report(.missingKey(name.name, at: name.span, candidates: m.keys))
            return .poison
        case .deferred(let e, _):
            return .deferred(.call(.field, [e, .value(.string(name.name))]), .any)
        default:
            report(.unknownField(name.name, of: base.typeTag, at: name.span, candidates: []))
            return .poison
        }
    }

    func index(_ base: Value, _ key: Value, at span: SourceSpan, keySpan: SourceSpan) -> Value {
        if base.isPoison || key.isPoison { return .poison }
        switch (base, key) {
        case (.list(let xs), .int(let i)):
            let j = i < 0 ? xs.count + i : i
            guard xs.indices.contains(j) else {
                report(.indexOutOfRange(i, count: xs.count, at: keySpan))
                return .poison
            }
            return xs[j]
        case (.hosts(let hs), .int(let i)):
            let j = i < 0 ? hs.count + i : i
            guard hs.indices.contains(j) else {
                report(.indexOutOfRange(i, count: hs.count, at: keySpan))
                return .poison
            }
            return .host(hs[j])
        case (.hosts(let hs), .string(let t)):
            let name = t.plainText ?? ""
            if t.containsSecret {
                report(.unknownHost(t.displayText(), at: keySpan, candidates: []))
                return .poison
            }
            if let h = inventory.host(named: name), hs.contains(h) { return .host(h) }
            report(.unknownHost(name, at: keySpan, candidates: hs.map { inventory.hosts[$0].name }))
            return .poison
        case (.map(let m), .string(let t)):
            let k = t.plainText ?? ""
            if let v = m[k] { return v }
            // The key is quoted in the message: a secret one shows as ***.
            report(.missingKey(t.displayText(), at: keySpan, candidates: t.containsSecret ? [] : m.keys))
            return .poison
        case (.deferred(let e, _), _):
            guard let k = key.runtimeExpr else { break }
            return .deferred(.call(.index, [e, k]), .any)
        case (.list, _), (.hosts, _):
            report(.wrongIndexType(key.typeTag, expected: "an int", at: keySpan))
            return .poison
        case (.map, _):
            report(.wrongIndexType(key.typeTag, expected: "a string", at: keySpan))
            return .poison
        default:
            break
        }
        report(.notIndexable(base.typeTag, at: span))
        return .poison
    }

    // MARK: operators

    func unary(_ op: UnaryOp, _ v: Value, at span: SourceSpan) -> Value {
        switch (op, v) {
        case (_, .poison): return .poison
        case (.neg, .int(let i)):
            let (n, o) = Int(0).subtractingReportingOverflow(i)
            if o { report(.overflow(at: span)); return .poison }
            return .int(n)
        case (.neg, .duration):
            report(.badOperand("-", v.typeTag, at: span))
            return .poison
        case (.not, .bool(let b)): return .bool(!b)
        case (.not, .deferred(let e, .bool)), (.not, .deferred(let e, .any)): return .deferred(.call(.not, [e]), .bool)
        default:
            report(.badOperand(op == .neg ? "-" : "not", v.typeTag, at: span))
            return .poison
        }
    }

    func binary(_ op: BinaryOp, _ l: Value, _ r: Value, at span: SourceSpan, leftSpan: SourceSpan, rightSpan: SourceSpan) -> Value {
        if l.isPoison || r.isPoison { return .poison }
        // Lists and maps join at plan time even when they hold run-time values.
        if op == .add {
            switch (l, r) {
            case (.list(let a), .list(let b)): return .list(a + b)
            case (.map(var a), .map(let b)):
                for (k, v) in b.entries { a[k] = v }
                return .map(a)
            default: break
            }
        }
        // Run-time operands: build the expression for the engine.
        if l.isDeferredish || r.isDeferredish {
            guard let le = l.runtimeExpr, let re = r.runtimeExpr, Evaluator.deferredOperator[op] != nil || op == .notIn else {
                report(.badOperands(op.rawValue, l.typeTag, r.typeTag, at: span))
                return .poison
            }
            // `+` joins text only: `read(...) + 1` is as wrong as `"a" + 1`.
            if op == .add, !(TypeTag.string.accepts(l.typeTag) && TypeTag.string.accepts(r.typeTag)) {
                report(.runTimeArithmetic(at: span))
                return .poison
            }
            switch op {
            case .in: return .deferred(.call(.contains, [re, le]), .bool)
            case .notIn: return .deferred(.call(.not, [.call(.contains, [re, le])]), .bool)
            case .add:
                let secret = l.typeTag == .secret || r.typeTag == .secret
                return .deferred(.call(.concat, [le, re]), secret ? .secret : .string)
            default:
                guard let f = Evaluator.deferredOperator[op] else { break }
                return .deferred(.call(f, [le, re]), .bool)
            }
        }
        switch op {
        case .eq: return .bool(equals(l, r))
        case .ne: return .bool(!equals(l, r))
        case .in, .notIn:
            guard let found = contains(r, l, at: span) else { return .poison }
            return .bool(op == .in ? found : !found)
        case .lt, .le, .gt, .ge:
            let order: Int
            switch (l, r) {
            case (.int(let a), .int(let b)), (.duration(let a), .duration(let b)): order = a < b ? -1 : a == b ? 0 : 1
            case (.string(let a), .string(let b)):
                // By Unicode scalars, as the engine compares at run time.
                let x = Array((a.plainText ?? "").unicodeScalars.map(\.value))
                let y = Array((b.plainText ?? "").unicodeScalars.map(\.value))
                order = x.lexicographicallyPrecedes(y) ? -1 : x == y ? 0 : 1
            default:
                report(.badOperands(op.rawValue, l.typeTag, r.typeTag, at: span))
                return .poison
            }
            switch op {
            case .lt: return .bool(order < 0)
            case .le: return .bool(order <= 0)
            case .gt: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .add:
            switch (l, r) {
            case (.int(let a), .int(let b)):
                let (s, o) = a.addingReportingOverflow(b)
                if o { report(.overflow(at: span)); return .poison }
                return .int(s)
            case (.duration(let a), .duration(let b)):
                let (d, o) = a.addingReportingOverflow(b)
                if o { report(.overflow(at: span)); return .poison }
                return .duration(d)
            case (.string(let a), .string(let b)): return .string(a + b)
            case (.list(let a), .list(let b)): return .list(a + b)
            case (.map(var a), .map(let b)):
                for (k, v) in b.entries { a[k] = v }
                return .map(a)
            case (.hosts, _), (.host, _):
                guard let a = hostIndices(l), let b = hostIndices(r) else { break }
                return .hosts(Array(Set(a).union(b)).sorted())
            default: break
            }
        case .sub:
            switch (l, r) {
            case (.int(let a), .int(let b)):
                let (s, o) = a.subtractingReportingOverflow(b)
                if o { report(.overflow(at: span)); return .poison }
                return .int(s)
            case (.duration(let a), .duration(let b)): return .duration(max(0, a - b))
            case (.hosts, _), (.host, _):
                guard let a = hostIndices(l), let b = hostIndices(r) else { break }
                return .hosts(a.filter { !b.contains($0) })
            default: break
            }
        case .mul:
            switch (l, r) {
            case (.int(let a), .int(let b)):
                let (s, o) = a.multipliedReportingOverflow(by: b)
                if o { report(.overflow(at: span)); return .poison }
                return .int(s)
            case (.duration(let a), .int(let b)), (.int(let b), .duration(let a)):
                let (d, o) = a.multipliedReportingOverflow(by: b)
                if o || d < 0 { report(d < 0 && !o ? .negativeDuration(at: span) : .overflow(at: span)); return .poison }
                return .duration(d)
            default: break
            }
        case .div, .mod:
            switch (l, r) {
            case (.duration(let a), .duration(let b)):
                if b == 0 { report(.divisionByZero(at: rightSpan)); return .poison }
                return op == .div ? .int(a / b) : .duration(a % b)  // both >= 0: no overflow
            case (.int(let a), .int(let b)), (.duration(let a), .int(let b)):
                if b == 0 { report(.divisionByZero(at: rightSpan)); return .poison }
                let (q, o) = op == .div ? a.dividedReportingOverflow(by: b) : a.remainderReportingOverflow(dividingBy: b)
                if o { report(.overflow(at: span)); return .poison }
                if case .duration = l { return .duration(q) }
                return .int(q)
            default: break
            }
        case .and, .or: break
        }
        report(.badOperands(op.rawValue, l.typeTag, r.typeTag, at: span))
        return .poison
    }

    static let deferredOperator: [BinaryOp: RuntimeFunction] = [
        .eq: .eq, .ne: .ne, .lt: .lt, .le: .le, .gt: .gt, .ge: .ge, .add: .concat, .in: .contains,
    ]

    func hostIndices(_ v: Value) -> [Int]? {
        switch v {
        case .host(let h): [h]
        case .hosts(let hs): hs
        default: nil
        }
    }

    func contains(_ container: Value, _ item: Value, at span: SourceSpan) -> Bool? {
        switch container {
        case .list(let xs): return xs.contains { equals($0, item) }
        case .map(let m):
            guard case .string(let t) = item else { break }
            return m[t.plainText ?? ""] != nil
        case .string(let t):
            guard case .string(let s) = item else { break }
            let hay = t.plainText ?? "", needle = s.plainText ?? ""
            return needle.isEmpty || hay.contains(needle)
        case .hosts(let hs):
            guard case .host(let h) = item else { break }
            return hs.contains(h)
        default: break
        }
        report(.badOperands("in", item.typeTag, container.typeTag, at: span))
        return nil
    }

    /// Deep equality of plan-time values; strings compare by their text.
    func equals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)), (.duration(let x), .duration(let y)): return x == y
        case (.string(let x), .string(let y)):
            // Scalar by scalar: "é" and "e\u{301}" differ, as they do at run time.
            return (x.plainText ?? "").unicodeScalars.elementsEqual((y.plainText ?? "").unicodeScalars)
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equals($0, $1) }
        case (.map(let x), .map(let y)):
            return x.count == y.count && x.entries.allSatisfy { e in y[e.key].map { equals(e.value, $0) } ?? false }
        case (.host(let x), .host(let y)): return x == y
        case (.hosts(let x), .hosts(let y)): return x == y
        case (.step(let x), .step(let y)): return x == y
        case (.module(let x), .module(let y)): return x === y
        default: return false
        }
    }

    /// Items of a `for` or comprehension, each as the tuple of loop
    /// variables: one (item) or two (index and item, or key and value).
    func iterate(_ seq: Value, vars: Int, at span: SourceSpan) -> [[Value]]? {
        switch seq {
        case .poison: return nil
        case .list(let xs):
            return vars == 1 ? xs.map { [$0] } : xs.enumerated().map { [.int($0.offset), $0.element] }
        case .hosts(let hs):
            return vars == 1 ? hs.map { [.host($0)] } : hs.enumerated().map { [.int($0.offset), .host($0.element)] }
        case .map(let m):
            return vars == 1 ? m.keys.map { [.data($0)] } : m.entries.map { [.data($0.key), $0.value] }
        case .deferred:
            report(.deferredIteration(at: span))
            return nil
        default:
            report(.notIterable(seq.typeTag, at: span))
            return nil
        }
    }
}

/// Host facts a playbook may refer to; gathered on the host at run time.
public enum Facts {
    public static let names = [
        "os_family", "os_id", "os_version", "pkg_manager", "init_system", "arch", "hostname", "kernel",
    ]
}
