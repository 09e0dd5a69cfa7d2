/// Renders diagnostics the way a good compiler does:
///
/// ```
/// site.tern:3:11: error: unknown name 'glfss' [unknown-name]
///     3 | step a on glfss {
///       |           ^~~~~ not defined
///       = help: did you mean 'glfs'?
/// ```
///
/// The first line is `path:line:col: severity: message [id]`, which editors
/// and `grep` understand. Spans that cover several lines underline the first
/// line to its end. Colour is used only when asked for.
public struct DiagnosticRenderer: Sendable {
    public var color: Bool
    /// Applied to every rendered line, so that a secret can never leak
    /// through a diagnostic that quotes source text or a value.
    public var redact: @Sendable (String) -> String

    public init(color: Bool = false, redact: @escaping @Sendable (String) -> String = { $0 }) {
        self.color = color
        self.redact = redact
    }

    public func render(_ d: Diagnostic) -> String {
        var out = ""
        let sev = d.severity.rawValue
        let head = paint(sev + ":", d.severity == .error ? "1;31" : d.severity == .warning ? "1;33" : "1;36")
        if let span = d.span {
            out += "\(paint(span.location.description + ":", "1")) \(head) \(paint(d.message, "1")) [\(d.id)]\n"
            out += snippet(span, label: d.label)
        } else {
            out += "\(head) \(paint(d.message, "1")) [\(d.id)]\n"
        }
        for note in d.notes {
            if let span = note.span {
                out += "     = note: \(note.message) (\(span.location))\n"
                out += snippet(span, label: nil)
            } else {
                out += "     = note: \(note.message)\n"
            }
        }
        if let help = d.help {
            out += "     = help: \(help)\n"
        }
        return redact(out)
    }

    public func render(_ ds: [Diagnostic]) -> String {
        ds.map(render).joined(separator: "\n")
    }

    /// A summary line such as `error: 2 errors, 1 warning`.
    public static func summary(errors: Int, warnings: Int) -> String? {
        if errors == 0 && warnings == 0 { return nil }
        func plural(_ n: Int, _ w: String) -> String { "\(n) \(w)\(n == 1 ? "" : "s")" }
        var parts: [String] = []
        if errors > 0 { parts.append(plural(errors, "error")) }
        if warnings > 0 { parts.append(plural(warnings, "warning")) }
        return parts.joined(separator: ", ")
    }

    private func snippet(_ span: SourceSpan, label: String?) -> String {
        let loc = span.location
        let line = span.file.lineText(loc.line)
        let number = String(loc.line)
        let gutter = String(repeating: " ", count: max(0, 5 - number.count))
        let blank = String(repeating: " ", count: 5)
        // Width of the underline in scalars, clamped to this line.
        let endLoc = span.file.location(of: span.end)
        let lineLength = line.unicodeScalars.count
        var width: Int
        if endLoc.line == loc.line {
            width = endLoc.column - loc.column
        } else {
            width = lineLength - loc.column + 1
        }
        width = max(1, width)
        // Tabs before the caret are kept as tabs so the caret lines up.
        let prefix = String(line.unicodeScalars.prefix(loc.column - 1).map { $0 == "\t" ? "\t" : " " })
        let marks = "^" + String(repeating: "~", count: width - 1)
        var out = "\(gutter)\(number) | \(line)\n"
        out += "\(blank) | \(prefix)\(paint(marks, "1;32"))"
        if let label, !label.isEmpty { out += " \(label)" }
        out += "\n"
        return out
    }

    private func paint(_ s: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }
}
