import TernSource

/// A recursive-descent parser with one token of lookahead (two where a
/// named argument `name:` must be told from an expression).
///
/// Each grammar production is written in EBNF above the function that parses
/// it; `docs/reference.md` collects them. Errors are reported once and the
/// parser recovers at the next line or declaration, so one typo gives one
/// message. Nesting is bounded, so no input can overflow the stack.
public struct Parser {
    var tokens: [Token]
    var index = 0
    public private(set) var diagnostics: [Diagnostic] = []
    var depth = 0
    var tooDeep = false
    /// Inside a step's body, where `return` is not allowed (checked here so
    /// that it is reported even in a branch that never runs).
    var inStepBody = false
    static let maxDepth = 200
    let file: SourceFile

    public init(file: SourceFile) {
        var lexer = Lexer(file: file)
        self.tokens = lexer.tokenize()
        self.diagnostics = lexer.diagnostics
        self.file = file
    }

    init(tokens: [Token], file: SourceFile) {
        self.tokens = tokens
        self.file = file
    }

    /// Parses a whole file. Diagnostics are in `diagnostics`.
    public static func parse(_ file: SourceFile) -> (FileSyntax, [Diagnostic]) {
        var p = Parser(file: file)
        let syntax = p.parseFile()
        return (syntax, p.diagnostics)
    }

    // MARK: token helpers

    var current: Token { tokens[index] }
    var previous: Token { tokens[max(0, index - 1)] }

    func peek(_ n: Int = 1) -> Token { tokens[min(index + n, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func check(_ s: Symbol) -> Bool { current.kind == .symbol(s) }
    func check(_ k: Keyword) -> Bool { current.kind == .keyword(k) }
    func checkWord(_ w: String) -> Bool { current.kind == .identifier(w) }
    var atEnd: Bool { current.kind == .eof }

    /// True when the file ends inside a token the lexer rejected (a string
    /// or `${` left open), which swallowed everything after it.
    var endsInBrokenToken: Bool {
        guard tokens.count >= 2 else { return false }
        let last = tokens[tokens.count - 2]
        return last.kind == .error && last.span.end >= file.bytes.count
    }

    mutating func match(_ s: Symbol) -> Bool {
        if check(s) { advance(); return true }
        return false
    }

    mutating func match(_ k: Keyword) -> Bool {
        if check(k) { advance(); return true }
        return false
    }

    mutating func skipNewlines() {
        while true {
            switch current.kind {
            case .newline, .doc: advance()
            default: return
            }
        }
    }

    mutating func report(_ d: Diagnostic) {
        // Past the nesting limit the rest of the file is skipped: the
        // brackets left open there are not news.
        if tooDeep, d.id != "nested-too-deeply" { return }
        // One message per token: a second error at the same place is a cascade.
        if let last = diagnostics.last, last.span?.start == d.span?.start, last.span?.file == d.span?.file { return }
        diagnostics.append(d)
    }

    /// Reports unless the bad token is one the lexer already reported.
    /// When the line or file ended too early, the caret goes right after
    /// the last token, where the missing piece belongs.
    mutating func fail(_ d: Diagnostic) {
        if current.kind == .error { return }
        if current.kind == .eof, endsInBrokenToken { return }
        switch current.kind {
        case .newline, .eof:
            guard index > 0, let span = d.span, span == current.span else { break }
            var last = index - 1
            while last > 0, tokens[last].kind == .newline { last -= 1 }
            let end = tokens[last].span.end
            let after = SourceSpan(file: span.file, start: end, end: end + 1)
            report(Diagnostic(d.severity, id: d.id, d.message, at: after, label: d.label, notes: d.notes, help: d.help))
            return
        default: break
        }
        report(d)
    }

    mutating func expect(_ s: Symbol, _ what: String? = nil) -> Bool {
        if match(s) { return true }
        fail(.expected(what ?? "'\(s.rawValue)'", found: current))
        return false
    }

    mutating func identifier(_ what: String) -> Identifier? {
        if case .identifier(let name) = current.kind {
            advance()
            return Identifier(name: name, span: previous.span)
        }
        if case .keyword(let k) = current.kind {
            report(Diagnostic(
                id: "reserved-word", "'\(k.rawValue)' is a reserved word and cannot be used as \(what)",
                at: current.span, help: "choose another name, e.g. '\(k.rawValue)_'"))
            advance()
            return nil
        }
        fail(.expected(what, found: current))
        return nil
    }

    func span(from start: SourceSpan) -> SourceSpan { start.to(previous.span) }

    /// Skips to the end of the current line, over balanced brackets.
    mutating func skipLine() {
        var depth = 0
        while !atEnd {
            switch current.kind {
            case .symbol(.lparen), .symbol(.lbracket), .symbol(.lbrace): depth += 1
            case .symbol(.rparen), .symbol(.rbracket): depth = max(0, depth - 1)
            case .symbol(.rbrace):
                if depth == 0 { return }
                depth -= 1
            case .newline where depth == 0: return
            default: break
            }
            advance()
        }
    }

    /// Skips to the next line that starts a declaration.
    mutating func synchronizeDecl() {
        while !atEnd {
            advance()
            if current.atLineStart, isDeclStart { return }
        }
    }

    var isDeclStart: Bool {
        switch current.kind {
        case .keyword(.let), .keyword(.fn), .keyword(.recipe), .keyword(.step), .keyword(.handler), .keyword(.use),
            .doc:
            return true
        case .identifier(let w):
            guard ["param", "secret", "host", "group", "inventory"].contains(w) else { return false }
            if case .identifier = peek().kind { return true }
            if w == "inventory", case .string = peek().kind { return true }
            if w == "host", case .string = peek().kind { return true }
            return false
        default:
            return false
        }
    }

    /// Ends a statement: a newline, `;`, or a `}` / end of file that follows.
    mutating func endOfStatement() {
        switch current.kind {
        case .newline, .symbol(.semicolon): advance()
        case .symbol(.rbrace), .eof: break
        case .doc: break
        default:
            var help: String?
            if case .identifier(let name) = current.kind, peek().kind == .symbol(.colon) {
                help = "separate arguments with a comma: ..., \(name): ..."
            } else if current.spaceBefore, !current.atLineStart, check(.lbracket) {
                help = "separate arguments with a comma"
            }
            fail(.expected("end of line", found: current, help: help))
            skipLine()
        }
    }

    /// Counts one level of nesting. Past the limit the error is reported
    /// once and the rest of the file is skipped: nothing after it could be
    /// trusted, and reporting every level would flood the output.
    mutating func enter() -> Bool {
        depth += 1
        if depth > Parser.maxDepth || tooDeep {
            if !tooDeep { report(.nestedTooDeeply(at: current.span)) }
            tooDeep = true
            index = tokens.count - 1
            return false
        }
        return true
    }

    /// A chain such as `a + b + c ...` or `a.b.c ...` nests as deeply as it
    /// is long; each link counts like a level of brackets.
    mutating func chainLink(_ links: inout Int) -> Bool {
        links += 1
        guard links > Parser.maxDepth else { return true }
        if !tooDeep { report(.nestedTooDeeply(at: current.span)) }
        tooDeep = true
        index = tokens.count - 1
        return false
    }
}
