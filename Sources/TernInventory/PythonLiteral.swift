import TernPlan

/// Values in INI inventories.
///
/// Ansible passes every INI value, on host lines and in `:vars` sections,
/// through Python's `ast.literal_eval`, and keeps the text when that fails.
/// So `port=8080` is the number 8080, `debug=True` a boolean, `tags=['a', 'b']`
/// a list, `name="8080"` the string "8080", and `motd=hello world` the text as
/// written. Tern does the same with two deliberate differences:
///
/// - lowercase `true` and `false` are booleans too (to Python they are
///   unknown names, so Ansible keeps them as strings, which surprises people);
/// - on host lines the literal is read from the value as written, before the
///   shell-style unquoting that splits the line into words, so that a quoted
///   value stays a string (`id="007"`) and a list of quoted strings is a list.
///   Ansible unquotes first, which turns `id="42"` into a number.
///
/// Floats become strings, since plan values have no floating point.
enum INIValue {
    /// - Parameters:
    ///   - raw: the value as written in the file.
    ///   - plain: the same value with shell quoting removed (equal to `raw`
    ///     in `:vars` sections, which Ansible does not unquote).
    static func parse(raw: String, plain: String) -> PlanValue {
        if let value = PythonLiteral.parse(raw) { return value }
        switch plain {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: return .string(plain)
        }
    }
}

/// The subset of Python literal syntax that `ast.literal_eval` accepts and
/// that inventories use: strings (with escapes, and adjacent strings joined),
/// integers (decimal, `0x`, `0o`, `0b`, with `_` separators), floats, `True`,
/// `False`, `None`, lists, tuples, sets and dicts. A `#` outside a string
/// starts a comment, as in Python.
struct PythonLiteral {
    private let b: [UInt8]
    private var i = 0

    private init(_ text: String) { b = Array(text.utf8) }

    /// The value, or nil when the text is not exactly one literal.
    static func parse(_ text: String) -> PlanValue? {
        var p = PythonLiteral(text)
        p.skipSpace()
        guard let value = p.value() else { return nil }
        p.skipSpace()
        return p.i == p.b.count ? value : nil
    }

    private var peek: UInt8? { i < b.count ? b[i] : nil }

