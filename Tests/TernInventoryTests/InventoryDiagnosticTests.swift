import TernInventory
import TernSource
import Testing

/// Every mistake gives one diagnostic, pointing at the line and column where
/// the mistake is.
@Suite struct InventoryDiagnosticTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let path: String
        let text: String
        let id: String
        let line: Int
        let column: Int
        var severity: Diagnostic.Severity = .error
        /// Text the rendered diagnostic must contain (message, help or label).
        var mentions: String? = nil

        var testDescription: String { name }
    }

    static let ini: [Case] = [
        Case(
            name: "spaces in a section header", path: "hosts.ini", text: "[web]\nnode1.example.com\n[web servers]\n",
            id: "inventory-syntax", line: 3, column: 1, mentions: "malformed section header"),
        Case(
            name: "section header without ']'", path: "hosts.ini", text: "[web\nnode1.example.com\n",
            id: "inventory-syntax", line: 1, column: 1),
        Case(
            name: "unknown section kind", path: "hosts.ini", text: "[web]\nnode1.example.com\n[web:chidren]\nx\n",
            id: "inventory-syntax", line: 3, column: 6, mentions: "did you mean 'children'?"),
        Case(
            name: "unclosed quote", path: "hosts.ini", text: "[web]\nnode1.example.com motd=\"hi there\n",
            id: "inventory-syntax", line: 2, column: 24),
        Case(
            name: "word without '=' on a host line", path: "hosts.ini", text: "[web]\nnode1.example.com a=1 oops\n",
            id: "inventory-syntax", line: 2, column: 23, mentions: "expected key=value, found 'oops'"),
        Case(
            name: "'=' without a name", path: "hosts.ini", text: "node1.example.com =1\n",
            id: "inventory-syntax", line: 1, column: 19),
        Case(
            name: "dangling backslash", path: "hosts.ini", text: "node1.example.com a=b\\\n",
            id: "inventory-syntax", line: 1, column: 22),
        Case(
            name: "not a group name in :children", path: "hosts.ini",
            text: "[web]\n[prod:children]\nweb extra\n", id: "inventory-syntax", line: 3, column: 1),
        Case(
            name: ":vars line without '='", path: "hosts.ini", text: "[all:vars]\nx=1\n  just_a_word\n",
            id: "inventory-syntax", line: 3, column: 3),
        Case(
            name: "YAML in an INI file", path: "hosts.ini", text: "---\nall:\n", id: "inventory-syntax", line: 1,
            column: 1, mentions: ".yml"),
        Case(
            name: "port that is not a number", path: "hosts.ini", text: "[web]\nnode1.example.com:ssh\n",
            id: "inventory-bad-port", line: 2, column: 19, mentions: "'ssh' is not a port number"),
        Case(
            name: "port out of range", path: "hosts.ini", text: "node1.example.com:70000\n",
            id: "inventory-bad-port", line: 1, column: 19, mentions: "port 70000 is out of range"),
        Case(
            name: "':' without a port", path: "hosts.ini", text: "node1.example.com:\n",
            id: "inventory-bad-port", line: 1, column: 18),
        Case(
            name: "ansible_port that is not a number", path: "hosts.ini",
            text: "[web]\nnode1.example.com ansible_port=abc\n", id: "inventory-bad-port", line: 2, column: 32),
        Case(
            name: "ansible_ssh_port out of range", path: "hosts.ini",
            text: "node1.example.com ansible_ssh_port=0\n", id: "inventory-bad-port", line: 1, column: 36),
        Case(
            name: "range with '-'", path: "hosts.ini", text: "[web]\nnode[1-3].example.com\n",
            id: "inventory-bad-range", line: 2, column: 5, mentions: "'[1-3]' is not a host range"),
        Case(
            name: "range never closed", path: "hosts.ini", text: "node1.example.com\nnode[1:3.example.com\n",
            id: "inventory-bad-range", line: 2, column: 5),
        Case(
            name: "backwards range", path: "hosts.ini", text: "node[5:1]\n", id: "inventory-bad-range", line: 1,
            column: 5, mentions: "backwards"),
        Case(
            name: "zero-padded bounds of different widths", path: "hosts.ini", text: "node[01:100]\n",
            id: "inventory-bad-range", line: 1, column: 5),
        Case(
            name: "zero step", path: "hosts.ini", text: "web[a:c]-node[1:5:0]\n", id: "inventory-bad-range",
            line: 1, column: 14),
        Case(
            name: "range without an end", path: "hosts.ini", text: "node[1:]\n", id: "inventory-bad-range",
            line: 1, column: 5),
        Case(
            name: "child group never defined", path: "hosts.ini",
            text: "[web]\nnode1.example.com\n[prod:children]\nwebb\n", id: "inventory-unknown-group", line: 4,
            column: 1, mentions: "did you mean 'web'?"),
        Case(
            name: "vars for a group never defined", path: "hosts.ini",
            text: "[db]\nnode1.example.com\n[dbs:vars]\nx=1\n", id: "inventory-unknown-group", line: 3, column: 2,
            mentions: "did you mean 'db'?"),
        Case(
            name: "group that is its own child", path: "hosts.ini", text: "[a:children]\na\n",
            id: "inventory-cycle", line: 2, column: 1),
        Case(
            name: "groups that contain each other", path: "hosts.ini",
            text: "[a:children]\nb\n[b:children]\nc\n[c:children]\na\n", id: "inventory-cycle", line: 6,
            column: 1, mentions: "c -> a -> b -> c"),
        Case(
            name: "'all' as a child", path: "hosts.ini", text: "[web:children]\nall\n", id: "inventory-cycle",
            line: 2, column: 1),
        Case(
            name: "host and group with one name", path: "hosts.ini", text: "[web]\nweb\n",
            id: "inventory-name-clash", line: 2, column: 1, severity: .warning),
    ]

    static let yaml: [Case] = [
        Case(
            name: "tab indentation", path: "inventory.yml", text: "all:\n  hosts:\n\tnode1.example.com:\n",
            id: "inventory-syntax", line: 3, column: 1, mentions: "YAML syntax error"),
        Case(
            name: "unclosed flow sequence", path: "inventory.yml",
            text: "all:\n  vars:\n    list: [a, b\n  hosts:\n", id: "inventory-syntax", line: 4, column: 8),
        Case(
            name: "hosts is a list", path: "inventory.yml",
            text: "all:\n  hosts:\n    - node1.example.com\n    - node2.example.com\n", id: "inventory-shape",
            line: 3, column: 5, mentions: "'hosts' of group 'all' must be a mapping, not a list"),
        Case(
            name: "the file is a list", path: "inventory.yml", text: "- node1.example.com\n", id: "inventory-shape",
            line: 1, column: 1),
        Case(
            name: "empty file", path: "inventory.yml", text: "# nothing here\n", id: "inventory-shape", line: 1,
            column: 1),
        Case(
            name: "plugin configuration", path: "inventory.yml", text: "plugin: aws_ec2\nregions: [x]\n",
            id: "inventory-shape", line: 1, column: 1),
        Case(
            name: "group body is a list", path: "inventory.yml", text: "web:\n  - node1.example.com\n",
            id: "inventory-shape", line: 2, column: 3),
        Case(
            name: "host vars are a string", path: "inventory.yml",
            text: "all:\n  hosts:\n    node1.example.com: web\n", id: "inventory-shape", line: 3, column: 24),
        Case(
            name: "misspelt section", path: "inventory.yml", text: "all:\n  host:\n    node1.example.com:\n",
            id: "inventory-unknown-key", line: 2, column: 3, severity: .warning, mentions: "did you mean 'hosts'?"),
        Case(
            name: "duplicate key", path: "inventory.yml",
            text: "all:\n  vars:\n    x: 1\n    x: 2\n", id: "inventory-duplicate-key", line: 4, column: 5,
            severity: .warning),
        Case(
            name: "port in a key", path: "inventory.yml", text: "all:\n  hosts:\n    node1.example.com:99999:\n",
            id: "inventory-bad-port", line: 3, column: 23),
        Case(
            name: "range in a quoted key", path: "inventory.yml", text: "all:\n  hosts:\n    \"node[1-2]\":\n",
            id: "inventory-bad-range", line: 3, column: 10),
        Case(
            name: "ansible_port is text", path: "inventory.yml",
            text: "all:\n  hosts:\n    node1.example.com:\n      ansible_port: ssh\n", id: "inventory-bad-port",
            line: 4, column: 21),
        Case(
            name: "ansible_user is a list", path: "inventory.yml",
            text: "all:\n  hosts:\n    node1.example.com:\n      ansible_user: [a]\n", id: "inventory-bad-value",
            line: 4, column: 21),
        Case(
            name: "nested groups that contain each other", path: "inventory.yml",
            text: "a:\n  children:\n    b:\n      children:\n        a:\n", id: "inventory-cycle", line: 5, column: 9,
            mentions: "b -> a -> b"),
        Case(
            name: "sniffed YAML without an extension", path: "inventory/hosts",
            text: "# sniffed\nall:\n  hosts:\n    - x\n", id: "inventory-shape", line: 4, column: 5),
    ]

    @Test(arguments: ini + yaml)
    func reportsOneDiagnosticAtTheMistake(_ c: Case) throws {
        let (model, diagnostics) = AnsibleInventory.load(path: c.path, text: c.text)
        let rendered = DiagnosticRenderer().render(diagnostics)
        #expect(diagnostics.count == 1, "\(rendered)")
        let d = try #require(diagnostics.first)
        #expect(d.id == c.id, "\(rendered)")
        #expect(d.severity == c.severity)
        let location = try #require(d.span?.location)
        #expect(location.path == c.path)
        #expect(location.line == c.line, "\(rendered)")
        #expect(location.column == c.column, "\(rendered)")
        if let mentions = c.mentions {
            #expect(rendered.contains(mentions), "\(rendered)")
        }
        // Errors withhold the model; warnings do not.
        #expect((model == nil) == (c.severity == .error))
    }

    @Test func cycleNotesPointAtEachLink() throws {
        let (_, diagnostics) = AnsibleInventory.load(
            path: "hosts.ini", text: "[a:children]\nb\n[b:children]\na\n")
        let d = try #require(diagnostics.first)
        #expect(d.message == "groups contain each other in a cycle: b -> a -> b")
        #expect(d.notes.map(\.message) == ["'a' lists 'b' as a child"])
        #expect(d.notes.first?.span?.location.line == 2)
    }

    @Test func yamlSyntaxErrorRendersWithContext() throws {
        let (_, diagnostics) = AnsibleInventory.load(path: "inventory.yml", text: "all:\n  hosts:\n\tnode1:\n")
        let d = try #require(diagnostics.first)
        #expect(
            DiagnosticRenderer().render(d).hasPrefix(
                "inventory.yml:3:1: error: YAML syntax error: found character that cannot start any token"))
    }

    /// Reading goes on after a bad line, so independent mistakes are all reported.
    @Test func reportsIndependentMistakesTogether() {
        let (model, diagnostics) = AnsibleInventory.load(
            path: "hosts.ini", text: "[web]\nnode1.example.com:ssh\nnode[3:1]\n[web:kids]\nnot reported\n")
        #expect(model == nil)
        #expect(diagnostics.map(\.id) == ["inventory-bad-port", "inventory-bad-range", "inventory-syntax"])
        #expect(diagnostics.compactMap { $0.span?.location.line } == [2, 3, 4])
    }
}
