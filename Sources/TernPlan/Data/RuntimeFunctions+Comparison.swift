/// Equality and order as the builtins define them. Text is compared by
/// Unicode scalars, never by canonical equivalence (which Swift's `==` on
/// `String` uses): hosts, files and checksums compare bytes, so Tern does too.
extension RuntimeFunctions {
    /// Deep equality: strings compare by Unicode scalars (a secret equals the
    /// plain string with the same text), lists element by element, maps by
    /// their sets of keys regardless of the order in which they were written.
    public static func equal(_ a: PlanValue, _ b: PlanValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.list(let xs), .list(let ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { equal($0, $1) }
        case (.map(let xs), .map(let ys)):
            guard xs.count == ys.count else { return false }
            var byKey: [[UInt8]: PlanValue] = [:]
            for e in ys where byKey[Array(e.key.utf8)] == nil { byKey[Array(e.key.utf8)] = e.value }
            return byKey.count == ys.count
                && xs.allSatisfy { e in byKey[Array(e.key.utf8)].map { equal(e.value, $0) } ?? false }
        default:
            guard let x = text(a), let y = text(b) else { return false }
            return sameText(x, y)
        }
    }

    /// How Tern names the kind of a value in messages; never its content.
    static func kind(of v: PlanValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "a bool"
        case .int: "an int"
        case .string: "a string"
        case .secret: "a secret string"
        case .list: "a list"
        case .map: "a map"
        }
    }

    /// The text of a plain or secret string.
    static func text(_ v: PlanValue) -> String? {
        switch v {
        case .string(let s), .secret(let s): s
        default: nil
        }
    }

    static func sameText(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// -1, 0 or 1; ints numerically, strings by Unicode scalar values.
    static func compare(_ a: PlanValue, _ b: PlanValue, _ f: RuntimeFunction) throws(RuntimeFunctionError)
        -> Int
    {
        if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : x == y ? 0 : 1 }
        if let x = text(a), let y = text(b) {
            if sameText(x, y) { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1
        }
        throw .mixedComparison(f, a, b)
    }
}
