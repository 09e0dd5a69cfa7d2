import TernSource

extension Parser {
    // block = "{" { stmt } "}"
    mutating func parseBlock() -> [Stmt] {
        let open = current.span
        guard expect(.lbrace, "'{'") else { return [] }
        var stmts: [Stmt] = []
        while true {
            skipStatementSeparators()
            if check(.rbrace) { advance(); break }
            if atEnd {
                // An unterminated string that ran to the end of the file has
                // been reported; the braces it swallowed are not news.
                if !endsInBrokenToken { report(.unclosed("{", at: open, found: current)) }
                break
            }
            if isTopLevelOnly {
                report(.declarationNotAllowed(declName, where: "inside a block", at: current.span))
                skipLine()
                continue
            }
            let before = index
            stmts.append(parseStatement())
            if index == before { advance() }
        }
        return stmts
    }

    mutating func skipStatementSeparators() {
        while true {
            switch current.kind {
            case .newline, .symbol(.semicolon), .doc: advance()
            default: return
            }
        }
    }

    var isTopLevelOnly: Bool {
        switch current.kind {
        case .keyword(.fn), .keyword(.recipe), .keyword(.step), .keyword(.handler), .keyword(.use): true
        case .identifier(let w): ["param", "secret", "inventory", "group"].contains(w) && isDeclStart
        default: false
        }
    }

    var declName: String {
        switch current.kind {
        case .keyword(let k): "'\(k.rawValue)'"
        case .identifier(let w): "'\(w)'"
        default: "this"
        }
    }

    // stmt = "let" IDENT "=" expr
    //      | "for" IDENT [ "," IDENT ] "in" expr block
    //      | "if" expr block [ "else" ( if | block ) ]
    //      | "return" [ expr ]
    //      | command | expr
    mutating func parseStatement() -> Stmt {
        let start = current.span
        let errorsBefore = diagnostics.count
        let kind: StmtKind
        switch current.kind {
        case .keyword(.let):
            advance()
            if let name = identifier("a name"), expect(.assign, "'=' after the name") {
                kind = .let(name, parseExpression())
            } else {
                kind = .error
            }
        case .keyword(.for):
            kind = parseFor()
        case .keyword(.if):
            kind = parseIf()
        case .keyword(.return):
            advance()
            switch current.kind {
            case .newline, .symbol(.rbrace), .symbol(.semicolon), .eof: kind = .return(nil)
            default: kind = .return(parseExpression())
            }
        default:
            kind = .expr(parseCommandOrExpression())
        }
        // The statement's own text, before its separator is consumed.
        let own = span(from: start)
        if case .return = kind, inStepBody {
            report(.returnInStep(at: own))
        }
        if diagnostics.count > errorsBefore {
            skipLine()
        } else if case .for = kind {
        } else if case .if = kind {
        } else {
            endOfStatement()
        }
        return Stmt(kind: kind, span: own)
    }

    mutating func parseFor() -> StmtKind {
        advance()
        var vars: [Identifier] = []
        guard let first = identifier("a loop variable") else { return .error }
        vars.append(first)
        if match(.comma) {
            guard let second = identifier("a second loop variable") else { return .error }
            vars.append(second)
        }
        guard match(.in) else {
            fail(.expected("'in'", found: current))
            return .error
        }
        let iterable = parseExpression(allowConditional: false)
        return .for(vars: vars, iterable: iterable, body: parseBlock())
    }

    mutating func parseIf() -> StmtKind {
        advance()
        let cond = parseExpression(allowConditional: false)
        let then = parseBlock()
        // `else` may sit on the line after the closing brace.
        var look = index
        while tokens[look].kind == .newline { look += 1 }
        guard tokens[look].kind == .keyword(.else) else { return .if(cond: cond, then: then, else: nil) }
        index = look
        advance()
        if check(.if) {
            let start = current.span
            let nested = parseIf()
            return .if(cond: cond, then: then, else: [Stmt(kind: nested, span: span(from: start))])
        }
        return .if(cond: cond, then: then, else: parseBlock())
    }

    // command = path arg { "," arg }       (path followed by an argument on the same line)
    // path    = IDENT { "." IDENT }
    // arg     = [ IDENT ":" ] expr
    //
    // `pkg.installed "htop", version: "2"` is the call
    // `pkg.installed("htop", version: "2")` written the way a runbook reads.
    mutating func parseCommandOrExpression() -> Expr {
        guard case .identifier = current.kind else { return parseExpression() }
        var look = index + 1
        // `peek` clamps at the final `.eof`, so a file that ends here is safe.
        while tokens[look].kind == .symbol(.dot), case .identifier = peek(look + 1 - index).kind { look += 2 }
        let next = peek(look - index)
        guard !next.atLineStart, next.spaceBefore, startsCommandArgument(next, following: peek(look + 1 - index)) else {
            return parseExpression()
        }
        // Parse the callee as a plain path.
        let start = current.span
        var callee = Expr(.name(identifierText(advance())), start)
        while check(.dot) {
            advance()
            let id = advance()
            callee = Expr(.field(callee, Identifier(name: identifierText(id), span: id.span)), start.to(id.span))
        }
        let args = parseArguments(until: nil)
        return Expr(.call(callee, args), span(from: start))
    }

    func identifierText(_ t: Token) -> String {
        if case .identifier(let s) = t.kind { return s }
        return ""
    }

    func startsCommandArgument(_ t: Token, following: Token) -> Bool {
        switch t.kind {
        case .string, .int, .duration, .identifier: return true
        case .keyword(.true), .keyword(.false), .keyword(.null): return true
        case .symbol(.lbracket), .symbol(.lbrace): return true
        case .symbol(.minus): return false
        default: return false
        }
    }
}
