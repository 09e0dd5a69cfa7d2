import TernPlan

/// Variable precedence within one inventory, as Ansible computes it.
///
/// A host's groups are the groups that list it, all their ancestors, and
/// `all`. Each group has a depth, the length of the longest chain of child
/// links from `all` down to it (`all` is 0, its children 1, and so on). Vars
/// are merged group by group in order of depth, then of
/// `ansible_group_priority` (default 1), then of name, so that a child group
/// overrides its parents, a higher priority overrides a lower one, and
/// between equals the name later in the alphabet wins. The host's own vars
/// come last, starting with its connection settings under their modern names
/// (`ansible_host`, `ansible_port`, `ansible_user`), so the result is all the
/// evaluator needs to connect. A key set again replaces the earlier value whole (Ansible's
/// default `hash_behaviour = replace`) and keeps its first position.
extension AnsibleInventory {
    public static func flattenedVars(for host: String, in model: InventoryModel) -> [PlanEntry] {
        guard let h = model.host(named: host) else { return [] }
        var byName: [String: InventoryGroup] = [:]
        var parents: [String: [String]] = [:]
        for g in model.groups {
            byName[g.name] = g
            for c in g.children { parents[c, default: []].append(g.name) }
        }

        var memberOf: Set<String> = [InventoryBuilder.all]
        var pending = model.groups.filter { $0.hosts.contains(host) }.map(\.name)
        while let g = pending.popLast() {
            if memberOf.insert(g).inserted { pending += parents[g] ?? [] }
        }

        var depths: [String: Int] = [:]
        func depth(_ g: String, visiting: Set<String> = []) -> Int {
            if let d = depths[g] { return d }
            if g == InventoryBuilder.all || visiting.contains(g) { return 0 }
            let d = (parents[g] ?? []).map { depth($0, visiting: visiting.union([g])) + 1 }.max() ?? 1
            depths[g] = d
            return d
        }

        func priority(_ g: String) -> Int {
            switch OrderedVars(byName[g]?.vars ?? [])["ansible_group_priority"] {
            case .int(let p): p
            case .string(let s): Int(s.trimmingSpaces) ?? 1
            default: 1
            }
        }

        let ordered = memberOf.compactMap { byName[$0] }
            .map { g in (group: g, depth: depth(g.name), priority: priority(g.name)) }
            .sorted { a, b in (a.depth, a.priority, a.group.name) < (b.depth, b.priority, b.group.name) }

        var vars = OrderedVars()
        for g in ordered { vars.merge(g.group.vars) }
        if let address = h.address { vars.set("ansible_host", .string(address)) }
        if let port = h.port { vars.set("ansible_port", .int(port)) }
        if let user = h.user { vars.set("ansible_user", .string(user)) }
        vars.merge(h.vars)
        return vars.entries
    }
}
