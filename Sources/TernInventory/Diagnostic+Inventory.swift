import TernSource

/// Everything the inventory loaders report. Ids:
///
/// - `inventory-syntax`: the file cannot be read as INI or YAML at all.
/// - `inventory-shape`: valid YAML that is not shaped like an inventory.
/// - `inventory-bad-port`, `inventory-bad-range`, `inventory-bad-value`:
///   a port, a host range or a connection variable that makes no sense.
/// - `inventory-unknown-group`: a group used but never defined (INI).
/// - `inventory-cycle`: groups that contain each other.
/// - `inventory-unknown-key`, `inventory-duplicate-key`,
///   `inventory-name-clash`: warnings, as Ansible gives.
extension Diagnostic {
    // MARK: Syntax

    static func malformedSection(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-syntax", "malformed section header", at: span, label: "not a section header",
            help: "write [group], [group:vars] or [group:children], with no spaces inside the brackets")
    }

    static func unknownSectionKind(_ kind: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-syntax", "unknown section kind ':\(kind)'", at: span, label: "not hosts, vars or children",
            help: Suggestions.didYouMean(kind, among: ["hosts", "vars", "children"])
                ?? "a section is [group], [group:vars] or [group:children]")
    }

    static func expectedGroupName(_ text: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-syntax", "expected a group name, found '\(text)'", at: span, label: "not a group name",
            help: "a :children section lists one group name per line")
    }

    static func expectedAssignment(_ text: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-syntax", "expected key=value, found '\(text)'", at: span, label: "no '='",
            help: "quote values that contain spaces: key=\"some value\"")
    }

    static func emptyVariableName(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "inventory-syntax", "variable name missing before '='", at: span, label: "no name")
    }

    static func missingClosingQuote(at span: SourceSpan) -> Diagnostic {
        Diagnostic(id: "inventory-syntax", "missing closing quote", at: span, label: "this quote is never closed")
    }

    static func danglingBackslash(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-syntax", "'\\' at the end of a line escapes nothing", at: span, label: "nothing to escape",
            help: "a host line cannot continue on the next line")
    }

    static func yamlMarkerInINI(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-syntax", "'---' is not a host name", at: span, label: "starts a YAML document",
            help: "this looks like a YAML inventory; give the file a .yml extension")
    }

    static func yamlSyntax(_ problem: String, at span: SourceSpan, context: Note?) -> Diagnostic {
        Diagnostic(id: "inventory-syntax", "YAML syntax error: \(problem)", at: span, notes: context.map { [$0] } ?? [])
    }

    // MARK: Ports, ranges, connection variables

    /// A host pattern that does not expand: a bad `:port` or a bad range.
    static func hostPattern(_ problem: HostPattern.Problem, at span: SourceSpan) -> Diagnostic {
        switch problem {
        case .emptyName:
            return Diagnostic(id: "inventory-syntax", problem.description, at: span, label: "no host name")
        case _ where problem.isPortProblem:
            return Diagnostic(
                id: "inventory-bad-port", problem.description, at: span, label: "not a valid port",
                help: "a port is a whole number from \(HostPattern.validPorts.lowerBound) to "
                    + "\(HostPattern.validPorts.upperBound), as in node1.example.com:2222")
        default:
            return Diagnostic(
                id: "inventory-bad-range", problem.description, at: span, label: "malformed range",
                help: "a range is [begin:end] or [begin:end:step], as in node[01:10].example.com or db-[a:f]")
        }
    }

    static func badPortValue(_ key: String, _ text: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-bad-port", "\(key) '\(text)' is not a port number", at: span, label: "not a valid port",
            help: "a port is a whole number from \(HostPattern.validPorts.lowerBound) to "
                + "\(HostPattern.validPorts.upperBound)")
    }

    static func badConnectionValue(_ key: String, found: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-bad-value", "\(key) must be a string, not \(found)", at: span, label: "expected a string")
    }

    // MARK: Groups

    static func unknownChildGroup(_ child: String, parent: String, at span: SourceSpan, known: [String]) -> Diagnostic {
        Diagnostic(
            id: "inventory-unknown-group",
            "[\(parent):children] lists '\(child)', but no group '\(child)' is defined", at: span,
            label: "not a group",
            help: Suggestions.didYouMean(child, among: known)
                ?? "declare the group with a [\(child)] section, even an empty one")
    }

    static func varsForUnknownGroup(_ group: String, at span: SourceSpan, known: [String]) -> Diagnostic {
        Diagnostic(
            id: "inventory-unknown-group", "[\(group):vars] sets vars for group '\(group)', which is never defined",
            at: span, label: "not a group",
            help: Suggestions.didYouMean(group, among: known)
                ?? "declare the group with a [\(group)] or [\(group):children] section")
    }

    static func groupIsOwnChild(_ group: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-cycle", "group '\(group)' lists itself as a child", at: span,
            label: "a group cannot contain itself")
    }

    static func groupCycle(_ names: [String], at span: SourceSpan, notes: [Note]) -> Diagnostic {
        Diagnostic(
            id: "inventory-cycle", "groups contain each other in a cycle: \(names.joined(separator: " -> "))", at: span,
            label: "this closes the cycle", notes: notes, help: "remove one of these child entries")
    }

    static func allAsChild(of parent: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-cycle", "'all' contains every group, so it cannot be a child of '\(parent)'", at: span,
            label: "'all' cannot be a child")
    }

    static func nameClash(_ name: String, at span: SourceSpan, group: SourceSpan) -> Diagnostic {
        Diagnostic(
            .warning, id: "inventory-name-clash", "'\(name)' names both a host and a group", at: span,
            label: "host", notes: [.init("group '\(name)' is defined here", at: group)],
            help: "a pattern '\(name)' will mean the group; rename one of them")
    }

    // MARK: YAML shape

    static func emptyYAMLInventory(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-shape", "the YAML inventory is empty", at: span,
            help: "start with 'all:' and list hosts under 'hosts:'")
    }

    static func pluginConfiguration(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-shape", "this is an inventory plugin configuration, not an inventory", at: span,
            label: "names an inventory plugin", help: "Tern reads static INI and YAML inventories only")
    }

    /// Something that must be a mapping (the whole file, a group, a group's
    /// `hosts`/`vars`/`children`, a host's vars) is not.
    static func expansionTooLarge(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-shape", "this inventory expands to more than a million values", at: span,
            help: "YAML aliases (*name) here repeat data many times over; write the values out or use fewer aliases")
    }

    static func notAMapping(_ what: String, found: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-shape", "\(what) must be a mapping, not \(found)", at: span,
            label: "expected 'key: value' pairs",
            help: "write one entry per line as 'name:', optionally followed by its settings")
    }

    static func keyNotAString(at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            id: "inventory-shape", "mapping keys in an inventory must be strings", at: span, label: "not a string")
    }

    static func unexpectedGroupKey(_ key: String, group: String, at span: SourceSpan) -> Diagnostic {
        Diagnostic(
            .warning, id: "inventory-unknown-key", "unexpected key '\(key)' in group '\(group)' is ignored", at: span,
            label: "not hosts, vars or children",
            help: Suggestions.didYouMean(key, among: ["hosts", "vars", "children"])
                ?? "a group holds only 'hosts', 'vars' and 'children'")
    }

    static func duplicateKey(_ key: String, at span: SourceSpan, first: SourceSpan) -> Diagnostic {
        Diagnostic(
            .warning, id: "inventory-duplicate-key", "duplicate key '\(key)'; the last value is used", at: span,
            label: "repeated here", notes: [.init("first written here", at: first)])
    }
}
