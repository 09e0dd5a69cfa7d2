import TernPlan

/// Variables merged the way Ansible merges them (its default "replace"
/// behaviour): setting a key again replaces its whole value, and the key
/// keeps the place where it was first set, like a Python dict.
struct OrderedVars: Sendable, Hashable {
    private(set) var entries: [PlanEntry] = []
    private var positions: [String: Int] = [:]

    init() {}

    init(_ entries: [PlanEntry]) {
        for e in entries { set(e.key, e.value) }
    }

    subscript(key: String) -> PlanValue? {
        positions[key].map { entries[$0].value }
    }

    mutating func set(_ key: String, _ value: PlanValue) {
        if let i = positions[key] {
            entries[i] = PlanEntry(key, value)
        } else {
            positions[key] = entries.count
            entries.append(PlanEntry(key, value))
        }
    }

    mutating func merge(_ other: [PlanEntry]) {
        for e in other { set(e.key, e.value) }
    }
}
