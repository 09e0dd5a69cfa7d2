/// JSON (RFC 8259) to and from `PlanValue`, for the `json` and `parse_json`
/// builtins and for anything Tern writes as JSON.
///
/// Writing is deterministic, so that a file rendered from the same value
/// twice has the same checksum and a re-run reports no change: map keys keep
/// the order in which they were written, strings escape exactly what RFC 8259
/// requires (`"`, `\` and control characters, the common ones by their short
/// forms) and nothing else, and non-ASCII text is written as UTF-8.
///
/// Reading is strict RFC 8259 (see `JSONCodec.Parser`), with one restriction that
/// comes from Tern rather than from JSON: Tern's numbers are integers, so a
/// number with a fraction or an exponent is an error instead of being rounded
/// silently.
///
/// Both directions stop at `maxDepth` levels of nesting, so that hostile or
/// broken input gives an error instead of a stack overflow, and so that
/// everything `encode` writes, `decode` reads back.
public enum JSONCodec {
    /// The deepest nesting of lists and maps that Tern reads or writes.
    public static let maxDepth = 512

    /// The JSON text of `v`. Secrets are written as their real text: the
    /// caller decides whether the result is itself secret.
    ///
    /// Compact form has no whitespace at all; pretty form puts every member
    /// and element on its own line, indented by 2 spaces per level, with
    /// `"key": value`, and empty lists and maps as `[]` and `{}`. Neither form
    /// ends with a newline. The only error is nesting deeper than `maxDepth`.
    public static func encode(_ v: PlanValue, pretty: Bool) throws(DataError) -> String {
        try encode(v, pretty: pretty, redacted: false)
    }

    /// Like `encode(_:pretty:)`; with `redacted`, every secret is written as
    /// the string `"***"`, for display. The result is still valid JSON.
    public static func encode(_ v: PlanValue, pretty: Bool, redacted: Bool) throws(DataError) -> String {
        var writer = Writer(pretty: pretty, redacted: redacted)
        try writer.write(v, depth: 0)
        return writer.out
    }

    /// The value of a JSON text. Errors carry the line and column of the
    /// offending character.
    public static func decode(_ text: String) throws(DataError) -> PlanValue {
        var parser = Parser(text)
        return try parser.parseDocument()
    }

    /// A JSON string literal for `s`, quotes included.
    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        // Most strings need no escape; copy those whole.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out += s + "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// Appends JSON text to one string; `depth` counts the lists and maps
    /// around the value being written.
    private struct Writer {
        let pretty: Bool
        let redacted: Bool
        var out = ""

        mutating func write(_ v: PlanValue, depth: Int) throws(DataError) {
            switch v {
            case .null: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .int(let i): out += String(i)
            case .string(let s): appendQuoted(s, to: &out)
            case .secret(let s): appendQuoted(redacted ? "***" : s, to: &out)
            case .list(let xs):
                try enter(depth)
                guard !xs.isEmpty else {
                    out += "[]"
                    return
                }
                out += "["
                for (n, x) in xs.enumerated() {
                    separate(first: n == 0, depth: depth + 1)
                    try write(x, depth: depth + 1)
                }
                close("]", depth: depth)
            case .map(let es):
                try enter(depth)
                guard !es.isEmpty else {
                    out += "{}"
                    return
                }
                out += "{"
                for (n, e) in es.enumerated() {
                    separate(first: n == 0, depth: depth + 1)
                    appendQuoted(e.key, to: &out)
                    out += pretty ? ": " : ":"
                    try write(e.value, depth: depth + 1)
                }
                close("}", depth: depth)
            }
        }

        private func enter(_ depth: Int) throws(DataError) {
            if depth + 1 > JSONCodec.maxDepth { throw .tooDeep }
        }

        private mutating func separate(first: Bool, depth: Int) {
            if !first { out += "," }
            if pretty { newline(depth) }
        }

        private mutating func close(_ bracket: String, depth: Int) {
            if pretty { newline(depth) }
            out += bracket
        }

        private mutating func newline(_ depth: Int) {
            out += "\n" + String(repeating: " ", count: 2 * depth)
        }
    }
}

extension DataError {
    static let tooDeep = DataError("lists and maps are nested more than \(JSONCodec.maxDepth) levels deep")
}
