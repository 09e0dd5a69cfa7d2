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
        case .duration: return DurationText.millis(text).map(Value.duration)
        case .list, .map:
            guard let p = try? JSONCodec.decode(text) else { return nil }
            let v = Value(plan: p)
            return v.typeTag == type ? v : nil
        default: return nil
        }
    }
}
