import TernInventory
import TernPlan
import TernSource

/// Builds the inventory: hosts first (so that groups can name them), then
/// groups, whose bodies are evaluated lazily so that a group may list
/// another group declared further down; then every group is forced.
///
/// A host body is a map: `address`, `port` and `user` say how to reach it,
/// every other key is a host variable. A group body has `hosts` (hosts,
/// host sets or host names), optional `children` (groups) and variables.
struct InventoryEvaluation {
    let ev: Evaluator
    let module: Module

    static let connectionKeys = ["address", "port", "user"]
    static let groupKeys = ["hosts", "children"]

    func build(decls: [Decl], ansible: [AnsibleSource]) {
        var bodies: [(Int, Expr?)] = []
        for d in decls {
            guard case .host(let name, let body) = d.kind else { continue }
            let host = Inventory.Host(name: name.name, address: name.name, port: nil, user: nil, vars: OrderedMap(), span: name.span)
            guard let i = ev.inventory.add(host) else {
                ev.report(.duplicateHost(name.name, at: name.span, first: ev.inventory.host(named: name.name).flatMap { ev.inventory.hosts[$0].span }))
                continue
            }
            if isIdentifier(name.name), ev.claim(name.name, at: name.span, in: module) {
                module.globals[name.name] = .host(i)
            }
            bodies.append((i, body))
        }
        for a in ansible { importAnsible(a) }
        for (i, body) in bodies {
            guard let body else { continue }
            hostBody(i, body)
        }
        var groupNames: [String] = []
        for d in decls {
            guard case .group(let name, let body) = d.kind else { continue }
            guard ev.claim(name.name, at: name.span, in: module) else { continue }
            guard let g = ev.inventory.add(Inventory.Group(name: name.name, members: [], vars: OrderedMap(), span: name.span)) else {
                ev.report(.duplicateDefinition(name.name, at: name.span, first: ev.inventory.groups[ev.inventory.group(named: name.name) ?? 0].span ?? name.span))
                continue
            }
            groupNames.append(name.name)
            module.lazyGlobals[name.name] = { ev in
                InventoryEvaluation(ev: ev, module: module).groupBody(g, body)
            }
        }
        for name in groupNames {
            _ = ev.global(name, in: module, at: module.globalSpans[name] ?? module.file.span0)
        }
    }

    private func hostBody(_ i: Int, _ body: Expr) {
        let v = ev.eval(body, nil, module)
        guard case .map(let m) = v else { return }
        var vars = OrderedMap()
        for (k, value) in m.entries {
            let span = entrySpan(body, k)
            switch k {
            case "address":
                guard case .string(let t) = value, let s = t.plainText, t.isKnown, !t.containsSecret else {
                    ev.report(.badHostField("address", expected: "a string", got: value.typeTag, at: span))
                    continue
                }
                guard !s.isEmpty else {
                    ev.report(.emptyHostField("address", at: valueSpan(body, k)))
                    continue
                }
                ev.inventory.update(i) { $0.address = s }
            case "port":
                guard case .int(let p) = value else {
                    ev.report(.badHostField("port", expected: "an int", got: value.typeTag, at: valueSpan(body, k)))
                    continue
                }
                guard (1...65535).contains(p) else {
                    ev.report(.portOutOfRange(p, at: valueSpan(body, k)))
                    continue
                }
                ev.inventory.update(i) { $0.port = p }
            case "user":
                guard case .string(let t) = value, let s = t.plainText, !t.containsSecret else {
                    ev.report(.badHostField("user", expected: "a string", got: value.typeTag, at: span))
                    continue
                }
                guard !s.isEmpty else {
                    ev.report(.emptyHostField("user", at: valueSpan(body, k)))
                    continue
                }
                ev.inventory.update(i) { $0.user = s }
            default:
                vars[k] = value.asData
            }
        }
        ev.inventory.update(i) { $0.vars = vars }
    }

    private func groupBody(_ g: Int, _ body: Expr) -> Value {
        let v = ev.eval(body, nil, module)
        guard case .map(let m) = v else { return .poison }
        var members: [Int] = []
        var vars = OrderedMap()
        for (k, value) in m.entries {
            let span = entrySpan(body, k)
            switch k {
            case "hosts", "children":
                let items: [Value]
                if case .list(let xs) = value { items = xs } else { items = [value] }
                for (n, item) in items.enumerated() {
                    let span = elementSpan(body, k, n) ?? span
                    switch item {
                    case .host(let h): members.append(h)
                    case .hosts(let hs): members.append(contentsOf: hs)
                    case .string(let t) where k == "hosts":
                        let n = t.plainText ?? ""
                        if let h = ev.inventory.host(named: n) {
                            members.append(h)
                        } else {
                            ev.report(.unknownHost(n, at: span, candidates: ev.inventory.hosts.map(\.name)))
                        }
                    case .poison: break
                    default:
                        ev.report(.badGroupMember(k, item.typeTag, at: span))
                    }
                }
            default:
                vars[k] = value.asData
            }
        }
        ev.inventory.setMembers(g, members, vars: vars)
        return .hosts(ev.inventory.groups[g].members)
    }

