import TernInventory
import TernPlan
import TernSource
import Testing

/// Loads an inventory that must load without any diagnostic.
func load(_ path: String, _ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
    -> InventoryModel
{
    let (model, diagnostics) = AnsibleInventory.load(path: path, text: text)
    #expect(diagnostics.isEmpty, "\(DiagnosticRenderer().render(diagnostics))", sourceLocation: sourceLocation)
    return try #require(model, sourceLocation: sourceLocation)
}

extension InventoryModel {
    var hostNames: [String] { hosts.map(\.name) }
    var groupNames: [String] { groups.map(\.name) }

    func hostsOf(_ group: String) -> [String]? { self.group(named: group)?.hosts }
    func childrenOf(_ group: String) -> [String]? { self.group(named: group)?.children }
}

/// Entries written as a dictionary literal keep their order.
func entries(_ pairs: KeyValuePairs<String, PlanValue>) -> [PlanEntry] {
    pairs.map { PlanEntry($0.key, $0.value) }
}
