import TernPlan

/// Conversions between language values and plan data, and the display form
/// of values (the REPL and messages use it; secrets print as `***`).
extension Value {
    /// Plain data, or nil for values that are not data (hosts, actions,
    /// functions, deferred values).
    public var planValue: PlanValue? {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .duration(let ms): return .string(Value.formatDuration(ms))
        case .string(let t):
            guard let text = t.plainText else { return nil }
            return t.containsSecret ? .secret(text) : .string(text)
        case .list(let xs):
            var out: [PlanValue] = []
            for x in xs {
                guard let p = x.planValue else { return nil }
                out.append(p)
            }
            return .list(out)
        case .map(let m):
            var out: [PlanEntry] = []
            for (k, v) in m.entries {
                guard let p = v.planValue else { return nil }
                out.append(PlanEntry(k, p))
            }
            return .map(out)
        default: return nil
        }
    }

    /// A value from plan data: strings are data (quoted in commands).
    public init(plan: PlanValue) {
        switch plan {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .string(let s): self = .data(s)
        case .secret(let s): self = .string(Template([.secret(s)]))
        case .list(let xs): self = .list(xs.map(Value.init(plan:)))
        case .map(let es): self = .map(OrderedMap(es.map { ($0.key, Value(plan: $0.value)) }))
        }
    }

    /// The run-time expression for this value, for building deferred values.
    public var runtimeExpr: RuntimeExpr? {
        switch self {
        case .deferred(let e, _): return e
        case .string(let t) where !t.isKnown:
            let parts: [RuntimeExpr] = t.segments.map { seg in
                switch seg {
                case .text(let s), .raw(let s), .word(let s): .value(.string(s))
                case .secret(let s): .value(.secret(s))
                case .deferred(let e, _): e
                }
            }
            return parts.count == 1 ? parts[0] : .call(.concat, parts)
        case .list, .map:
            // A collection holding run-time values is not one run-time
            // expression; callers report that where it matters.
            return isDeferredish ? nil : planValue.map(RuntimeExpr.value)
        default:
            return planValue.map(RuntimeExpr.value)
        }
    }

    /// The same value with every string marked as data: what a parameter or
    /// an inventory variable holds, so that it is quoted wherever it goes,
    /// however it was set (a default in the file or `-p` on the command line).
    public var asData: Value {
        switch self {
        case .string(let t):
            return .string(Template(t.segments.map { seg in
                if case .text(let s) = seg { return .word(s) }
                return seg
            }))
        case .list(let xs): return .list(xs.map(\.asData))
        case .map(let m): return .map(OrderedMap(m.entries.map { ($0.key, $0.value.asData) }))
        default: return self
        }
    }

    /// True for values that hold something known only at run time.
    public var isDeferredish: Bool {
        switch self {
        case .deferred: true
        case .string(let t): !t.isKnown
        case .list(let xs): xs.contains { $0.isDeferredish }
        case .map(let m): m.entries.contains { $0.value.isDeferredish }
        default: false
        }
    }

    public static func formatDuration(_ ms: Int) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var out = ""
        for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if rest >= size {
                out += "\(rest / size)\(unit)"
                rest %= size
            }
        }
        return out
    }
}
