/// Block-style YAML for `PlanValue`, for the `yaml` builtin: Kubernetes
/// manifests, configuration files.
///
/// The output is deterministic (maps in written order, one fixed layout) so
/// that re-rendering a file gives the same bytes, and it must read back as
/// exactly the value written with any YAML 1.1 or 1.2 reader: PyYAML,
/// Kubernetes' go-yaml, Ruby's Psych. The rules:
///
/// - A map is `key: value` lines; a list is `- item` lines. Nested blocks are
///   indented by 2 spaces, lists under a key included; a map or list inside a
///   list starts on the dash's line (`- name: web`). Empty ones are `{}`/`[]`.
/// - A string is written plain only when it cannot be read as anything else.
///   Rather than recognise every YAML 1.1 type (`yes`, `0o17`, `1_000`,
///   `12:30`, `2024-01-01`, `.inf`, `<<`, ...), plain text is allowed only
///   when it starts with a letter, `_` or `/`, contains only letters, digits,
///   spaces and `_-./:@+=,`, has no `: ` and no trailing `:` or space, and is
///   not one of the words that YAML 1.1 reads as a bool or null, in any case.
///   That quotes a few strings that did not need it (`"10Gi"`), never one that
///   did.
/// - Every other string is double-quoted on one line, with escapes for `"`,
///   `\`, line breaks, tabs, control characters and the scalars YAML treats
///   as line breaks or as not printable (U+0085, U+2028, U+2029, U+FEFF,
///   U+FFFE, U+FFFF). Multi-line text is therefore one `"...\n..."` line,
///   which YAML reads back without any folding surprises.
/// - A key longer than 1000 scalars is written as an explicit `? key` entry,
///   because YAML readers refuse implicit keys longer than 1024 characters.
///
/// The document ends with a newline and has no `---` marker.
public enum YAMLEmitter {
    /// YAML for `v`; secrets are written as their real text.
    public static func encode(_ v: PlanValue) -> String {
        encode(v, redacted: false)
    }

    /// YAML for `v`; with `redacted`, every secret is written as `"***"`,
    /// for display. The result is still valid YAML.
    public static func encode(_ v: PlanValue, redacted: Bool) -> String {
        var writer = Writer(redacted: redacted)
        writer.writeBlock(v, indent: 0, onDashLine: false)
        return writer.out
    }

    /// A string as a YAML scalar: plain when that is safe, else double-quoted.
    public static func scalar(_ s: String) -> String {
        canBePlain(s) ? s : doubleQuoted(s)
    }

    private struct Writer {
        let redacted: Bool
        var out = ""

        /// Writes `v` as a block whose lines are indented by `indent`; when
        /// `onDashLine`, the first line continues a `- ` already written.
        mutating func writeBlock(_ v: PlanValue, indent: Int, onDashLine: Bool) {
            switch v {
            case .list(let xs) where !xs.isEmpty:
                for (n, x) in xs.enumerated() {
                    if n > 0 || !onDashLine { out += String(repeating: " ", count: indent) }
                    out += "-"
                    writeValue(x, indent: indent + 2, inList: true)
                }
            case .map(let es) where !es.isEmpty:
                for (n, e) in es.enumerated() {
                    if n > 0 || !onDashLine { out += String(repeating: " ", count: indent) }
                    let key = YAMLEmitter.scalar(e.key)
                    if key.unicodeScalars.count > 1000 {
                        out += "? " + key + "\n" + String(repeating: " ", count: indent) + ":"
                    } else {
                        out += key + ":"
                    }
                    writeValue(e.value, indent: indent + 2, inList: false)
                }
            default:
                out += scalar(v) + "\n"
            }
        }

        /// Writes what follows a `-` or a `key:`: a scalar on the same line,
        /// or a nested block (on the dash's line inside a list, on the next
        /// lines under a key).
        private mutating func writeValue(_ v: PlanValue, indent: Int, inList: Bool) {
            switch v {
            case .list(let xs) where !xs.isEmpty:
                out += inList ? " " : "\n"
                writeBlock(v, indent: indent, onDashLine: inList)
            case .map(let es) where !es.isEmpty:
                out += inList ? " " : "\n"
                writeBlock(v, indent: indent, onDashLine: inList)
            default:
                out += " " + scalar(v) + "\n"
            }
        }

        private func scalar(_ v: PlanValue) -> String {
            switch v {
            case .null: "null"
            case .bool(let b): b ? "true" : "false"
            case .int(let i): String(i)
            case .string(let s): YAMLEmitter.scalar(s)
            case .secret(let s): redacted ? "\"***\"" : YAMLEmitter.scalar(s)
            case .list: "[]"
            case .map: "{}"
            }
        }
    }

    /// The words YAML 1.1 reads as booleans or null (compared lowercased, so
    /// this also covers `True`, `NO`, `Null`, ...). `y` and `n` are booleans
    /// in the YAML 1.1 type library although PyYAML reads them as strings.
    private static let reservedWords: Set<String> = [
        "y", "n", "yes", "no", "true", "false", "on", "off", "null",
    ]

    private static func canBePlain(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        guard isLetter(first) || first == "_" || first == "/" else { return false }
        guard last != " ", last != ":" else { return false }
        var previous: Unicode.Scalar = first
        for u in s.unicodeScalars {
            guard isLetter(u) || isPlainPunctuation(u) || ("0"..."9").contains(u) else { return false }
            if previous == ":" && u == " " { return false }
            previous = u
        }
        return !reservedWords.contains(s.lowercased())
    }

    private static func isLetter(_ u: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(u) || ("A"..."Z").contains(u) || (u.value > 0x7F && u.properties.isAlphabetic)
    }

    private static func isPlainPunctuation(_ u: Unicode.Scalar) -> Bool {
        switch u {
        case " ", "_", "-", ".", "/", ":", "@", "+", "=", ",": true
        default: false
        }
    }

    private static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0}": out += "\\0"
            case "\u{85}": out += "\\N"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            case "\u{FEFF}", "\u{FFFE}", "\u{FFFF}": out += "\\u" + String(u.value, radix: 16, uppercase: true)
            default:
                if u.value < 0x20 || (0x7F...0x9F).contains(u.value) {
                    let hex = String(u.value, radix: 16, uppercase: true)
                    out += "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
