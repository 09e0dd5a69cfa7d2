import Foundation
import TernPlan
import TernSource

/// What a command line asks of the planner.
public struct PlanOptions: Sendable {
    /// `-i` files; when given they replace the playbook's `inventory` lines.
    public var inventoryPaths: [String] = []
    /// `-p NAME=VALUE`, in order.
    public var params: [(name: String, value: String)] = []
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// When false (check, graph), an unset secret is a warning, not an error.
    public var requireSecrets = false
    public var stdlibPath: String?
    /// Paths under this directory print relative to it (default: the working directory).
    public var baseDirectory: String?

    public init() {}
}

/// The outcome of planning a playbook.
public struct PlanResult: Sendable {
    public let graph: StepGraph?
    /// Sorted; errors and warnings; secrets masked.
    public let diagnostics: [Diagnostic]
    /// Masks the playbook's secrets in any text shown to a user.
    public var secrets = Redactor(secrets: [])
    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// Evaluates a playbook into a step graph.
///
/// The order of work: parse the playbook and every module it uses (stopping
/// after syntax errors, which would only cascade); bind its names; build the
/// inventory (hosts, then groups); then evaluate each step — its targets and
/// options once, its body once per target host, with `host` bound — into
/// nodes; finally hand everything to `GraphBuilder`.
public enum Planner {
    public static func plan(path: String, options: PlanOptions) -> PlanResult {
        plan(path: path, text: nil, options: options)
    }

    /// Plans source text as if it were the file at `path` (tests, REPL).
    ///
    /// Evaluation is recursive, so it runs on a thread of its own with a
    /// large stack: the nesting limits then hold on any caller's thread,
    /// including the small-stacked threads of Swift concurrency.
    public static func plan(path: String, text: String?, options: PlanOptions) -> PlanResult {
        LargeStack.run { planOnThisThread(path: path, text: text, options: options) }
    }

    static func planOnThisThread(path: String, text: String?, options: PlanOptions) -> PlanResult {
        let loader = ModuleLoader(stdlibPath: options.stdlibPath, baseDirectory: options.baseDirectory)
        if let text { loader.overlays[ModuleLoader.normalize(path)] = text }
        let ev = Evaluator(loader: loader, environment: options.environment, requireSecrets: options.requireSecrets)
        let graph = PlaybookEvaluation(evaluator: ev, options: options).run(path: ModuleLoader.normalize(path), shownPath: path)
        // A message may quote a value built from a secret (`fail("${k}")`,
        // a missing map key): mask every secret's text in every diagnostic.
        let redactor = Redactor(secrets: ev.secretTexts)
        return PlanResult(graph: graph, diagnostics: ev.diagnostics.sorted.map(redactor.redact), secrets: redactor)
    }
}

/// Hosts chosen by a target expression (`tern run TARGETS`).
public struct TargetsResult: Sendable {
    public let hosts: [PlanHost]
    public let diagnostics: [Diagnostic]
    public var secrets = Redactor(secrets: [])
}

extension Planner {
    /// Evaluates `expression` (e.g. `glfs - lab1`, `all`, `[lab1, lab2]`)
    /// against the inventory given in `options.inventoryPaths`, as the `on`
    /// part of a step would be.
    public static func targets(_ expression: String, options: PlanOptions) -> TargetsResult {
        let loader = ModuleLoader(stdlibPath: options.stdlibPath, baseDirectory: options.baseDirectory)
        let root = ModuleLoader.normalize("<inventory>.tern")
        loader.overlays[root] = ""
        let ev = Evaluator(loader: loader, environment: options.environment, requireSecrets: options.requireSecrets)
        let evaluation = PlaybookEvaluation(evaluator: ev, options: options)
        var hosts: [PlanHost] = []
        if let module = evaluation.loadInventory(path: root) {
            let file = SourceFile(path: "<targets>", text: expression)
            var parser = Parser(file: file)
            parser.skipNewlines()
            let expr = parser.parseExpression()
            parser.skipNewlines()
            if !parser.atEnd { parser.fail(.expected("the end of the target expression", found: parser.current)) }
            for d in parser.diagnostics { ev.report(d) }
            if !ev.diagnostics.hasErrors {
                let indices = StepEvaluation(ev: ev, module: module).hostList(ev.eval(expr, nil, module), at: expr.span)
                if indices.isEmpty, !ev.diagnostics.hasErrors {
                    ev.report(.noTargets(expression))
                }
                let all = ev.inventory.planHosts
                hosts = indices.map { all[$0] }
            }
        }
        let redactor = Redactor(secrets: ev.secretTexts)
        return TargetsResult(hosts: ev.diagnostics.hasErrors ? [] : hosts, diagnostics: ev.diagnostics.sorted.map(redactor.redact), secrets: redactor)
    }
}

/// One run of the planner over a playbook.
struct PlaybookEvaluation {
    let ev: Evaluator
    let options: PlanOptions

