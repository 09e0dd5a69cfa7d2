import TernPlan
import TernSource

/// What the INI and YAML loaders share: they report hosts, groups, vars and
/// child entries as they read them, and the builder applies Ansible's rules
/// once, in one place.
///
/// - A host named again is the same host; its vars merge, later ones winning.
/// - Connection variables on a host become `address`, `port` and `user`.
///   Ansible's connection plugins look a setting up under each of its names
///   in turn and keep the last one found, so a legacy `ansible_ssh_*` name
///   beats the modern one when a host has both.
/// - At the end (`build`), child entries are added in the order written; an
///   entry that would make a group its own ancestor is reported as a cycle
///   and dropped, like Ansible's "recursive dependency loop" error. Then the
///   inventory is reconciled as Ansible does it: groups without a parent
///   become children of `all`, and `ungrouped` holds exactly the hosts that
///   are in no group but `all`.
struct InventoryBuilder {
    /// A variable written on a host; the span points at its value.
    struct HostVar {
        var key: String
        var value: PlanValue
        var span: SourceSpan
    }

    private struct ConnectionSetting<Value> {
        private(set) var value: Value?
        private var fromLegacyName = false

        mutating func offer(_ newValue: Value, legacyName: Bool) {
            guard legacyName || !fromLegacyName else { return }
            value = newValue
            fromLegacyName = legacyName
        }
    }

    private struct HostRecord {
        let name: String
        let span: SourceSpan
        var address = ConnectionSetting<String>()
        var port = ConnectionSetting<Int>()
        var user = ConnectionSetting<String>()
        var vars = OrderedVars()
    }

    private struct GroupRecord {
        let name: String
        var span: SourceSpan
        /// False for `all` and `ungrouped` until the file names them.
        var named: Bool
        var hosts: [String] = []
        var hostSet: Set<String> = []
        var children: [Int] = []
        var vars = OrderedVars()

        mutating func add(host: String) {
            if hostSet.insert(host).inserted { hosts.append(host) }
        }

        mutating func remove(host: String) {
            if hostSet.remove(host) != nil { hosts.removeAll { $0 == host } }
        }
    }

    private struct ChildEntry {
        let parent: String
        let child: String
        let span: SourceSpan
    }

    static let all = "all"
    static let ungrouped = "ungrouped"

    let file: SourceFile
    private(set) var diagnostics = DiagnosticBag()
    private var hosts: [HostRecord] = []
    private var hostIndex: [String: Int] = [:]
    private var groups: [GroupRecord] = []
    private var groupIndex: [String: Int] = [:]
    private var childEntries: [ChildEntry] = []

    init(file: SourceFile) {
        self.file = file
        let start = SourceSpan(file: file, start: 0, end: 0)
        for name in [Self.all, Self.ungrouped] {
            groupIndex[name] = groups.count
            groups.append(GroupRecord(name: name, span: start, named: false))
        }
    }

    mutating func report(_ diagnostic: Diagnostic) { diagnostics.add(diagnostic) }

    var groupNames: [String] { groups.map(\.name) }

    mutating func declareGroup(_ name: String, at span: SourceSpan) {
        if let i = groupIndex[name] {
            if !groups[i].named {
                groups[i].span = span
                groups[i].named = true
            }
        } else {
            groupIndex[name] = groups.count
            groups.append(GroupRecord(name: name, span: span, named: true))
        }
    }

    /// `group` must have been declared.
    mutating func setGroupVar(_ group: String, _ key: String, _ value: PlanValue) {
        guard let i = groupIndex[group] else { return }
        groups[i].vars.set(key, value)
    }

    /// Records `child` under `parent`; both are checked in `build()`.
    mutating func addChild(_ child: String, to parent: String, at span: SourceSpan) {
        childEntries.append(ChildEntry(parent: parent, child: child, span: span))
    }

    /// Adds (or extends) a host and makes it a member of `group`, which must
    /// have been declared. `port` is the `name:port` shorthand.
    mutating func addHost(_ name: String, to group: String, at span: SourceSpan, port: Int?, vars: [HostVar]) {
        let h: Int
        if let existing = hostIndex[name] {
            h = existing
        } else {
            h = hosts.count
            hostIndex[name] = h
            hosts.append(HostRecord(name: name, span: span))
        }
        if let port { hosts[h].port.offer(port, legacyName: false) }
        for v in vars {
            let legacy = v.key.hasPrefix("ansible_ssh_")
            switch v.key {
            case "ansible_host", "ansible_ssh_host":
                if let s = connectionText(v) { hosts[h].address.offer(s, legacyName: legacy) }
            case "ansible_user", "ansible_ssh_user":
                if let s = connectionText(v) { hosts[h].user.offer(s, legacyName: legacy) }
            case "ansible_port", "ansible_ssh_port":
                if let p = connectionPort(v) { hosts[h].port.offer(p, legacyName: legacy) }
            default:
                hosts[h].vars.set(v.key, v.value)
            }
        }
        if let g = groupIndex[group] { groups[g].add(host: name) }
    }

