import TernSource

/// Expressions, by precedence (lowest first):
///
/// | level | operators | associativity |
/// |---|---|---|
/// | conditional | `a if c else b` | right |
/// | or | `or` | left |
/// | and | `and` | left |
/// | not | `not` | prefix |
/// | comparison | `== != < <= > >= in` `not in` | none |
/// | additive | `+ -` | left |
/// | multiplicative | `* / %` | left |
/// | unary | `-` | prefix |
/// | postfix | `.name` `[i]` `(args)` | left |
extension Parser {
    // expr = or [ "if" or "else" expr ]
    public mutating func parseExpression(allowConditional: Bool = true) -> Expr {
        guard enter() else { return Expr(.error, current.span) }
        defer { depth -= 1 }
        let start = current.span
        let value = parseOr()
        if allowConditional, check(.if), !current.atLineStart {
            advance()
            let cond = parseOr()
            guard match(.else) else {
                fail(.expected("'else' in a conditional expression", found: current, help: "write: A if CONDITION else B"))
                return Expr(.error, span(from: start))
            }
            let other = parseExpression()
            return Expr(.conditional(cond: cond, then: value, else: other), span(from: start))
        }
        return value
    }

    mutating func parseOr() -> Expr {
        var left = parseAnd()
        var links = 0
        while check(.or), chainLink(&links) {
            advance()
            skipNewlines()
            let right = parseAnd()
            left = Expr(.binary(.or, left, right), left.span.to(right.span))
        }
        return left
    }

    mutating func parseAnd() -> Expr {
        var left = parseNot()
        var links = 0
        while check(.and), chainLink(&links) {
            advance()
            skipNewlines()
            let right = parseNot()
            left = Expr(.binary(.and, left, right), left.span.to(right.span))
        }
        return left
    }

    mutating func parseNot() -> Expr {
        if check(.not) {
            let start = advance().span
            guard enter() else { return Expr(.error, start) }
            defer { depth -= 1 }
            let operand = parseNot()
            return Expr(.unary(.not, operand), start.to(operand.span))
        }
        return parseComparison()
    }

    // comparison = additive [ op additive ]   (comparisons do not chain)
    mutating func parseComparison() -> Expr {
        let left = parseAdditive()
        let op: BinaryOp
        switch current.kind {
        case .symbol(.eq): op = .eq
        case .symbol(.ne): op = .ne
        case .symbol(.lt): op = .lt
        case .symbol(.le): op = .le
        case .symbol(.gt): op = .gt
        case .symbol(.ge): op = .ge
        case .keyword(.in): op = .in
        case .keyword(.not) where peek().kind == .keyword(.in):
            advance()
            op = .notIn
        case .symbol(.assign):
            report(.assignmentNotSupported(at: current.span))
            advance()
            _ = parseAdditive()
            return Expr(.error, left.span)
        default: return left
        }
        advance()
        skipNewlines()
        let right = parseAdditive()
        let result = Expr(.binary(op, left, right), left.span.to(right.span))
        switch current.kind {
        case .symbol(.eq), .symbol(.ne), .symbol(.lt), .symbol(.le), .symbol(.gt), .symbol(.ge):
            report(Diagnostic(
                id: "syntax", "comparisons cannot be chained", at: current.span,
                help: "combine them with 'and': a < b and b < c"))
            advance()
            _ = parseAdditive()
        default: break
        }
        return result
    }

    mutating func parseAdditive() -> Expr {
        var left = parseMultiplicative()
        var links = 0
        while chainLink(&links) {
            let op: BinaryOp
            switch current.kind {
            case .symbol(.plus): op = .add
            case .symbol(.minus): op = .sub
            default: return left
            }
            advance()
            skipNewlines()
            let right = parseMultiplicative()
            left = Expr(.binary(op, left, right), left.span.to(right.span))
        }
        return Expr(.error, left.span)
    }

    mutating func parseMultiplicative() -> Expr {
        var left = parseUnary()
        var links = 0
        while chainLink(&links) {
            let op: BinaryOp
            switch current.kind {
            case .symbol(.star): op = .mul
            case .symbol(.slash): op = .div
            case .symbol(.percent): op = .mod
            default: return left
            }
            advance()
            skipNewlines()
            let right = parseUnary()
            left = Expr(.binary(op, left, right), left.span.to(right.span))
        }
        return Expr(.error, left.span)
    }

    mutating func parseUnary() -> Expr {
        if check(.minus) {
            let start = advance().span
            guard enter() else { return Expr(.error, start) }
            defer { depth -= 1 }
            let operand = parseUnary()
            return Expr(.unary(.neg, operand), start.to(operand.span))
        }
        return parsePostfix()
    }