    private mutating func skipSpace() {
        while let c = peek {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") {
                i += 1
            } else if c == UInt8(ascii: "#") {
                i = b.count
            } else {
                return
            }
        }
    }

    private mutating func value() -> PlanValue? {
        guard let c = peek else { return nil }
        switch c {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return strings()
        case UInt8(ascii: "["): return items(until: UInt8(ascii: "]")).map { .list($0.values) }
        case UInt8(ascii: "("):
            guard let (values, commas) = items(until: UInt8(ascii: ")")) else { return nil }
            // `(1)` is just 1; `(1,)` and `()` are tuples.
            return values.count == 1 && !commas ? values[0] : .list(values)
        case UInt8(ascii: "{"): return braces()
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return number()
        default: return name()
        }
    }

    /// Comma-separated values up to `close`; also says whether any comma was seen.
    private mutating func items(until close: UInt8) -> (values: [PlanValue], commas: Bool)? {
        i += 1
        var values: [PlanValue] = []
        var commas = false
        skipSpace()
        while peek != close {
            guard let v = value() else { return nil }
            values.append(v)
            skipSpace()
            if peek == UInt8(ascii: ",") {
                commas = true
                i += 1
                skipSpace()
            } else if peek != close {
                return nil
            }
        }
        i += 1
        return (values, commas)
    }

    /// `{}` and `{k: v, ...}` are dicts; `{a, b}` is a set (a list here).
    private mutating func braces() -> PlanValue? {
        let start = i
        i += 1
        skipSpace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return .map([])
        }
        guard value() != nil else { return nil }
        skipSpace()
        guard peek == UInt8(ascii: ":") else {
            i = start
            return items(until: UInt8(ascii: "}")).map { .list($0.values) }
        }
        i = start + 1
        var entries = OrderedVars()
        skipSpace()
        while peek != UInt8(ascii: "}") {
            guard let key = value().flatMap(Self.keyText) else { return nil }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace()
            guard let v = value() else { return nil }
            entries.set(key, v)
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
                skipSpace()
            } else if peek != UInt8(ascii: "}") {
                return nil
            }
        }
        i += 1
        return .map(entries.entries)
    }

    /// Dict keys as Python would print them; unhashable keys fail, as in Python.
    private static func keyText(_ v: PlanValue) -> String? {
        switch v {
        case .string(let s): s
        case .int(let n): String(n)
        case .bool(let x): x ? "True" : "False"
        case .null: "None"
        default: nil
        }
    }

    private mutating func name() -> PlanValue? {
        let start = i
        while let c = peek, c.isWordCharacter { i += 1 }
        switch String(decoding: b[start..<i], as: UTF8.self) {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .null
        default: return nil
        }
    }

    private mutating func number() -> PlanValue? {
        let start = i
        var negative = false
        if let c = peek, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            negative = c == UInt8(ascii: "-")
            i += 1
            skipSpace()
        }
        let digitsStart = i
        while let c = peek {
            let exponentSign = (c == UInt8(ascii: "-") || c == UInt8(ascii: "+")) && i > digitsStart
                && (b[i - 1] == UInt8(ascii: "e") || b[i - 1] == UInt8(ascii: "E"))
            guard c.isWordCharacter || c == UInt8(ascii: ".") || exponentSign else { break }
            i += 1
        }
        let text = String(decoding: b[digitsStart..<i], as: UTF8.self)
        guard !text.isEmpty, !text.hasPrefix("_"), !text.hasSuffix("_"), !text.contains("__") else { return nil }
        let bare = text.filter { $0 != "_" }
        let lower = bare.lowercased()
        let radix = lower.hasPrefix("0x") ? 16 : lower.hasPrefix("0o") ? 8 : lower.hasPrefix("0b") ? 2 : 10
        if radix != 10 {
            guard let m = Int(bare.dropFirst(2), radix: radix) else { return nil }
            return .int(negative ? -m : m)
        }
        if bare.utf8.allSatisfy(\.isDigit) {
            // Python 3 rejects leading zeros ("007") except in zero itself ("00").
            if bare.hasPrefix("0"), bare.contains(where: { $0 != "0" }) { return nil }
            return Int(bare).map { .int(negative ? -$0 : $0) }
        }
        // A float. Plan values have none, so the text is kept.
        let floatChars = lower.utf8.allSatisfy {
            $0.isDigit || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: "+")
        }
        guard floatChars, Double(bare) != nil else { return nil }
        return .string(String(decoding: b[start..<i], as: UTF8.self))
    }

    /// One or more adjacent string literals, joined as Python joins them.
    private mutating func strings() -> PlanValue? {
        var out: [UInt8] = []
        repeat {
            guard let s = string() else { return nil }
            out += s
            skipSpace()
        } while peek == UInt8(ascii: "'") || peek == UInt8(ascii: "\"")
        return .string(String(decoding: out, as: UTF8.self))
    }

    private mutating func string() -> [UInt8]? {
        guard let quote = peek else { return nil }
        i += 1
        var out: [UInt8] = []
        while let c = peek {
            i += 1
            if c == quote { return out }
            guard c == UInt8(ascii: "\\"), let e = peek else {
                out.append(c)
                continue
            }
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(e)
            case UInt8(ascii: "x"): guard appendHex(count: 2, to: &out) else { return nil }
            case UInt8(ascii: "u"): guard appendHex(count: 4, to: &out) else { return nil }
            case UInt8(ascii: "U"): guard appendHex(count: 8, to: &out) else { return nil }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var n = Int(e - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, let d = peek, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(d) {
                    n = n * 8 + Int(d - UInt8(ascii: "0"))
                    digits += 1
                    i += 1
                }
                guard let scalar = Unicode.Scalar(n) else { return nil }
                out += Array(String(scalar).utf8)
            default: out += [UInt8(ascii: "\\"), e]  // Python keeps unknown escapes as written
            }
        }
        return nil  // no closing quote
    }

    private mutating func appendHex(count: Int, to out: inout [UInt8]) -> Bool {
        guard i + count <= b.count, let n = UInt32(String(decoding: b[i..<(i + count)], as: UTF8.self), radix: 16),
            let scalar = Unicode.Scalar(n)
        else { return false }
        i += count
        out += Array(String(scalar).utf8)
        return true
    }
}
