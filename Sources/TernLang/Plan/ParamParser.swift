import TernPlan

/// Parses `-p NAME=VALUE` text as the type the parameter's default (or
/// declared type) has: `-p size=50` is an int only where an int is expected.
enum ParamParser {
    static func parse(_ text: String, as type: TypeTag) -> Value? {
        switch type {
        case .string, .any: return .data(text)
        case .secret: return .string(Template([.secret(text)]))
        case .int: return Int(text).map(Value.int)
        case .bool:
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return nil
            }
        case .duration: return duration(text).map(Value.duration)
        case .list, .map:
            guard let p = try? JSONCodec.decode(text) else { return nil }
            let v = Value(plan: p)
            return v.typeTag == type ? v : nil
        default: return nil
        }
    }

    /// `30s`, `2m`, `1h30m`, `500ms`, `1d`.
    static func duration(_ text: String) -> Int? {
        var total = 0
        var number = ""
        var unit = ""
        func flush() -> Bool {
            guard let n = Int(number), let f = ["ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000][unit] else {
                return false
            }
            let (part, o1) = n.multipliedReportingOverflow(by: f)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return false }
            total = sum
            number = ""
            unit = ""
            return true
        }
        for c in text {
            if c.isASCII, c.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(c)
            } else if c.isASCII, c.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(c)
            } else {
                return nil
            }
        }
        guard !number.isEmpty, flush() else { return nil }
        return total
    }
}