    // postfix = primary { "." IDENT | "[" expr "]" | "(" args ")" }
    mutating func parsePostfix() -> Expr {
        var expr = parsePrimary()
        var links = 0
        while chainLink(&links) {
            if check(.dot) {
                advance()
                guard let name = identifier("a field name after '.'") else { return Expr(.error, expr.span) }
                expr = Expr(.field(expr, name), expr.span.to(name.span))
            } else if check(.lbracket), !current.atLineStart {
                let open = advance().span
                skipNewlines()
                let key = parseExpression()
                skipNewlines()
                guard check(.rbracket) else {
                    fail(.unclosed("[", at: open, found: current))
                    return Expr(.error, expr.span)
                }
                advance()
                expr = Expr(.index(expr, key), span(from: expr.span))
            } else if check(.lparen), !current.atLineStart {
                let open = advance().span
                let args = parseArguments(until: .rparen)
                guard check(.rparen) else {
                    fail(.unclosed("(", at: open, found: current))
                    return Expr(.error, expr.span)
                }
                advance()
                expr = Expr(.call(expr, args), span(from: expr.span))
            } else {
                return expr
            }
        }
        return Expr(.error, expr.span)
    }

    // args = [ arg { "," arg } [ "," ] ]
    // arg  = [ IDENT ":" ] expr
    mutating func parseArguments(until close: Symbol?) -> [CallArgument] {
        var args: [CallArgument] = []
        var seenNamed = false
        var names: Set<String> = []
        if close != nil { skipNewlines() }
        while true {
            if let close, check(close) { break }
            if close == nil {
                if case .newline = current.kind { break }
                if atEnd || check(.rbrace) || check(.semicolon) { break }
            }
            if atEnd { break }
            var label: Identifier?
            if case .identifier(let name) = current.kind, peek().kind == .symbol(.colon) {
                label = Identifier(name: name, span: current.span)
                advance(); advance()
                if close != nil { skipNewlines() }
                seenNamed = true
                if !names.insert(name).inserted { report(.duplicateArgument(name, at: label?.span ?? current.span)) }
            } else if seenNamed {
                report(.positionalAfterNamed(at: current.span))
            }
            let value = parseExpression()
            args.append(CallArgument(label: label, value: value))
            if close != nil { skipNewlines() }
            guard match(.comma) else { break }
            // A trailing comma lets a command continue on the next line.
            skipNewlines()
        }
        return args
    }

    // primary = INT | DURATION | STRING | "true" | "false" | "null" | IDENT
    //         | "(" expr ")" | list | map
    mutating func parsePrimary() -> Expr {
        let t = current
        switch t.kind {
        case .int(let v): advance(); return Expr(.int(v), t.span)
        case .duration(let v): advance(); return Expr(.duration(v), t.span)
        case .keyword(.true): advance(); return Expr(.bool(true), t.span)
        case .keyword(.false): advance(); return Expr(.bool(false), t.span)
        case .keyword(.null): advance(); return Expr(.null, t.span)
        case .identifier(let name): advance(); return Expr(.name(name), t.span)
        case .string(let parts, _):
            advance()
            var out: [InterpolatedPart] = []
            for p in parts { out.append(interpolated(p)) }
            return Expr(.string(out), t.span)
        case .symbol(.lparen):
            advance()
            guard enter() else { return Expr(.error, t.span) }
            defer { depth -= 1 }
            skipNewlines()
            let inner = parseExpression()
            skipNewlines()
            guard check(.rparen) else {
                fail(.unclosed("(", at: t.span, found: current))
                return Expr(.error, t.span)
            }
            advance()
            return Expr(inner.kind, span(from: t.span))
        case .symbol(.lbracket): return parseList()
        case .symbol(.lbrace): return parseMap()
        case .error:
            advance()
            // Bad input already reported, often a stray operator (`!x`):
            // take the operand after it too, so it causes no second message.
            switch current.kind {
            case .identifier, .int, .duration, .string, .symbol(.lparen), .symbol(.lbracket):
                if !current.atLineStart { _ = parsePostfix() }
            default: break
            }
            return Expr(.error, t.span)
        default:
            fail(.expected("an expression", found: t))
            return Expr(.error, t.span)
        }
    }

