import TernSource

extension Parser {
    // file = { NEWLINE | decl } EOF
    mutating func parseFile() -> FileSyntax {
        var decls: [Decl] = []
        var moduleDoc: [String] = []
        // A leading `///` block followed by a blank line documents the module.
        var lookahead = index
        var docs: [String] = []
        while case .doc(let d) = tokens[lookahead].kind {
            docs.append(d)
            lookahead += 1
            if tokens[lookahead].kind == .newline { lookahead += 1 }
        }
        if !docs.isEmpty, tokens[lookahead].kind == .newline {
            moduleDoc = docs
            index = lookahead
        }
        while true {
            while current.kind == .newline || check(.semicolon) { advance() }
            if atEnd { break }
            let before = index
            if let d = parseDecl() { decls.append(d) }
            if index == before { synchronizeDecl() }
        }
        return FileSyntax(file: file, decls: decls, moduleDoc: moduleDoc)
    }

    // decl = { DOC NEWLINE } ( use | inventory | param | secret | let | host
    //        | group | recipe | fn | step | handler )
    mutating func parseDecl() -> Decl? {
        var doc: [String] = []
        while case .doc(let d) = current.kind {
            doc.append(d)
            advance()
            if current.kind == .newline { advance() }
        }
        if atEnd { return nil }
        let start = current.span
        let errorsBefore = diagnostics.count
        let kind: DeclKind
        switch current.kind {
        case .keyword(.use): kind = parseUse()
        case .keyword(.let):
            advance()
            guard let name = identifier("a name") else { synchronizeDecl(); return nil }
            guard expect(.assign, "'=' after the name") else { synchronizeDecl(); return nil }
            kind = .let(name, parseExpression())
        case .keyword(.fn), .keyword(.recipe): kind = parseFunction()
        case .keyword(.step), .keyword(.handler): kind = parseStep()
        case .identifier("param") where isDeclStart: kind = parseParam()
        case .identifier("secret") where isDeclStart: kind = parseSecret()
        case .identifier("inventory") where isDeclStart:
            advance()
            kind = .inventory(path: parseExpression())
        case .identifier("host") where isDeclStart: kind = parseHost()
        case .identifier("group") where isDeclStart: kind = parseGroup()
        default:
            fail(Diagnostic(
                id: "syntax", "expected a declaration, found \(current.kind)", at: current.span,
                label: "not a declaration",
                help: "a file holds use, inventory, param, secret, let, host, group, fn, recipe and step declarations; actions go inside a step"))
            synchronizeDecl()
            return nil
        }
        let own = span(from: start)
        if diagnostics.count > errorsBefore {
            // Recover at the next declaration rather than at the next token.
            if !(current.atLineStart && isDeclStart) && !atEnd { synchronizeDecl() }
        } else {
            endOfStatement()
        }
        return Decl(kind: kind, span: own, doc: doc)
    }

    // use = "use" useItem { "," useItem }
    // useItem = IDENT | STRING "as" IDENT
    mutating func parseUse() -> DeclKind {
        advance()
        var items: [UseItem] = []
        repeat {
            let start = current.span
            if case .identifier(let name) = current.kind {
                advance()
                items.append(UseItem(module: name, isPath: false, alias: Identifier(name: name, span: start), span: start))
            } else if case .string(let parts, _) = current.kind {
                advance()
                let path = parts.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
                if parts.contains(where: { if case .code = $0 { true } else { false } }) {
                    report(Diagnostic(id: "syntax", "a module path cannot contain '${...}'", at: start))
                }
                guard checkWord("as") else {
                    fail(.expected("'as NAME' after a module path", found: current))
                    return .use(items)
                }
                advance()
                guard let alias = identifier("a module name") else { return .use(items) }
                items.append(UseItem(module: path, isPath: true, alias: alias, span: span(from: start)))
            } else {
                fail(.expected("a module name", found: current, help: "e.g. use pkg, service or use \"./lib.tern\" as lib"))
                return .use(items)
            }
        } while match(.comma)
        return .use(items)
    }

    // param = "param" IDENT [ ":" TYPE ] [ "=" expr ]
    mutating func parseParam() -> DeclKind {
        advance()
        guard let name = identifier("a parameter name") else { return .error }
        var type: TypeName?
        if match(.colon) {
            guard let t = identifier("a type") else { return .error }
            type = TypeName(name: t.name, span: t.span)
        }
        var value: Expr?
        if match(.assign) { value = parseExpression() }
        if type == nil, value == nil {
            report(Diagnostic(
                id: "syntax", "parameter '\(name.name)' needs a default value or a type", at: name.span,
                help: "write 'param \(name.name) = DEFAULT' or 'param \(name.name): string' for a required one"))
        }
        return .param(name: name, type: type, defaultValue: value)
    }

