import TernPlan
import TernSource

/// Hosts and groups known to a playbook, after evaluation.
public struct Inventory: Sendable {
    public struct Host: Sendable {
        public let name: String
        public var address: String
        /// Nil when not given (the ssh config or 22 applies).
        public var port: Int?
        public var user: String?
        /// The host's own variables (connection keys excluded).
        public var vars: OrderedMap
        public let span: SourceSpan?
    }

    public struct Group: Sendable {
        public let name: String
        public var members: [Int]
        public var vars: OrderedMap
        public let span: SourceSpan?
    }

    public private(set) var hosts: [Host] = []
    public private(set) var groups: [Group] = []
    private var hostIndex: [String: Int] = [:]
    private var groupIndex: [String: Int] = [:]

    public init() {}

    public func host(named name: String) -> Int? { hostIndex[name] }
    public func group(named name: String) -> Int? { groupIndex[name] }

    /// Adds a host; nil when the name is taken.
    mutating func add(_ h: Host) -> Int? {
        guard hostIndex[h.name] == nil else { return nil }
        hostIndex[h.name] = hosts.count
        hosts.append(h)
        hostGroups.append([])
        return hosts.count - 1
    }

    mutating func update(_ i: Int, _ change: (inout Host) -> Void) { change(&hosts[i]) }

    mutating func add(_ g: Group) -> Int? {
        guard groupIndex[g.name] == nil else { return nil }
        groupIndex[g.name] = groups.count
        groups.append(g)
        return groups.count - 1
    }

    mutating func setMembers(_ g: Int, _ members: [Int], vars: OrderedMap) {
        for h in groups[g].members { hostGroups[h].removeAll { $0 == g } }
        groups[g].members = Array(Set(members)).sorted()
        groups[g].vars = vars
        for h in groups[g].members { hostGroups[h].append(g) }
    }

    /// Groups of each host, by index (kept with `setMembers`), so that a
    /// host's variables do not need a scan of every group.
    private var hostGroups: [[Int]] = []

    /// Variables of a host: group variables in group declaration order,
    /// then the host's own, later ones winning.
    public func mergedVars(of i: Int) -> OrderedMap {
        var out = OrderedMap()
        for g in hostGroups[i].sorted() {
            for (k, v) in groups[g].vars.entries { out[k] = v }
        }
        for (k, v) in hosts[i].vars.entries { out[k] = v }
        return out
    }

    public func groupNames(of i: Int) -> [String] {
        hostGroups[i].sorted().map { groups[$0].name }
    }

    public var planHosts: [PlanHost] {
        hosts.map { PlanHost(name: $0.name, address: $0.address, port: $0.port, user: $0.user) }
    }
}