    mutating func interpolated(_ part: StringPart) -> InterpolatedPart {
        switch part {
        case .text(let s): return .text(s)
        case .code(let tokens, let span):
            // `${}` was reported by the lexer; there is nothing to parse.
            if tokens.allSatisfy({ $0.kind == .eof || $0.kind == .newline }) { return .code(Expr(.error, span)) }
            var inner = Parser(tokens: tokens, file: file)
            inner.depth = depth
            inner.skipNewlines()
            let e = inner.parseExpression()
            inner.skipNewlines()
            if !inner.atEnd {
                inner.fail(.expected("'}' to end the interpolation", found: inner.current))
            }
            for d in inner.diagnostics { report(d) }
            return .code(Expr(e.kind, span))
        }
    }

    // list = "[" [ expr { "," expr } [ "," ] ] "]"
    //      | "[" expr "for" IDENT [ "," IDENT ] "in" expr [ "if" expr ] "]"
    mutating func parseList() -> Expr {
        let open = advance().span
        guard enter() else { return Expr(.error, open) }
        defer { depth -= 1 }
        var items: [Expr] = []
        skipNewlines()
        while !check(.rbracket), !atEnd {
            let item = parseExpression()
            skipNewlines()
            if items.isEmpty, check(.for) {
                return parseComprehension(open: open, body: item)
            }
            items.append(item)
            guard match(.comma) else { break }
            skipNewlines()
        }
        skipNewlines()
        guard check(.rbracket) else {
            fail(.unclosed("[", at: open, found: current))
            return Expr(.error, open)
        }
        advance()
        return Expr(.list(items), span(from: open))
    }

    mutating func parseComprehension(open: SourceSpan, body: Expr) -> Expr {
        advance()  // for
        var vars: [Identifier] = []
        guard let first = identifier("a loop variable") else { return Expr(.error, open) }
        vars.append(first)
        if match(.comma) {
            guard let second = identifier("a second loop variable") else { return Expr(.error, open) }
            vars.append(second)
        }
        guard match(.in) else {
            fail(.expected("'in'", found: current))
            return Expr(.error, open)
        }
        let iterable = parseOr()
        skipNewlines()
        var cond: Expr?
        if match(.if) {
            cond = parseOr()
            skipNewlines()
        }
        guard check(.rbracket) else {
            fail(.unclosed("[", at: open, found: current))
            return Expr(.error, open)
        }
        advance()
        return Expr(.comprehension(body: body, vars: vars, iterable: iterable, condition: cond), span(from: open))
    }

    // map   = "{" [ entry { ( "," | NEWLINE ) entry } ] "}"
    // entry = ( IDENT | STRING ) ":" expr
    mutating func parseMap() -> Expr {
        let open = advance().span
        guard enter() else { return Expr(.error, open) }
        defer { depth -= 1 }
        var entries: [MapEntry] = []
        var seen: [String: SourceSpan] = [:]
        skipNewlines()
        while !check(.rbrace), !atEnd {
            let keyToken = current
            let key: String
            switch keyToken.kind {
            case .identifier(let k): key = k
            case .keyword(let k): key = k.rawValue
            case .string(let parts, _) where !parts.contains(where: { if case .code = $0 { true } else { false } }):
                key = parts.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
            default:
                fail(.expected("a key (a name or a plain string)", found: keyToken))
                skipToClose(.rbrace)
                return Expr(.error, open)
            }
            advance()
            guard expect(.colon, "':' after the key") else {
                skipToClose(.rbrace)
                return Expr(.error, open)
            }
            skipNewlines()
            let value = parseExpression()
            if let first = seen[key] {
                report(Diagnostic(
                    id: "duplicate-key", "key '\(key)' appears twice in this map", at: keyToken.span,
                    notes: [.init("first written here", at: first)]))
            } else {
                seen[key] = keyToken.span
            }
            entries.append(MapEntry(key: key, keySpan: keyToken.span, value: value))
            let hadNewline = current.kind == .newline
            skipNewlines()
            if match(.comma) { skipNewlines(); continue }
            if !hadNewline { break }
        }
        guard check(.rbrace) else {
            fail(.unclosed("{", at: open, found: current))
            skipToClose(.rbrace)
            return Expr(.error, open)
        }
        advance()
        return Expr(.map(entries), span(from: open))
    }

    /// After an error inside brackets, skip to the matching close.
    mutating func skipToClose(_ close: Symbol) {
        var depth = 0
        while !atEnd {
            switch current.kind {
            case .symbol(.lparen), .symbol(.lbracket), .symbol(.lbrace): depth += 1
            case .symbol(.rparen), .symbol(.rbracket), .symbol(.rbrace):
                if depth == 0 {
                    if check(close) { advance() }
                    return
                }
                depth -= 1
            default: break
            }
            advance()
        }
    }
}
