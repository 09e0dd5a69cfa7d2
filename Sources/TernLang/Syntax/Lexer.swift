import TernSource

/// Turns source bytes into tokens.
///
/// Bad input becomes an `.error` token plus one diagnostic, so that errors
/// are reported in one place and the parser can carry on. Newlines are
/// tokens (they end statements); the parser skips them inside brackets.
/// A string's `${...}` is lexed right here into a nested token list, with
/// braces counted, so interpolated code is ordinary code with real spans.
public struct Lexer {
    let file: SourceFile
    let bytes: [UInt8]
    var pos: Int
    let end: Int
    public private(set) var diagnostics: [Diagnostic] = []
    /// Nesting of `${` inside strings, bounded to keep recursion shallow.
    var interpolationDepth = 0
    static let maxInterpolationDepth = 16

    public init(file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
        self.pos = 0
        self.end = file.bytes.count
    }

    init(file: SourceFile, start: Int, end: Int, depth: Int) {
        self.file = file
        self.bytes = file.bytes
        self.pos = start
        self.end = end
        self.interpolationDepth = depth
    }

    /// All tokens, ending with `.eof`.
    public mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while true {
            let t = next()
            tokens.append(t)
            if t.kind == .eof { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> UInt8 {
        let i = pos + offset
        return i < end ? bytes[i] : 0
    }

    private func span(_ start: Int) -> SourceSpan { SourceSpan(file: file, start: start, end: pos) }

    private mutating func report(_ d: Diagnostic) { diagnostics.append(d) }

    /// Skips blanks and `#` comments; reports whether a line break was crossed.
    private mutating func skipTrivia() -> (newline: Bool, space: Bool) {
        var space = false
        while pos < end {
            let c = bytes[pos]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
                pos += 1; space = true
            } else if c == UInt8(ascii: "#") {
                while pos < end, bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
                space = true
            } else if c == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "\n") {
                pos += 2; space = true  // explicit line continuation
            } else if c == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "\r"), peek(2) == UInt8(ascii: "\n") {
                pos += 3; space = true  // the same in a file with CRLF line ends
            } else {
                break
            }
        }
        return (false, space)
    }

    public mutating func next() -> Token {
        let trivia = skipTrivia()
        let atLineStart = pos == 0 || (pos > 0 && lineStartBefore(pos))
        let start = pos
        func make(_ k: Token.Kind) -> Token {
            Token(kind: k, span: span(start), atLineStart: atLineStart, spaceBefore: trivia.space || atLineStart)
        }
        guard pos < end else { return make(.eof) }
        let c = bytes[pos]

        if c == UInt8(ascii: "\n") {
            pos += 1
            return make(.newline)
        }
        if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/"), peek(2) == UInt8(ascii: "/") {
            pos += 3
            if peek() == UInt8(ascii: " ") { pos += 1 }
            let textStart = pos
            while pos < end, bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
            var text = String(decoding: bytes[textStart..<pos], as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            return make(.doc(text))
        }
        if isIdentStart(c) {
            while pos < end, isIdentContinue(bytes[pos]) { pos += 1 }
            let word = String(decoding: bytes[start..<pos], as: UTF8.self)
            if let k = Keyword(rawValue: word) { return make(.keyword(k)) }
            return make(.identifier(word))
        }
        if isDigit(c) { return make(number(start)) }
        if c == UInt8(ascii: "\"") { return make(string(start)) }
        if let sym = symbol() { return make(.symbol(sym)) }

        // Habits from other languages, reported once as a whole.
        // Each is replaced by what was meant, so parsing goes on as if it
        // had been written right and nothing else is reported.
        if let (length, keyword, message) = misusedOperator() {
            pos += length
            report(message(span(start)))
            return make(.keyword(keyword))
        }
        if let quote = foreignQuote() {
            report(.foreignQuotes(quote.text, at: span(start)))
            return quote.closed ? make(.string([.text(quote.inner)], multiline: false)) : make(.error)
        }

        // Anything else: one whole (possibly multi-byte) character.
        pos += 1
        while pos < end, bytes[pos] & 0xC0 == 0x80 { pos += 1 }
        let bad = String(decoding: bytes[start..<pos], as: UTF8.self)
        report(.unexpectedCharacter(bad, at: span(start)))
        return make(.error)
    }

    /// `&&`, `||` and a lone `!`: reported with the Tern word to use.
    private func misusedOperator() -> (Int, Keyword, (SourceSpan) -> Diagnostic)? {
        let c = bytes[pos], n = peek(1)
        if c == UInt8(ascii: "&"), n == UInt8(ascii: "&") { return (2, .and, { .misusedOperator("&&", use: "and", at: $0) }) }
        if c == UInt8(ascii: "|"), n == UInt8(ascii: "|") { return (2, .or, { .misusedOperator("||", use: "or", at: $0) }) }
        if c == UInt8(ascii: "!") { return (1, .not, { .misusedOperator("!", use: "not", at: $0) }) }
        return nil
    }

    /// A string in single or typographic quotes ('x', “x”, ‘x’): consumed to
    /// its closing quote on the same line, so it is one error, not several.
    private mutating func foreignQuote() -> (text: String, inner: String, closed: Bool)? {
        let openers: [[UInt8]: [UInt8]] = [
            Array("'".utf8): Array("'".utf8), Array("\u{201C}".utf8): Array("\u{201D}".utf8),
            Array("\u{2018}".utf8): Array("\u{2019}".utf8), Array("\u{201D}".utf8): Array("\u{201D}".utf8),
        ]
        for (open, close) in openers where bytes[pos...].starts(with: open) {
            let start = pos
            var i = pos + open.count
            while i < end, bytes[i] != UInt8(ascii: "\n") {
                if bytes[i...].starts(with: close) {
                    pos = i + close.count
                    let inner = String(decoding: bytes[(start + open.count)..<i], as: UTF8.self)
                    return (String(decoding: bytes[start..<pos], as: UTF8.self), inner, true)
                }
                i += 1
            }
            pos = start + open.count
            return (String(decoding: bytes[start..<pos], as: UTF8.self), "", false)
        }
        return nil
    }

    private func lineStartBefore(_ p: Int) -> Bool {
        var i = p - 1
        while i >= 0 {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") { return true }
            if b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") && b != UInt8(ascii: "\r") { return false }
            i -= 1
        }
        return true
    }

    private mutating func symbol() -> Symbol? {
        let c = bytes[pos]
        let n = peek(1)
        func two(_ s: Symbol) -> Symbol { pos += 2; return s }
        func one(_ s: Symbol) -> Symbol { pos += 1; return s }
        switch c {
        case UInt8(ascii: "="): return n == UInt8(ascii: "=") ? two(.eq) : one(.assign)
        case UInt8(ascii: "!"): return n == UInt8(ascii: "=") ? two(.ne) : nil
        case UInt8(ascii: "<"): return n == UInt8(ascii: "=") ? two(.le) : one(.lt)
        case UInt8(ascii: ">"): return n == UInt8(ascii: "=") ? two(.ge) : one(.gt)
        default:
            guard let s = Symbol(rawValue: String(UnicodeScalar(c))) else { return nil }
            return one(s)
        }
    }

    // MARK: numbers and durations

    /// `123`, `1_000`, or a duration: `500ms`, `30s`, `2m`, `1h30m`, `1d`.
    private mutating func number(_ start: Int) -> Token.Kind {
        var totalMillis = 0
        var sawUnit = false
        var value = 0
        var overflow = false
        while true {
            let digitsStart = pos
            value = 0
            while pos < end, isDigit(bytes[pos]) || (bytes[pos] == UInt8(ascii: "_") && pos > digitsStart) {
                if bytes[pos] != UInt8(ascii: "_") {
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(Int(bytes[pos] - UInt8(ascii: "0")))
                    overflow = overflow || o1 || o2
                    value = a
                }
                pos += 1
            }
            guard pos < end, isIdentStart(bytes[pos]) else {
                // `1m30`: a number after a unit needs a unit of its own.
                if sawUnit {
                    report(.durationPartWithoutUnit(at: SourceSpan(file: file, start: digitsStart, end: pos)))
                    return .error
                }
                break
            }
            // The unit is the letters up to the next digit: `1h30m` is 1h + 30m.
            let unitStart = pos
            while pos < end, isIdentStart(bytes[pos]) { pos += 1 }
            let unit = String(decoding: bytes[unitStart..<pos], as: UTF8.self)
            guard let factor = DurationText.units[unit] else {
                while pos < end, isIdentContinue(bytes[pos]) { pos += 1 }
                report(.badNumberSuffix(String(decoding: bytes[unitStart..<pos], as: UTF8.self), at: SourceSpan(file: file, start: unitStart, end: pos)))
                return .error
            }
            let (m, o) = value.multipliedReportingOverflow(by: factor)
            let (t, o2) = totalMillis.addingReportingOverflow(m)
            overflow = overflow || o || o2
            totalMillis = t
            sawUnit = true
            guard pos < end, isDigit(bytes[pos]) else { break }
        }
        if overflow {
            report(.numberTooLarge(at: span(start)))
            return .error
        }
        return sawUnit ? .duration(totalMillis) : .int(value)
    }


    // MARK: strings

    /// `"..."` on one line, or `"""` ... `"""` over several. In a multi-line
    /// string the first line break after the opening quotes is dropped, and
    /// the indentation of the closing `"""` is removed from every line, so a
    /// file body can be indented with the code around it; the last line
    /// keeps its line break.
    private mutating func string(_ start: Int) -> Token.Kind {
        let multiline = peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"")
        pos += multiline ? 3 : 1
        if multiline {
            // Skip blanks and the line break right after the opening quotes.
            var p = pos
            while p < end, bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\t") || bytes[p] == UInt8(ascii: "\r") { p += 1 }
            if p < end, bytes[p] == UInt8(ascii: "\n") { pos = p + 1 }
        }
        var parts: [StringPart] = []
        var text: [UInt8] = []
        func flush() {
            if !text.isEmpty { parts.append(.text(String(decoding: text, as: UTF8.self))); text.removeAll() }
        }
        while true {
            guard pos < end else {
                report(.unterminatedString(at: SourceSpan(file: file, start: start, end: start + (multiline ? 3 : 1)), multiline: multiline))
                return .error
            }
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                if !multiline { pos += 1; break }
                if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { pos += 3; break }
                text.append(c); pos += 1; continue
            }
            if c == UInt8(ascii: "\n"), !multiline {
                report(.unterminatedString(at: SourceSpan(file: file, start: start, end: start + 1), multiline: false))
                return .error
            }
            if c == UInt8(ascii: "\\") {
                let escStart = pos
                pos += 1
                // A backslash that ends the line (or file) of a one-line string:
                // the string is simply not closed.
                guard pos < end, multiline || bytes[pos] != UInt8(ascii: "\n") else { continue }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "n"): text.append(10)
                case UInt8(ascii: "t"): text.append(9)
                case UInt8(ascii: "r"): text.append(13)
                case UInt8(ascii: "0"): text.append(0)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "$"): text.append(e)
                case UInt8(ascii: "\n") where multiline:
                    // Line continuation: marked now, joined after dedenting,
                    // so the continued line loses its indentation too.
                    text.append(contentsOf: Lexer.continuationMark)
                    text.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "u"):
                    if let scalar = unicodeEscape() {
                        text.append(contentsOf: Array(String(scalar).utf8))
                    } else {
                        report(.badEscape(at: SourceSpan(file: file, start: escStart, end: pos)))
                    }
                default:
                    while pos < end, bytes[pos] & 0xC0 == 0x80 { pos += 1 }
                    report(.badEscape(at: SourceSpan(file: file, start: escStart, end: pos)))
                }
                continue
            }
            if c == UInt8(ascii: "$"), peek(1) == UInt8(ascii: "{") {
                flush()
                let codeStart = pos + 2
                guard let close = matchingBrace(from: codeStart, multiline: multiline) else {
                    report(.unterminatedInterpolation(at: SourceSpan(file: file, start: pos, end: pos + 2)))
                    // The rest of the line (or of the file, in a multi-line
                    // string) belongs to this broken string.
                    while pos < end, multiline || bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
                    return .error
                }
                let codeSpan = SourceSpan(file: file, start: codeStart, end: close)
                if interpolationDepth >= Lexer.maxInterpolationDepth {
                    report(.nestedTooDeeply(at: codeSpan))
                    return .error
                }
                var inner = Lexer(file: file, start: codeStart, end: close, depth: interpolationDepth + 1)
                let tokens = inner.tokenize()
                diagnostics.append(contentsOf: inner.diagnostics)
                if tokens.count == 1 {
                    report(.emptyInterpolation(at: SourceSpan(file: file, start: pos, end: close + 1)))
                }
                parts.append(.code(tokens, codeSpan))
                pos = close + 1
                continue
            }
            text.append(c)
            pos += 1
        }
        flush()
        guard multiline else { return .string(parts, multiline: false) }
        return .string(joinContinuations(dedent(parts)), multiline: true)
    }

    /// `\u{1F600}`.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard peek() == UInt8(ascii: "{") else { return nil }
        pos += 1
        var v: UInt32 = 0
        var digits = 0
        while pos < end, let d = hexValue(bytes[pos]), digits < 8 {
            v = v * 16 + d; digits += 1; pos += 1
        }
        guard digits > 0, peek() == UInt8(ascii: "}") else { return nil }
        pos += 1
        return Unicode.Scalar(v)
    }

    private func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Index of the `}` closing a `${`, skipping nested braces and strings.
    private func matchingBrace(from start: Int, multiline: Bool) -> Int? {
        var depth = 0
        var i = start
        while i < end {
            let c = bytes[i]
            if c == UInt8(ascii: "\n"), !multiline { return nil }
            if c == UInt8(ascii: "{") { depth += 1 }
            if c == UInt8(ascii: "}") {
                if depth == 0 { return i }
                depth -= 1
            }
            if c == UInt8(ascii: "\"") {
                // Skip a nested simple string, honouring escapes.
                i += 1
                while i < end, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\n") {
                    if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                    i += 1
                }
                // An inner string left open ends the search at its line.
                if i >= end || (bytes[i] == UInt8(ascii: "\n") && !multiline) { return nil }
            }
            i += 1
        }
        return nil
    }

    /// Marks a `\` line continuation inside a multi-line string until the
    /// string is dedented (two private-use scalars no text contains).
    static let continuationMark = Array("\u{F8FF}\u{F8FE}".utf8)
    static let continuation = "\u{F8FF}\u{F8FE}\n"

    private func joinContinuations(_ parts: [StringPart]) -> [StringPart] {
        parts.compactMap { part in
            guard case .text(let t) = part, t.contains(Lexer.continuation) else { return part }
            let joined = t.replacing(Lexer.continuation, with: "")
            return joined.isEmpty ? nil : .text(joined)
        }
    }

    /// Removes the closing line's indentation from every line of a
    /// multi-line string. The line break before the closing quotes stays:
    /// file bodies end with a newline, as text files should.
    private func dedent(_ parts: [StringPart]) -> [StringPart] {
        // The indentation is what stands between the last newline and the
        // closing quotes, if that is only blanks.
        // CRLF files: "\r\n" is one Character in Swift, so split on plain "\n".
        let parts = parts.map { part -> StringPart in
            if case .text(let t) = part, t.contains("\r\n") { return .text(t.replacing("\r\n", with: "\n")) }
            return part
        }
        guard case .text(let last)? = parts.last else { return parts }
        let lastLine = last.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        guard lastLine.allSatisfy({ $0 == " " || $0 == "\t" }), last.contains("\n") || parts.count == 1 else {
            return parts
        }
        let indent = lastLine
        var out: [StringPart] = []
        var atLineStart = true
        for (i, part) in parts.enumerated() {
            guard case .text(var t) = part else {
                out.append(part); atLineStart = false; continue
            }
            if i == parts.count - 1 {
                t.removeLast(indent.count)
            }
            var lines = t.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for j in lines.indices where (j > 0 || atLineStart) && lines[j].hasPrefix(indent) {
                lines[j].removeFirst(indent.count)
            }
            atLineStart = t.hasSuffix("\n")
            let joined = lines.joined(separator: "\n")
            if !joined.isEmpty { out.append(.text(joined)) }
        }
        return out
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    private func isIdentStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_")
    }
    private func isIdentContinue(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
}