    // secret = "secret" IDENT "from" ( "env" | "file" ) expr
    mutating func parseSecret() -> DeclKind {
        advance()
        guard let name = identifier("a secret name") else { return .error }
        guard checkWord("from") else {
            fail(.expected("'from env \"VAR\"' or 'from file \"PATH\"'", found: current))
            return .error
        }
        advance()
        guard let source = identifier("'env' or 'file'") else { return .error }
        if source.name != "env" && source.name != "file" {
            report(Diagnostic(
                id: "bad-secret-source", "secrets come from 'env' or 'file', not '\(source.name)'", at: source.span,
                help: Suggestions.didYouMean(source.name, among: ["env", "file"])))
            return .error
        }
        return .secret(name: name, source: source, argument: parseExpression())
    }

    // host = "host" ( IDENT | STRING ) [ map ]
    mutating func parseHost() -> DeclKind {
        advance()
        let name: Identifier
        if case .string(let parts, _) = current.kind {
            let text = parts.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
            name = Identifier(name: text, span: advance().span)
            if text.isEmpty || parts.contains(where: { if case .code = $0 { true } else { false } }) {
                report(Diagnostic(id: "syntax", "a host name must be plain, non-empty text", at: name.span))
                return .error
            }
        } else {
            guard let n = identifier("a host name") else { return .error }
            name = n
            // `host web1.example.com { ... }`: a name with dots or dashes.
            if check(.dot) || check(.minus), !current.spaceBefore {
                let start = n.span
                while !atEnd, !check(.lbrace), current.kind != .newline { advance() }
                let whole = start.to(previous.span)
                report(Diagnostic(
                    id: "syntax", "a host name with dots or dashes must be quoted", at: whole,
                    help: "write host \"\(whole.text)\" { ... }; refer to it as all[\"\(whole.text)\"]"))
                return .error
            }
        }
        var body: Expr?
        if check(.lbrace) { body = parseMap() }
        return .host(name: name, body: body)
    }

    // group = "group" IDENT map
    mutating func parseGroup() -> DeclKind {
        advance()
        guard let name = identifier("a group name") else { return .error }
        guard check(.lbrace) else {
            fail(.expected("'{' with the group's hosts", found: current, help: "e.g. group web { hosts: [web1, web2] }"))
            return .error
        }
        return .group(name: name, body: parseMap())
    }

    // function = ( "fn" | "recipe" ) IDENT "(" [ param { "," param } ] ")" block
    // param    = IDENT [ ":" TYPE ] [ "=" expr ]
    mutating func parseFunction() -> DeclKind {
        let isRecipe = advance().kind == .keyword(.recipe)
        guard let name = identifier(isRecipe ? "a recipe name" : "a function name") else { return .error }
        guard expect(.lparen, "'(' and the parameter list") else { return .error }
        var params: [Param] = []
        skipNewlines()
        while !check(.rparen), !atEnd {
            guard let p = identifier("a parameter name") else { return .error }
            var type: TypeName?
            if match(.colon) {
                guard let t = identifier("a type") else { return .error }
                type = TypeName(name: t.name, span: t.span)
            }
            var value: Expr?
            if match(.assign) { value = parseExpression() }
            params.append(Param(name: p, type: type, defaultValue: value))
            skipNewlines()
            if !match(.comma) { break }
            skipNewlines()
        }
        guard expect(.rparen, "')' to close the parameter list") else { return .error }
        let wasInStep = inStepBody
        inStepBody = false
        defer { inStepBody = wasInStep }
        return .function(name: name, params: params, body: parseBlock(), isRecipe: isRecipe)
    }

    // step    = ( "step" | "handler" ) IDENT "on" expr [ "after" IDENT { "," IDENT } ]
    //           [ "," ] [ option { "," option } [ "," ] ] block
    // option  = IDENT ":" expr
    // (a newline may follow any comma of the header)
    mutating func parseStep() -> DeclKind {
        let isHandler = advance().kind == .keyword(.handler)
        guard let name = identifier("a step name") else { return .error }
        guard checkWord("on") else {
            fail(.expected("'on' and the hosts to run on", found: current, help: "e.g. step \(name.name) on all { ... }"))
            return .error
        }
        advance()
        let targets = parseExpression(allowConditional: false)
        var after: [Identifier] = []
        var options: [StepOption] = []
        // After a comma the header may go on on the next line.
        if checkWord("after") {
            advance()
            while !isOptionStart {
                guard let s = identifier("a step name") else { return .error }
                after.append(s)
                if !match(.comma) { break }
                skipNewlines()
            }
        } else if match(.comma) {
            skipNewlines()
        }
        while isOptionStart {
            guard let o = identifier("an option name") else { return .error }
            advance()  // ':'
            options.append(StepOption(name: o, value: parseExpression()))
            if !match(.comma) { break }
            skipNewlines()
        }
        guard check(.lbrace) else {
            fail(.expected("'{' to start the step's body", found: current,
                help: "options are written 'name: value' after the targets, separated by commas"))
            return .error
        }
        inStepBody = true
        let body = parseBlock()
        inStepBody = false
        return .step(StepDeclSyntax(
            name: name, targets: targets, after: after, options: options, body: body, isHandler: isHandler))
    }

    var isOptionStart: Bool {
        if case .identifier = current.kind, peek().kind == .symbol(.colon) { return true }
        return false
    }
}
