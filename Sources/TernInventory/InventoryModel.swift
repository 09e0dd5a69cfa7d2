import TernPlan
import TernSource

/// An Ansible inventory after loading: plain hosts and groups, in the shape
/// Ansible itself has after it reconciles an inventory source.
///
/// - `all` and `ungrouped` always exist and come first.
/// - Every group that no other group lists as a child is a child of `all`.
/// - A host that belongs to no group other than `all` is in `ungrouped`, and
///   a host in some other group is not.
///
/// Connection settings written on a host (`ansible_host`, `ansible_port`,
/// `ansible_user` and their legacy `ansible_ssh_*` spellings) are lifted into
/// `address`, `port` and `user`; the same settings written on a group stay
/// ordinary group vars, so read `AnsibleInventory.flattenedVars(for:in:)` to
/// learn what a host connects with.
public struct InventoryModel: Sendable, Hashable {
    /// In the order in which they first appear in the file.
    public var hosts: [InventoryHost]
    /// `all`, `ungrouped`, then the others in the order they first appear.
    public var groups: [InventoryGroup]

    public init(hosts: [InventoryHost], groups: [InventoryGroup]) {
        self.hosts = hosts
        self.groups = groups
    }

    public func host(named name: String) -> InventoryHost? {
        hosts.first { $0.name == name }
    }

    public func group(named name: String) -> InventoryGroup? {
        groups.first { $0.name == name }
    }
}

/// One host. A host listed several times (in several groups) is one host
/// whose vars are merged, later definitions winning.
public struct InventoryHost: Sendable, Hashable {
    public var name: String
    /// From `ansible_host` (or `ansible_ssh_host`); nil means "connect to `name`".
    public var address: String?
    /// From `host:port`, `ansible_port` or `ansible_ssh_port`; always 1...65535.
    public var port: Int?
    /// From `ansible_user` (or `ansible_ssh_user`).
    public var user: String?
    /// Every other variable written on the host, in first-written order.
    public var vars: [PlanEntry]
    /// Where the host is first named.
    public var span: SourceSpan

    public init(
        name: String, address: String? = nil, port: Int? = nil, user: String? = nil, vars: [PlanEntry] = [],
        span: SourceSpan
    ) {
        self.name = name
        self.address = address
        self.port = port
        self.user = user
        self.vars = vars
        self.span = span
    }
}

/// One group: the hosts listed in it directly and the groups nested in it.
public struct InventoryGroup: Sendable, Hashable {
    public var name: String
    /// Hosts listed directly in this group (not those of its children).
    public var hosts: [String]
    /// Direct child groups.
    public var children: [String]
    public var vars: [PlanEntry]
    /// Where the group is first named; the start of the file for the
    /// implicit `all` and `ungrouped` when the file never names them.
    public var span: SourceSpan

    public init(name: String, hosts: [String] = [], children: [String] = [], vars: [PlanEntry] = [], span: SourceSpan) {
        self.name = name
        self.hosts = hosts
        self.children = children
        self.vars = vars
        self.span = span
    }
}
