/// The pure functions behind Tern's builtins, over plain `PlanValue`s: the
/// evaluator calls them when the arguments are known at plan time, and the
/// engine calls the same code when a deferred value (`RuntimeExpr.call`)
/// becomes known at run time, so the two can never disagree.
///
/// Types are strict, as in the rest of Tern: no truthiness, no implicit
/// conversion between ints and strings (`str` and `int` convert), `and`/`or`
/// take bools only. A secret string is a string wherever a string is
/// expected. Text is compared by Unicode scalars, never by canonical
/// equivalence, because hosts compare bytes: `eq("é", "e\u{301}")` is false,
/// `lt` orders by scalar value, `len` counts scalars.
///
/// Secrets taint what is computed from them: when any argument contains a
/// secret, every string in the result is secret (`concat`, `split`, `json`,
/// `parse_json`, ...). `index` and `field` are the exception: they select a
/// value that already carries its own secrecy, so `field(config, "host")`
/// stays a plain string even when `config` also holds a password — unless
/// the key itself is secret. An int or bool cannot be secret, so `len`,
/// `eq` and the like reveal that much about a secret; `int` refuses a secret
/// rather than reveal all of it.
public enum RuntimeFunctions {
    public static func apply(_ f: RuntimeFunction, _ args: [PlanValue]) throws(RuntimeFunctionError) -> PlanValue {
        let result = try evaluate(f, Arguments(function: f, values: args))
        let tainting = f == .index || f == .field ? args.dropFirst() : args[...]
        return tainting.contains(where: \.isSecret) ? secretStrings(result) : result
    }