    init(evaluator: Evaluator, options: PlanOptions) {
        self.ev = evaluator
        self.options = options
    }

    /// Loads an (empty) root module with the inventory of `options`, for
    /// commands that work on hosts without a playbook.
    func loadInventory(path: String) -> Module? {
        guard let (syntax, _) = ev.loader.parse(path: path) else { return nil }
        let module = Module(name: "main", file: syntax.file, doc: [])
        ev.root = module
        ev.loader.store(module, at: path)
        return buildInventory(syntax: syntax, module: module) != nil ? module : nil
    }

    func run(path: String, shownPath: String) -> StepGraph? {
        guard let (syntax, errors) = ev.loader.parse(path: path) else {
            ev.report(.playbookNotFound(shownPath))
            return nil
        }
        for e in errors { ev.report(e) }
        let module = Module(name: "main", file: syntax.file, doc: syntax.moduleDoc)
        ev.root = module
        ev.loader.store(module, at: path)
        ev.loader.loading.append(path)
        ev.declare(syntax, in: module, isRoot: true)
        ev.loader.loading.removeLast()
        // Syntax errors anywhere: stop here; evaluating broken code only cascades.
        if ev.diagnostics.diagnostics.contains(where: { $0.severity == .error && Diagnostic.syntaxIDs.contains($0.id) }) {
            return nil
        }

        guard let decls = buildInventory(syntax: syntax, module: module) else { return nil }
        var steps: [StepDeclSyntax] = []
        for d in decls {
            guard case .step(let s) = d.kind else { continue }
            // A second step of the same name is reported once, here.
            guard ev.claim(s.name.name, at: s.name.span, in: module) else { continue }
            module.globals[s.name.name] = .step(s.name.name)
            steps.append(s)
        }
        // Force every global, so mistakes in unused ones are reported too.
        for name in module.order where module.lazyGlobals[name] != nil {
            _ = ev.global(name, in: module, at: module.globalSpans[name] ?? SourceSpan(file: syntax.file, start: 0, end: 0))
        }
        let stepEvaluation = StepEvaluation(ev: ev, module: module)
        let (stepDecls, nodes) = stepEvaluation.evaluate(steps)
        if ev.diagnostics.hasErrors { return nil }
        var builder = GraphBuilder(hosts: ev.inventory.planHosts, steps: stepDecls, nodes: nodes)
        let graph = builder.build()
        for d in builder.diagnostics.diagnostics { ev.report(d) }
        return ev.diagnostics.hasErrors ? nil : graph
    }


    /// Parameters, secrets and the inventory (from `-i`, or the playbook's
    /// `inventory` lines, plus its own `host`/`group` declarations). Returns
    /// the declarations in force (the playbook's and the inventory files'),
    /// or nil after errors.
    func buildInventory(syntax: FileSyntax, module: Module) -> [Decl]? {
        var decls = syntax.decls
        // Parameters and secrets first: inventory paths and host bodies may use them.
        declareParams(syntax.decls, module)
        declareSecrets(syntax.decls, module)
        // Inventory: -i files replace the playbook's `inventory` lines.
        var inventorySources: [(String, SourceSpan?)] = []
        if options.inventoryPaths.isEmpty {
            for d in syntax.decls {
                guard case .inventory(let pathExpr) = d.kind else { continue }
                let v = ev.eval(pathExpr, nil, module)
                guard case .string(let t) = v, let p = t.plainText else {
                    if !v.isPoison { ev.report(.inventoryPathNotString(v.typeTag, at: pathExpr.span)) }
                    continue
                }
                inventorySources.append((Builtins.resolvePath(p, relativeTo: syntax.file.realPath), pathExpr.span))
            }
        } else {
            inventorySources = options.inventoryPaths.map { (ModuleLoader.normalize($0), nil) }
        }
        var ansible: [AnsibleSource] = []
        for (p, span) in inventorySources {
            if p.hasSuffix(".tern") {
                guard let (inv, errs) = ev.loader.parse(path: ModuleLoader.normalize(p)) else {
                    ev.report(.inventoryNotFound(ev.loader.displayPath(p), at: span))
                    continue
                }
                for e in errs { ev.report(e) }
                for d in inv.decls {
                    switch d.kind {
                    case .host, .group, .let: decls.append(d)
                    default: ev.report(.notInventoryDeclaration(at: d.span))
                    }
                }
                let lets = inv.decls.filter { if case .let = $0.kind { true } else { false } }
                ev.declare(FileSyntax(file: inv.file, decls: lets, moduleDoc: []), in: module, isRoot: true)
            } else {
                guard let data = FileManager.default.contents(atPath: p) else {
                    ev.report(.inventoryNotFound(ev.loader.displayPath(p), at: span))
                    continue
                }
                ansible.append(AnsibleSource(path: ev.loader.displayPath(p), text: String(decoding: data, as: UTF8.self)))
            }
        }
        if ev.diagnostics.hasErrors { return nil }

        InventoryEvaluation(ev: ev, module: module).build(decls: decls, ansible: ansible)
        // Without its inventory a playbook's host and group names are all
        // unknown: report the inventory's errors alone.
        if ev.diagnostics.hasErrors { return nil }
        return decls
    }

