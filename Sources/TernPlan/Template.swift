/// Text built from pieces of different trust: the type of every command and
/// every file body in a plan.
///
/// Text that the playbook author wrote inside a string literal is `.text`
/// and is spliced into a command as written; interpolated into another
/// string it becomes a `.word`. Text wrapped in `raw(...)` is `.raw` and
/// stays shell syntax wherever it is interpolated. Every
/// other value — an interpolated variable, a parameter, an inventory
/// variable, a secret, a value known only at run time — is a `.word`,
/// `.secret` or `.deferred` segment and becomes exactly one quoted shell word
/// through `ShellQuote.quote`. Adjacent words and text join the way the shell
/// joins them: `--name=${x}` is one word.
///
/// Used as plain text (a file body, a comparison) the segments are simply
/// concatenated, unquoted.
public struct Template: Sendable, Hashable {
    public enum Segment: Sendable, Hashable {
        case text(String)
        case raw(String)
        case word(String)
        case secret(String)
        case deferred(RuntimeExpr, secret: Bool)
    }

    public private(set) var segments: [Segment]

    public init(_ segments: [Segment] = []) {
        self.segments = []
        for s in segments { append(s) }
    }

    public static func text(_ s: String) -> Template { Template([.text(s)]) }
    public static func word(_ s: String) -> Template { Template([.word(s)]) }

    /// Appends, merging adjacent `.text` (and adjacent `.word`: two quoted
    /// words side by side are one shell word either way) so that equal
    /// templates compare equal and commands read simply.
    public mutating func append(_ s: Segment) {
        switch (segments.last, s) {
        case (_, .text(let new)) where new.isEmpty:
            return
        case (.text(let old)?, .text(let new)):
            segments[segments.count - 1] = .text(old + new)
        case (.word(let old)?, .word(let new)):
            segments[segments.count - 1] = .word(old + new)
        default:
            segments.append(s)
        }
    }

    public mutating func append(contentsOf t: Template) {
        for s in t.segments { append(s) }
    }

    public static func + (a: Template, b: Template) -> Template {
        var r = a
        r.append(contentsOf: b)
        return r
    }

    public var isKnown: Bool {
        !segments.contains { if case .deferred = $0 { true } else { false } }
    }

    public var containsSecret: Bool {
        segments.contains {
            switch $0 {
            case .secret: true
            case .deferred(_, let s): s
            default: false
            }
        }
    }

    public var deferredExprs: [RuntimeExpr] {
        segments.compactMap { if case .deferred(let e, _) = $0 { e } else { nil } }
    }

    /// The text, unquoted; nil while a segment is known only at run time.
    public var plainText: String? {
        var out = ""
        for s in segments {
            switch s {
            case .text(let t), .raw(let t), .word(let t), .secret(let t): out += t
            case .deferred: return nil
            }
        }
        return out
    }

    /// For display: secrets as `***`, deferred segments as `${...}`.
    public func displayText(redacted: Bool = true) -> String {
        segments.map { s in
            switch s {
            case .text(let t), .raw(let t), .word(let t): t
            case .secret(let t): redacted ? "***" : t
            case .deferred(let e, _): "${" + e.description + "}"
            }
        }.joined()
    }

    /// The shell command: words quoted, text as is. With `redacted`, secrets
    /// are `***` and deferred words are `${...}`, for display only.
    public func shellCommand(redacted: Bool) -> String {
        segments.map { $0.shell(redacted: redacted) }.joined()
    }
}

extension Template.Segment {
    /// The segment in a shell command: a word quoted, text as is; with
    /// `redacted`, a secret as `***`. A deferred segment shows as `${...}`:
    /// the engine fills it in first (`RuntimeResolver`), with these same rules.
    public func shell(redacted: Bool) -> String {
        switch self {
        case .text(let t), .raw(let t): t
        case .word(let w): ShellQuote.quote(w)
        case .secret(let w): redacted ? "***" : ShellQuote.quote(w)
        case .deferred(let e, _): "${" + e.description + "}"
        }
    }
}
