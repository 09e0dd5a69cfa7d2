import TernSource

/// Diagnostics of the lexer and the parser.
extension Diagnostic {
    static func unexpectedCharacter(_ c: String, at span: SourceSpan) -> Diagnostic {
        let shown = c.unicodeScalars.first.map { $0.isASCII && $0.value >= 0x20 ? c : "U+" + String($0.value, radix: 16, uppercase: true) } ?? c
        var help: String?
        switch c {
        case "'": help = "strings use double quotes: \"...\""
        case "&": help = "use 'and' for a logical and"
        case "|": help = "use 'or' for a logical or"
        case "!": help = "use 'not' for a logical not"
        case "`": help = "run commands with run \"...\""
        default: help = nil
        }
        return Diagnostic(id: "unexpected-character", "unexpected character '\(shown)'", at: span, help: help)
    }

    static func misusedOperator(_ op: String, use word: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "unexpected-character", "'\(op)' is not a Tern operator", at: span, label: "write '\(word)'",
            help: "Tern spells logic out: and, or, not")
    }

    static func foreignQuotes(_ text: String, at span: SourceSpan) -> Diagnostic {
        let inner = String(text.dropFirst().dropLast())
        return Diagnostic(
            id: "unexpected-character", "strings use straight double quotes", at: span, label: "not a string",
            help: text.count < 2 ? "write strings as \"...\"" : "write \"\(inner)\"")
    }

    static func badNumberSuffix(_ suffix: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "bad-number", "'\(suffix)' is not a duration unit", at: span, label: "unknown unit",
            help: "durations use ms, s, m, h or d, e.g. 30s, 2m, 1h30m")
    }

    static func durationPartWithoutUnit(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "bad-number", "this part of the duration has no unit", at: span, label: "add a unit",
            help: "write every part with its unit, e.g. 1m30s")
    }

    static func numberTooLarge(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "bad-number", "number is too large", at: span, label: "does not fit in 64 bits")
    }

    static func unterminatedString(at span: SourceSpan, multiline: Bool) -> Diagnostic {
        Diagnostic(
            id: "unterminated-string", "string is not closed", at: span, label: "string starts here",
            help: multiline ? "close it with \"\"\"" : "close it with \" on the same line, or use \"\"\" for text over several lines")
    }

    static func badEscape(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "bad-escape", "unknown escape sequence '\(span.text)'", at: span,
            help: "valid escapes are \\n \\t \\r \\0 \\\\ \\\" \\$ and \\u{HEX}")
    }

    static func unterminatedInterpolation(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "unterminated-string", "'${' is not closed with '}'", at: span, label: "opened here")
    }

    static func emptyInterpolation(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "empty-interpolation", "empty '${}' in string", at: span,
            help: "put an expression inside, or write \\${ for a literal '${'")
    }

    static func nestedTooDeeply(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "nested-too-deeply", "nested too deeply", at: span, help: "split this into several let bindings")
    }

    static func expected(_ what: String, found: Token) -> Diagnostic {
        Diagnostic(
            id: "syntax", "expected \(what), found \(found.kind)", at: found.span,
            label: "expected \(what)")
    }

    static func expected(_ what: String, found: Token, help: String?) -> Diagnostic {
        Diagnostic(
            id: "syntax", "expected \(what), found \(found.kind)", at: found.span,
            label: "expected \(what)", help: help)
    }

    static func unclosed(_ open: String, at span: SourceSpan, found: Token) -> Diagnostic {
        let close = ["(": ")", "[": "]", "{": "}"][open] ?? open
        let before: String
        switch found.kind {
        case .eof: before = "the end of the file"
        case .newline: before = "the end of the line"
        default: before = "\(found.kind) (\(found.span.location))"
        }
        return Diagnostic(
            id: "unclosed", "'\(open)' is never closed", at: span, label: "opened here",
            notes: [.init("expected '\(close)' before \(before)")])
    }

    static func declarationNotAllowed(_ what: String, where place: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "misplaced-declaration", "\(what) is not allowed \(place)", at: span,
            help: "\(what) declarations belong at the top level of a file; is a '}' missing above?")
    }

    static func duplicateArgument(_ name: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "duplicate-argument", "argument '\(name)' is given twice", at: span)
    }

    static func positionalAfterNamed(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "syntax", "positional argument after a named one", at: span,
            help: "put positional arguments first")
    }

    static func assignmentNotSupported(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "syntax", "'=' is not an operator", at: span,
            help: "bind a new name with 'let NAME = ...', or compare with '=='")
    }
}