    func declareParams(_ decls: [Decl], _ module: Module) {
        var overrides: [String: String] = [:]
        for p in options.params { overrides[p.name] = p.value }
        var declared: [String] = []
        for d in decls {
            guard case .param(let name, let type, let defaultExpr) = d.kind else { continue }
            declared.append(name.name)
            guard ev.claim(name.name, at: name.span, in: module) else { continue }
            var declaredType: TypeTag?
            if let t = type {
                declaredType = TypeTag.declarable[t.name]
                if declaredType == nil { ev.report(.unknownType(t.name, at: t.span)) }
            }
            let given = overrides[name.name]
            module.lazyGlobals[name.name] = { ev in
                let defaultValue = defaultExpr.map { ev.eval($0, nil, module) }
                let expected = declaredType ?? defaultValue?.typeTag ?? .string
                if let dv = defaultValue, !dv.isPoison, !expected.accepts(dv.typeTag) {
                    ev.report(.paramDefaultType(name.name, expected: expected, got: dv.typeTag, at: defaultExpr?.span ?? name.span))
                    return .poison
                }
                guard let given else {
                    // A secret parameter's default is secret too.
                    if declaredType == .secret, case .string(let t)? = defaultValue, let text = t.plainText {
                        ev.secretTexts.insert(text)
                        return .string(Template([.secret(text)]))
                    }
                    if let defaultValue { return defaultValue.asData }
                    ev.report(.paramRequired(name.name, at: name.span))
                    return .poison
                }
                guard let v = ParamParser.parse(given, as: expected) else {
                    ev.report(.paramBadValue(name.name, expected == .secret ? "***" : given, expected: expected, declaredAt: name.span))
                    return .poison
                }
                if expected == .secret { ev.secretTexts.insert(given) }
                return v
            }
        }
        for p in options.params where !declared.contains(p.name) {
            ev.report(.unknownParam(p.name, candidates: declared))
        }
    }

    func declareSecrets(_ decls: [Decl], _ module: Module) {
        for d in decls {
            guard case .secret(let name, let source, let argument) = d.kind else { continue }
            guard ev.claim(name.name, at: name.span, in: module) else { continue }
            let v = ev.eval(argument, nil, module)
            guard case .string(let t) = v, let key = t.plainText, !t.containsSecret else {
                if !v.isPoison { ev.report(.secretSourceNotString(v.typeTag, at: argument.span)) }
                module.globals[name.name] = .poison
                continue
            }
            var value: String?
            if source.name == "env" {
                value = ev.environment[key]
            } else if let data = FileManager.default.contents(atPath: Builtins.resolvePath(key, relativeTo: argument.span.file.realPath)) {
                var s = String(decoding: data, as: UTF8.self)
                while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
                value = s
            }
            if let value {
                ev.secretTexts.insert(value)
                module.globals[name.name] = .string(Template([.secret(value)]))
            } else {
                let d = Diagnostic.secretMissing(name.name, source: source.name, key: key, at: argument.span)
                ev.report(ev.requireSecrets ? d : d.asWarning())
                // Planning continues with a placeholder that prints as ***.
                module.globals[name.name] = .string(Template([.secret("")]))
            }
        }
    }
}

struct AnsibleSource {
    let path: String
    let text: String
}

extension Diagnostic {
    /// Ids whose presence stops planning before evaluation.
    static let syntaxIDs: Set<String> = [
        "syntax", "unexpected-character", "bad-number", "unterminated-string", "bad-escape", "empty-interpolation",
        "nested-too-deeply", "unclosed", "misplaced-declaration", "duplicate-argument", "reserved-word",
        "duplicate-key", "bad-secret-source",
    ]
}
