import TernSource

/// A lexical token. Strings carry their parts already split into literal
/// text and interpolated code (as tokens), so the parser never re-scans text.
public struct Token: Sendable {
    public enum Kind: Sendable, Equatable {
        case identifier(String)
        case keyword(Keyword)
        case int(Int)
        /// Milliseconds.
        case duration(Int)
        case string([StringPart], multiline: Bool)
        case symbol(Symbol)
        /// A `///` comment line, without the slashes and one leading space.
        case doc(String)
        case newline
        case eof
        /// Bad input; the lexer has already reported it.
        case error
    }

    public let kind: Kind
    public let span: SourceSpan
    /// True when a newline or comment separates this token from the previous one.
    public let atLineStart: Bool
    /// True when whitespace precedes this token (so `f (x)` differs from `f(x)`).
    public let spaceBefore: Bool
}

public enum StringPart: Sendable, Equatable {
    case text(String)
    /// `${...}`: the tokens inside, ending with `.eof`, and the span of the code.
    case code([Token], SourceSpan)

    public static func == (a: StringPart, b: StringPart) -> Bool {
        switch (a, b) {
        case let (.text(x), .text(y)): x == y
        case let (.code(_, x), .code(_, y)): x == y
        default: false
        }
    }
}

extension Token: Equatable {
    public static func == (a: Token, b: Token) -> Bool { a.kind == b.kind && a.span == b.span }
}

/// Reserved words. `host`, `group`, `on`, `after`, `from`, `as`, `param`,
/// `secret` and `inventory` are contextual: they are keywords only where a
/// declaration or step header expects them, so `host` stays usable as the
/// name of the current host inside a step.
public enum Keyword: String, Sendable, CaseIterable {
    case `let`, fn, recipe, step, handler, use, `for`, `in`, `if`, `else`, `return`
    case `true`, `false`, null, and, or, not
}

public enum Symbol: String, Sendable, CaseIterable {
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
    case comma = ",", colon = ":", dot = ".", semicolon = ";"
    case assign = "=", eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
}

extension Token.Kind: CustomStringConvertible {
    /// How a token is named in "expected X, found Y" messages.
    public var description: String {
        switch self {
        case .identifier(let s): "name '\(s)'"
        case .keyword(let k): "keyword '\(k.rawValue)'"
        case .int(let i): "number \(i)"
        case .duration: "duration"
        case .string: "string"
        case .symbol(let s): "'\(s.rawValue)'"
        case .doc: "doc comment"
        case .newline: "end of line"
        case .eof: "end of file"
        case .error: "invalid input"
        }
    }
}
