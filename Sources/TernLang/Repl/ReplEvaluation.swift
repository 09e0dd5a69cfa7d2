import Foundation
import TernPlan
import TernSource

/// One evaluation of the REPL's document (with the playbook planner), and,
/// when asked, of an expression in its root module.
struct ReplEvaluation: Sendable {
    struct HostInfo: Sendable {
        let name: String
        let address: String
        let groups: [String]
        let vars: String
    }

    var graph: StepGraph?
    var diagnostics: [Diagnostic]
    var secrets: Redactor
    /// The expression's value, as shown: `"text"  (string)`.
    var shown: String?
    /// The hosts the expression names, when it is a host or a host set.
    var selectedHosts: [PlanHost]?
    var hosts: [HostInfo] = []
    var groups: [(name: String, members: [String])] = []
    /// Global names of the document, and `module.name` of what it uses.
    var names: [String] = []
    var documentFile: SourceFile?

    var errors: Int { diagnostics.filter { $0.severity == .error }.count }

    static func run(path: String, text: String, options: PlanOptions, expression: String?) -> ReplEvaluation {
        LargeStack.run { onThisThread(path: path, text: text, options: options, expression: expression) }
    }

    private static func onThisThread(path: String, text: String, options: PlanOptions, expression: String?) -> ReplEvaluation {
        let loader = ModuleLoader(stdlibPath: options.stdlibPath, baseDirectory: options.baseDirectory)
        let normalized = ModuleLoader.normalize(path)
        loader.overlays[normalized] = text
        let ev = Evaluator(loader: loader, environment: options.environment, requireSecrets: options.requireSecrets)
        let graph = PlaybookEvaluation(evaluator: ev, options: options).run(path: normalized, shownPath: path)
        var result = ReplEvaluation(graph: graph, diagnostics: [], secrets: Redactor(secrets: []))
        if let module = ev.root {
            result.documentFile = module.file
            if let expression, !ev.diagnostics.hasErrors {
                let file = SourceFile(path: "<input>", text: expression)
                var parser = Parser(file: file)
                parser.skipNewlines()
                let expr = parser.parseExpression()
                parser.skipNewlines()
                if !parser.atEnd { parser.fail(.expected("the end of the expression", found: parser.current)) }
                for d in parser.diagnostics { ev.report(d) }
                if !ev.diagnostics.hasErrors {
                    let v = ev.eval(expr, nil, module)
                    if !ev.diagnostics.hasErrors { result.shown = ReplValue.show(v, ev.inventory) }
                    let all = ev.inventory.planHosts
                    switch v {
                    case .host(let h): result.selectedHosts = [all[h]]
                    case .hosts(let hs): result.selectedHosts = hs.map { all[$0] }
                    default: break
                    }
                }
            }
            var names = Set(module.globals.keys).union(module.order)
            for case .module(let m) in module.globals.values {
                for (k, v) in m.globals {
                    if case .function = v { names.insert(m.name + "." + k) }
                }
            }
            result.names = names.filter { !$0.hasPrefix("repl_") }.sorted()
        }
        let inventory = ev.inventory
        var groupsOf = Array(repeating: [String](), count: inventory.hosts.count)
        for g in inventory.groups {
            result.groups.append((g.name, g.members.map { inventory.hosts[$0].name }))
            for m in g.members { groupsOf[m].append(g.name) }
        }
        result.hosts = inventory.hosts.enumerated().map { i, h in
            HostInfo(
                name: h.name, address: h.address + (h.port.map { ":\($0)" } ?? ""), groups: groupsOf[i],
                vars: h.vars.keys.map { "\($0) = \(ReplValue.show(h.vars[$0] ?? .null, inventory, typed: false))" }.joined(separator: "\n"))
        }
        result.names += inventory.hosts.map(\.name) + inventory.groups.map(\.name)
        let redactor = Redactor(secrets: ev.secretTexts)
        result.secrets = redactor
        result.diagnostics = ev.diagnostics.sorted.map(redactor.redact)
        return result
    }
}

/// Values as the REPL prints them: Tern syntax, secrets as `***`, and the type.
enum ReplValue {
    static func show(_ v: Value, _ inventory: Inventory, typed: Bool = true) -> String {
        let text = render(v, inventory)
        return typed ? text + "  (\(v.typeTag.rawValue))" : text
    }

    static func render(_ v: Value, _ inventory: Inventory) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .duration(let ms):
            // The largest unit that divides it: 90s, 2m, 1500ms.
            for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where ms != 0 && ms % size == 0 {
                return "\(ms / size)\(unit)"
            }
            return "\(ms)ms"
        case .string(let t):
            if t.containsSecret { return "***" }
            return PlanValueFormat.quoted(t.displayText())
        case .list(let xs): return "[" + xs.map { render($0, inventory) }.joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.map { "\($0): \(render(m[$0] ?? .null, inventory))" }.joined(separator: ", ") + "}"
        case .host(let h): return h < inventory.hosts.count ? inventory.hosts[h].name : "host #\(h)"
        case .hosts(let hs): return "[" + hs.map { $0 < inventory.hosts.count ? inventory.hosts[$0].name : "#\($0)" }.joined(separator: ", ") + "]"
        case .action(let a): return a.primitive
        case .function(let f): return (f.isRecipe ? "recipe " : "fn ") + f.name + f.signature.description
        case .module(let m): return "module " + m.name
        case .step(let s): return "step " + s
        case .deferred(let e, _): return "${" + e.description + "} (known at run time)"
        case .poison: return "(error)"
        }
    }
}