    /// A null value leaves the setting unset, as in Ansible.
    private mutating func connectionText(_ v: HostVar) -> String? {
        switch v.value {
        case .null: return nil
        case .string(let s), .secret(let s): return s
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .list: report(.badConnectionValue(v.key, found: "a list", at: v.span))
        case .map: report(.badConnectionValue(v.key, found: "a mapping", at: v.span))
        }
        return nil
    }

    private mutating func connectionPort(_ v: HostVar) -> Int? {
        let port: Int?
        switch v.value {
        case .null: return nil
        case .int(let n): port = n
        case .string(let s): port = Int(s.trimmingSpaces)
        default: port = nil
        }
        if let port, HostPattern.validPorts.contains(port) { return port }
        let text: String
        switch v.value {
        case .string(let s): text = s
        default: text = PlanValueFormat.inline(v.value)
        }
        report(.badPortValue(v.key, text, at: v.span))
        return nil
    }

    /// The finished model, or nil when anything was an error; diagnostics
    /// in source order.
    mutating func build() -> (InventoryModel?, [Diagnostic]) {
        linkChildren()
        reconcile()
        for host in hosts {
            if let g = groupIndex[host.name] {
                report(.nameClash(host.name, at: host.span, group: groups[g].span))
            }
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics.sorted) }
        let model = InventoryModel(
            hosts: hosts.map { h in
                InventoryHost(
                    name: h.name, address: h.address.value, port: h.port.value, user: h.user.value,
                    vars: h.vars.entries, span: h.span)
            },
            groups: groups.map { g in
                InventoryGroup(
                    name: g.name, hosts: g.hosts, children: g.children.map { groups[$0].name }, vars: g.vars.entries,
                    span: g.span)
            })
        return (model, diagnostics.sorted)
    }

    private mutating func linkChildren() {
        var entrySpans: [[Int]: SourceSpan] = [:]
        for entry in childEntries {
            guard let p = groupIndex[entry.parent], let c = groupIndex[entry.child] else { continue }
            if entry.child == Self.all {
                report(.allAsChild(of: entry.parent, at: entry.span))
            } else if p == c {
                report(.groupIsOwnChild(entry.parent, at: entry.span))
            } else if let path = path(from: c, to: p) {
                // path runs child ... parent, so parent -> path is the loop.
                let loop = [p] + path
                let notes = zip(path, path.dropFirst()).map { a, b in
                    Diagnostic.Note(
                        "'\(groups[a].name)' lists '\(groups[b].name)' as a child", at: entrySpans[[a, b]])
                }
                report(.groupCycle(loop.map { groups[$0].name }, at: entry.span, notes: notes))
            } else if !groups[p].children.contains(c) {
                groups[p].children.append(c)
                entrySpans[[p, c]] = entry.span
            }
        }
    }

    /// The shortest chain of child links from `start` down to `goal`.
    private func path(from start: Int, to goal: Int) -> [Int]? {
        var previous: [Int: Int] = [start: start]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let v = queue[head]
            head += 1
            if v == goal {
                var path = [v]
                var cur = v
                while cur != start, let p = previous[cur] {
                    path.append(p)
                    cur = p
                }
                return path.reversed()
            }
            for w in groups[v].children where previous[w] == nil {
                previous[w] = v
                queue.append(w)
            }
        }
        return nil
    }

    private mutating func reconcile() {
        guard let all = groupIndex[Self.all], let ungrouped = groupIndex[Self.ungrouped] else { return }
        var hasParent = Set<Int>()
        for g in groups.indices where g != all {
            hasParent.formUnion(groups[g].children)
        }
        for g in groups.indices where g != all && !hasParent.contains(g) && !groups[all].children.contains(g) {
            groups[all].children.append(g)
        }
        // Keep the order in which groups were declared.
        groups[all].children.sort()
        for host in hosts {
            let inOtherGroup = groups.indices.contains { g in
                g != all && g != ungrouped && groups[g].hostSet.contains(host.name)
            }
            if inOtherGroup {
                groups[ungrouped].remove(host: host.name)
            } else {
                groups[ungrouped].add(host: host.name)
            }
        }
    }
}