    private static func evaluate(_ f: RuntimeFunction, _ a: Arguments) throws(RuntimeFunctionError) -> PlanValue {
        switch f {
        case .concat:
            var out = ""
            for position in a.values.indices { out += try a.string(position) }
            return .string(out)
        case .base64:
            try a.expect(1)
            return .string(Base64.encode(Array(try a.string(0).utf8)))
        case .base64_decode:
            try a.expect(1)
            return .string(try decodeBase64(a.string(0), secret: a.values[0].isSecret))
        case .sha256:
            try a.expect(1)
            return .string(SHA256.hex(Array(try a.string(0).utf8)))
        case .json:
            try a.expect(1)
            do {
                return .string(try JSONCodec.encode(a.values[0], pretty: false))
            } catch {
                throw .data(f, error, what: "cannot write JSON")
            }
        case .parse_json:
            try a.expect(1)
            return try parseJSON(a.string(0), secret: a.values[0].isSecret)
        case .yaml:
            try a.expect(1)
            return .string(YAMLEmitter.encode(a.values[0]))
        case .trim:
            try a.expect(1)
            return .string(trim(try a.string(0)))
        case .lines:
            try a.expect(1)
            return .list(lines(try a.string(0)).map(PlanValue.string))
        case .upper:
            try a.expect(1)
            return .string(try a.string(0).uppercased())
        case .lower:
            try a.expect(1)
            return .string(try a.string(0).lowercased())
        case .len:
            try a.expect(1)
            switch a.values[0] {
            case .string(let s), .secret(let s): return .int(s.unicodeScalars.count)
            case .list(let xs): return .int(xs.count)
            case .map(let es): return .int(es.count)
            default: throw a.wrongType(0, expected: "a string, a list or a map")
            }
        case .join:
            try a.expect(2)
            let separator = try a.string(1)
            var parts: [String] = []
            for (n, x) in try a.list(0).enumerated() {
                guard let s = text(x) else {
                    throw .elementType(f, index: n, expected: "a string", got: x, help: "convert it with str()")
                }
                parts.append(s)
            }
            return .string(parts.joined(separator: separator))
        case .split:
            try a.expect(2)
            let separator = try a.string(1)
            guard !separator.isEmpty else { throw .emptySeparator }
            return .list(split(try a.string(0), by: separator).map(PlanValue.string))
        case .index:
            try a.expect(2)
            switch (a.values[0], a.values[1]) {
            case (.list(let xs), .int(let i)):
                let position = i < 0 ? xs.count + i : i
                guard xs.indices.contains(position) else { throw .indexOutOfRange(i, count: xs.count) }
                return xs[position]
            case (.list, _): throw a.wrongType(1, expected: "an int to index a list")
            case (.map(let es), _): return try lookUp(es, a.values[1], a)
            default: throw a.wrongType(0, expected: "a list or a map")
            }
        case .field:
            try a.expect(2)
            guard case .map(let es) = a.values[0] else { throw a.wrongType(0, expected: "a map") }
            return try lookUp(es, a.values[1], a)
        case .contains:
            try a.expect(2)
            switch a.values[0] {
            case .string(let s), .secret(let s):
                let part = try a.string(1)
                return .bool(part.isEmpty || Substring(s).range(of: part) != nil)
            case .list(let xs):
                return .bool(xs.contains { equal($0, a.values[1]) })
            case .map(let es):
                let key = try a.string(1)
                return .bool(es.contains { sameText($0.key, key) })
            default:
                throw a.wrongType(0, expected: "a string, a list or a map")
            }
        case .eq, .ne:
            try a.expect(2)
            return .bool(equal(a.values[0], a.values[1]) == (f == .eq))
        case .lt, .le, .gt, .ge:
            try a.expect(2)
            let order = try compare(a.values[0], a.values[1], f)
            switch f {
            case .lt: return .bool(order < 0)
            case .le: return .bool(order <= 0)
            case .gt: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .not:
            try a.expect(1)
            return .bool(!(try a.bool(0)))
        case .and, .or:
            guard a.values.count >= 2 else {
                throw .argumentCount(f, expected: "at least 2 arguments", got: a.values.count)
            }
            var bools: [Bool] = []
            for position in a.values.indices { bools.append(try a.bool(position)) }
            return .bool(f == .and ? bools.allSatisfy { $0 } : bools.contains(true))
        case .str:
            try a.expect(1)
            switch a.values[0] {
            case .int(let i): return .string(String(i))
            case .bool(let b): return .string(b ? "true" : "false")
            case .string, .secret: return a.values[0]
            default: throw a.wrongType(0, expected: "an int, a bool or a string (json() writes lists and maps)")
            }
        case .int:
            try a.expect(1)
            switch a.values[0] {
            case .int: return a.values[0]
            case .secret: throw .secretToInt
            case .string(let s):
                guard let i = Int(s, radix: 10) else { throw .notAnInteger(s) }
                return .int(i)
            default: throw a.wrongType(0, expected: "a string or an int")
            }
        }
    }

    /// Every string in `v` made secret.
    private static func secretStrings(_ v: PlanValue) -> PlanValue {
        switch v {
        case .string(let s): .secret(s)
        case .list(let xs): .list(xs.map(secretStrings))
        case .map(let es): .map(es.map { PlanEntry($0.key, secretStrings($0.value)) })
        default: v
        }
    }

    /// The value of the last entry named `key`, as when JSON repeats a key.
    private static func lookUp(_ entries: [PlanEntry], _ key: PlanValue, _ a: Arguments) throws(RuntimeFunctionError)
        -> PlanValue
    {
        guard let name = text(key) else { throw a.wrongType(1, expected: "a string to look up in a map") }
        guard let entry = entries.last(where: { sameText($0.key, name) }) else {
            throw .missingKey(a.function, key, keys: entries.map(\.key))
        }
        return entry.value
    }

    private static func decodeBase64(_ text: String, secret: Bool) throws(RuntimeFunctionError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try Base64.decode(text)
        } catch {
            throw .data(.base64_decode, error, what: secret ? "the secret is not base64" : "not base64")
        }
        let decoded = String(decoding: bytes, as: UTF8.self)
        guard decoded.utf8.elementsEqual(bytes) else { throw .notUTF8 }
        return decoded
    }

    private static func parseJSON(_ text: String, secret: Bool) throws(RuntimeFunctionError) -> PlanValue {
        do {
            return try JSONCodec.decode(text)
        } catch {
            throw .data(.parse_json, error, what: secret ? "the secret is not valid JSON" : "not valid JSON")
        }
    }
}

/// One call's arguments, with checks that name the function and the
/// 1-based position of a wrong argument.
private struct Arguments {
    let function: RuntimeFunction
    let values: [PlanValue]

    func expect(_ count: Int) throws(RuntimeFunctionError) {
        guard values.count == count else {
            let expected = count == 1 ? "1 argument" : "\(count) arguments"
            throw .argumentCount(function, expected: expected, got: values.count)
        }
    }

    func string(_ position: Int) throws(RuntimeFunctionError) -> String {
        switch values[position] {
        case .string(let s), .secret(let s): return s
        default: throw wrongType(position, expected: "a string")
        }
    }

    func bool(_ position: Int) throws(RuntimeFunctionError) -> Bool {
        guard case .bool(let b) = values[position] else { throw wrongType(position, expected: "a bool") }
        return b
    }

    func list(_ position: Int) throws(RuntimeFunctionError) -> [PlanValue] {
        guard case .list(let xs) = values[position] else { throw wrongType(position, expected: "a list") }
        return xs
    }

    func wrongType(_ position: Int, expected: String) -> RuntimeFunctionError {
        .argumentType(function, position: position + 1, expected: expected, got: values[position])
    }
}
