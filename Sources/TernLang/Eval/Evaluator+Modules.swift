import Foundation
import TernPlan
import TernSource

extension Evaluator {
    /// Loads the module named by a `use` item, relative to `from`.
    func loadModule(_ item: UseItem, from file: SourceFile) -> Module? {
        let path: String
        if item.isPath {
            path = ModuleLoader.normalize(Builtins.resolvePath(item.module, relativeTo: file.realPath))
            guard FileManager.default.fileExists(atPath: path) || loader.overlays[path] != nil else {
                report(.moduleNotFound(item.module, at: item.span, path: path, candidates: []))
                return nil
            }
        } else {
            guard let p = loader.stdlibFile(item.module) else {
                report(.moduleNotFound(item.module, at: item.span, path: nil, candidates: loader.stdlibModules))
                return nil
            }
            path = ModuleLoader.normalize(p)
        }
        if let i = loader.loading.firstIndex(of: path) {
            let chain = loader.loading[i...].map { ($0 as NSString).lastPathComponent } + [(path as NSString).lastPathComponent]
            report(.importCycle(chain, at: item.span))
            return nil
        }
        if let m = loader.cached(path) { return m }
        guard let (syntax, errors) = loader.parse(path: path) else {
            report(.moduleNotFound(item.module, at: item.span, path: path, candidates: []))
            return nil
        }
        for e in errors { report(e) }
        let name = item.isPath ? item.alias.name : item.module
        let module = Module(name: name, file: syntax.file, doc: syntax.moduleDoc)
        loader.store(module, at: path)
        loader.loading.append(path)
        defer { loader.loading.removeLast() }
        declare(syntax, in: module, isRoot: false)
        return module
    }

    /// Binds every top-level name of a file in its module. Functions and
    /// modules are bound at once; `let`s lazily. Playbook-only declarations
    /// (steps, hosts, ...) are handled by the planner for the root module.
    func declare(_ syntax: FileSyntax, in module: Module, isRoot: Bool) {
        for decl in syntax.decls {
            switch decl.kind {
            case .use(let items):
                for item in items {
                    guard claim(item.alias.name, at: item.alias.span, in: module) else { continue }
                    if let m = loadModule(item, from: syntax.file) {
                        module.globals[item.alias.name] = .module(m)
                    } else {
                        module.globals[item.alias.name] = .poison
                    }
                }
            case .let(let name, let expr):
                guard claim(name.name, at: name.span, in: module) else { continue }
                module.lazyGlobals[name.name] = { ev in ev.eval(expr, nil, module) }
            case .function(let name, let params, let body, let isRecipe):
                guard claim(name.name, at: name.span, in: module) else { continue }
                module.globals[name.name] = .function(FunctionValue(
                    name: module === root ? name.name : "\(module.name).\(name.name)", isRecipe: isRecipe,
                    signature: signature(params), body: .user(body, module: module), doc: decl.doc, span: name.span))
            case .error:
                break
            case .step, .host, .group, .param, .secret, .inventory:
                if !isRoot {
                    report(.playbookOnlyDeclaration(at: decl.span))
                }
            }
        }
    }

    /// Reserves a global name; false (and a report) when it is taken.
    func claim(_ name: String, at span: SourceSpan, in module: Module) -> Bool {
        if let first = module.globalSpans[name] {
            report(.duplicateDefinition(name, at: span, first: first))
            return false
        }
        module.globalSpans[name] = span
        module.order.append(name)
        return true
    }

    func signature(_ params: [Param]) -> Signature {
        var seen: Set<String> = []
        return Signature(parameters: params.map { p in
            if !seen.insert(p.name.name).inserted { report(.duplicateParameter(p.name.name, at: p.name.span)) }
            var type = TypeTag.any
            if let t = p.type {
                if let tag = TypeTag.declarable[t.name] {
                    type = tag
                } else {
                    report(.unknownType(t.name, at: t.span))
                }
            } else if let d = p.defaultValue {
                type = Evaluator.literalType(d) ?? .any
            }
            return .init(name: p.name.name, type: type, defaultValue: p.defaultValue.map { .expr($0) }, span: p.name.span)
        })
    }

    /// The type a literal default implies, so `version = ""` means a string.
    static func literalType(_ e: Expr) -> TypeTag? {
        switch e.kind {
        case .string: .string
        case .int: .int
        case .bool: .bool
        case .duration: .duration
        case .list, .comprehension: .list
        case .map: .map
        default: nil
        }
    }
}