    /// The span of a map entry's value.
    private func valueSpan(_ body: Expr, _ key: String) -> SourceSpan {
        if case .map(let entries) = body.kind, let e = entries.first(where: { $0.key == key }) { return e.value.span }
        return body.span
    }

    /// The span of the n-th element of a list written as a map entry's value.
    private func elementSpan(_ body: Expr, _ key: String, _ n: Int) -> SourceSpan? {
        guard case .map(let entries) = body.kind, let e = entries.first(where: { $0.key == key }),
            case .list(let items) = e.value.kind, items.indices.contains(n)
        else { return nil }
        return items[n].span
    }

    /// The span of a map entry's key, for messages about that entry.
    private func entrySpan(_ body: Expr, _ key: String) -> SourceSpan {
        if case .map(let entries) = body.kind, let e = entries.first(where: { $0.key == key }) { return e.keySpan }
        return body.span
    }

    private func importAnsible(_ source: AnsibleSource) {
        let (model, diagnostics) = AnsibleInventory.load(path: source.path, text: source.text)
        for d in diagnostics { ev.report(d) }
        guard let model else { return }
        for h in model.hosts {
            var vars = OrderedMap()
            var connection: [String: PlanValue] = [:]
            for e in AnsibleInventory.flattenedVars(for: h.name, in: model) {
                vars[e.key] = Value(plan: e.value)
                connection[e.key] = e.value
            }
            // Connection settings may come from group variables too
            // (`[all:vars] ansible_user=root`); the host's own win.
            func text(_ keys: String...) -> String? {
                for k in keys { if case .string(let s)? = connection[k] { return s } }
                return nil
            }
            func number(_ keys: String...) -> Int? {
                for k in keys {
                    if case .int(let i)? = connection[k] { return i }
                    if case .string(let s)? = connection[k], let i = Int(s) { return i }
                }
                return nil
            }
            let host = Inventory.Host(
                name: h.name, address: h.address ?? text("ansible_ssh_host", "ansible_host") ?? h.name,
                port: h.port ?? number("ansible_ssh_port", "ansible_port"),
                user: h.user ?? text("ansible_ssh_user", "ansible_user"), vars: vars, span: h.span)
            guard let i = ev.inventory.add(host) else {
                ev.report(.duplicateHost(h.name, at: h.span, first: nil))
                continue
            }
            if isIdentifier(h.name), module.globalSpans[h.name] == nil, ev.claim(h.name, at: h.span, in: module) {
                module.globals[h.name] = .host(i)
            }
        }
        // A group holds its own hosts and those of its children, recursively;
        // each group's set is computed once (the importer has refused cycles).
        let byName = Dictionary(model.groups.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var memo: [String: Set<Int>] = [:]
        var visiting: Set<String> = []
        func members(_ name: String) -> Set<Int> {
            if let m = memo[name] { return m }
            guard let g = byName[name], visiting.insert(name).inserted else { return [] }
            var out = Set(g.hosts.compactMap { ev.inventory.host(named: $0) })
            for c in g.children { out.formUnion(members(c)) }
            visiting.remove(name)
            memo[name] = out
            return out
        }
        for g in model.groups where g.name != "all" {
            guard let gi = ev.inventory.add(Inventory.Group(name: g.name, members: [], vars: OrderedMap(), span: g.span)) else { continue }
            // Group variables are already folded into each host's variables.
            ev.inventory.setMembers(gi, Array(members(g.name)), vars: OrderedMap())
            if isIdentifier(g.name), module.globalSpans[g.name] == nil, ev.claim(g.name, at: g.span, in: module) {
                module.globals[g.name] = .hosts(ev.inventory.groups[gi].members)
            }
        }
    }

    private func isIdentifier(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || (f.isASCII && f.properties.isAlphabetic) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
            && Keyword(rawValue: s) == nil
    }
}

extension SourceFile {
    var span0: SourceSpan { SourceSpan(file: self, start: 0, end: 0) }
}
