/// Plain data as the plan and the engine see it: what a value known at plan
/// time turns into, and what a deferred value becomes at run time.
public indirect enum PlanValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    /// A secret string: printed as `***` everywhere.
    case secret(String)
    case list([PlanValue])
    /// Keys keep the order in which they were written.
    case map([PlanEntry])

    /// The texts of every secret inside.
    public var secretTexts: [String] {
        switch self {
        case .secret(let s): [s]
        case .list(let xs): xs.flatMap(\.secretTexts)
        case .map(let es): es.flatMap(\.value.secretTexts)
        default: []
        }
    }

    public var isSecret: Bool {
        switch self {
        case .secret: true
        case .list(let xs): xs.contains { $0.isSecret }
        case .map(let es): es.contains { $0.value.isSecret }
        default: false
        }
    }
}

public struct PlanEntry: Sendable, Hashable {
    public let key: String
    public let value: PlanValue
    public init(_ key: String, _ value: PlanValue) {
        self.key = key
        self.value = value
    }
}

/// A value known only at run time, as a small pure expression over what a
/// host will say: a file's contents, a command's output, a fact. The engine
/// evaluates it when every node it depends on (`Deferred.after`) is done.
public indirect enum RuntimeExpr: Sendable, Hashable, CustomStringConvertible {
    case value(PlanValue)
    /// A file's contents on `host`, read once the steps `after` have run there.
    case readFile(host: String, path: String, after: [String])
    /// A command's standard output on `host`, run once the steps `after` have run there.
    case output(host: String, command: Template, after: [String])
    case fact(host: String, name: String)
    /// The standard output of the last command action of a step on a host.
    case stepOutput(step: String, host: String)
    case call(RuntimeFunction, [RuntimeExpr])

    public var description: String {
        switch self {
        case .value(let v): return PlanValueFormat.inline(v)
        case .readFile(let h, let p, let after):
            return "read(\(h), \(PlanValueFormat.quoted(p))\(Self.afterSuffix(after)))"
        case .output(let h, let c, let after):
            return "read(\(h), cmd: \(PlanValueFormat.quoted(c.shellCommand(redacted: true)))\(Self.afterSuffix(after)))"
        case .fact(let h, let n): return "\(h).facts.\(n)"
        case .stepOutput(let s, let h): return "output(\(s), \(h))"
        case .call(let f, let args): return "\(f.rawValue)(\(args.map(\.description).joined(separator: ", ")))"
        }
    }

    /// The hosts whose state this value reads.
    public var hostsRead: Set<String> {
        switch self {
        case .value: return []
        case .readFile(let h, _, _), .fact(let h, _), .stepOutput(_, let h): return [h]
        case .output(let h, _, _): return [h]
        case .call(_, let args): return args.reduce(into: []) { $0.formUnion($1.hostsRead) }
        }
    }

    /// The nodes whose completion this value waits for: a data reference
    /// waits for exactly the instances it reads.
    public var nodesRead: [NodeRef] {
        switch self {
        case .value, .fact: return []
        case .stepOutput(let s, let h): return [NodeRef(step: s, host: h)]
        case .readFile(let h, _, let after): return after.map { NodeRef(step: $0, host: h) }
        case .output(let h, let c, let after):
            return after.map { NodeRef(step: $0, host: h) } + c.deferredExprs.flatMap(\.nodesRead)
        case .call(_, let args): return args.flatMap(\.nodesRead)
        }
    }

    private static func afterSuffix(_ after: [String]) -> String {
        after.isEmpty ? "" : ", after: " + (after.count == 1 ? after[0] : "[" + after.joined(separator: ", ") + "]")
    }
}

/// The pure functions a deferred value may apply; a closed set so that the
/// engine can evaluate every one of them.
public enum RuntimeFunction: String, Sendable, Hashable, CaseIterable {
    case concat, base64, base64_decode, sha256, json, parse_json, yaml, trim, lines, upper, lower
    case len, join, split, index, field, contains, eq, ne, lt, le, gt, ge, not, and, or, str, int
}

/// Compact, deterministic one-line rendering of plan values.
public enum PlanValueFormat {
    public static func inline(_ v: PlanValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .string(let s): return quoted(s)
        case .secret: return "***"
        case .list(let xs): return "[" + xs.map(inline).joined(separator: ", ") + "]"
        case .map(let es):
            return "{" + es.map { "\($0.key): \(inline($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    /// A double-quoted string with the escapes Tern's lexer reads back.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "$": out += "\\$"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\u{" + String(u.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
