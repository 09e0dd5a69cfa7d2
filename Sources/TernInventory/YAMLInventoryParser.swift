import TernPlan
import TernSource
import Yams

/// Reads Ansible's YAML inventory format, as Ansible's `yaml` plugin does:
///
///     all:                          # every top-level key is a group
///       vars:
///         ntp_server: ntp.example.com
///       hosts:
///         node1.example.com:        # a host with no vars
///         node[2:4].example.com:    # ranges and ports work in keys
///           ansible_user: deploy
///       children:                   # groups nest to any depth
///         web:
///           hosts:
///             node1.example.com:
///
/// A group named again (at the top level or as someone's child) is the same
/// group, and what is said about it merges. `hosts`, `vars` and `children`
/// may also be a single name (`hosts: node1.example.com`), as Ansible allows;
/// other keys in a group are ignored with a warning. Merge keys (`<<: *x`)
/// are applied, and a duplicate key keeps its last value with a warning, as
/// PyYAML does.
///
/// Ansible only warns about a group whose body is not a mapping (such as
/// `web: [a, b]`) and then drops it; that is an error here.
///
/// Spans come from the marks Yams attaches to nodes (1-based line, column in
/// Unicode scalars), converted to byte offsets in the file.
struct YAMLInventoryParser {
    /// A key and its value, with the key's span.
    private struct Entry {
        let key: String
        let span: SourceSpan
        var value: Node
        /// True when the key was written in quotes: its text starts one byte later.
        let quoted: Bool
    }

    private var builder: InventoryBuilder
    /// Values visited so far. Aliases can make a small file expand to an
    /// enormous value ("billion laughs"); past this many nodes the
    /// inventory is refused instead of exhausting memory.
    private var nodesLeft = 1_000_000
    private var expansionReported = false
    private let file: SourceFile
    /// Group bodies already read, by group name and body position. An alias
    /// can bring the same body back, inside itself or many times over;
    /// reading it again would add nothing, and could loop or blow up.
    private var bodiesRead: Set<[Int]> = []
    private var groupNumbers: [String: Int] = [:]

    private init(file: SourceFile) {
        self.file = file
        self.builder = InventoryBuilder(file: file)
    }

    static func parse(_ file: SourceFile) -> (InventoryModel?, [Diagnostic]) {
        var parser = YAMLInventoryParser(file: file)
        parser.parseDocument()
        return parser.builder.build()
    }

    private mutating func parseDocument() {
        let root: Node?
        do {
            root = try Yams.compose(yaml: file.text)
        } catch {
            builder.report(syntaxError(error))
            return
        }
        guard let root, !isNull(root) else { return builder.report(.emptyYAMLInventory(at: point(0))) }
        guard case .mapping(let mapping) = root else {
            return builder.report(.notAMapping("a YAML inventory", found: describe(root), at: span(of: root)))
        }
        let groups = entries(of: mapping)
        if let plugin = groups.first(where: { $0.key == "plugin" }) {
            return builder.report(.pluginConfiguration(at: plugin.span))
        }
        guard !groups.isEmpty else { return builder.report(.emptyYAMLInventory(at: span(of: root))) }
        for group in groups { parseGroup(group) }
    }

    // group = null | { "hosts": hosts, "vars": vars, "children": { name: group } }
    private mutating func parseGroup(_ group: Entry) {
        builder.declareGroup(group.key, at: group.span)
        if isNull(group.value) { return }
        let number = groupNumbers[group.key] ?? groupNumbers.count
        groupNumbers[group.key] = number
        guard bodiesRead.insert([number, span(of: group.value).start]).inserted else { return }
        guard case .mapping(let body) = group.value else {
            return builder.report(
                .notAMapping("group '\(group.key)'", found: describe(group.value), at: span(of: group.value)))
        }
        for section in entries(of: body) {
            switch section.key {
            case "hosts":
                for host in sectionEntries(section, of: group.key) { parseHost(host, in: group.key) }
            case "vars":
                for v in sectionEntries(section, of: group.key) {
                    builder.setGroupVar(group.key, v.key, planValue(v.value))
                }
            case "children":
                // The link goes in before the child's own children, so that
                // a cycle is reported where it closes, deepest in the file.
                for child in sectionEntries(section, of: group.key) {
                    builder.addChild(child.key, to: group.key, at: child.span)
                    parseGroup(child)
                }
            default:
                builder.report(.unexpectedGroupKey(section.key, group: group.key, at: section.span))
            }
        }
    }

    // host = null | { name: value }
    private mutating func parseHost(_ host: Entry, in group: String) {
        let expansion: HostPattern.Expansion
        switch HostPattern.expand(host.key) {
        case .success(let e): expansion = e
        case .failure(let failure):
            let base = host.span.start + (host.quoted ? 1 : 0)
            let exact = SourceSpan(
                file: file, start: base + failure.range.lowerBound, end: base + failure.range.upperBound)
            return builder.report(.hostPattern(failure.problem, at: exact.end <= host.span.end ? exact : host.span))
        }
        var vars: [InventoryBuilder.HostVar] = []
        switch host.value {
        case _ where isNull(host.value): break
        case .scalar(let s) where s.string.isEmpty: break  // Ansible reads `host: ""` as no vars
        case .mapping(let m):
            vars = entries(of: m).map { .init(key: $0.key, value: planValue($0.value), span: span(of: $0.value)) }
        default:
            return builder.report(
                .notAMapping("the vars of host '\(host.key)'", found: describe(host.value), at: span(of: host.value)))
        }
        for name in expansion.names {
            builder.addHost(name, to: group, at: host.span, port: expansion.port, vars: vars)
        }
    }

    /// The entries of `hosts`, `vars` or `children`: a mapping, nothing, or
    /// a single name standing for `{name: null}`.
    private mutating func sectionEntries(_ section: Entry, of group: String) -> [Entry] {
        switch section.value {
        case _ where isNull(section.value):
            return []
        case .mapping(let m):
            return entries(of: m)
        case .scalar(let s):
            let null = Node("", Tag(.null))
            return [Entry(key: s.string, span: span(of: section.value), value: null, quoted: isQuoted(s))]
        case .sequence:
            let what = "'\(section.key)' of group '\(group)'"
            builder.report(.notAMapping(what, found: describe(section.value), at: span(of: section.value)))
            return []
        }
    }

    /// A mapping's entries in order, with merge keys applied and duplicate
    /// keys reported; a repeated key keeps its first place and last value.
    private mutating func entries(of mapping: Node.Mapping) -> [Entry] {
        var result: [Entry] = []
        var position: [String: Int] = [:]
        var merged: [Entry] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                builder.report(.keyNotAString(at: span(of: keyNode)))
                continue
            }
            if tagName(keyNode) == .merge {
                let sources: [Node] = if case .sequence(let s) = value { Array(s) } else { [value] }
                for case .mapping(let source) in sources {
                    for e in entries(of: source) where !merged.contains(where: { $0.key == e.key }) { merged.append(e) }
                }
                continue
            }
            let entry = Entry(key: key.string, span: span(of: keyNode), value: value, quoted: isQuoted(key))
            if let p = position[entry.key] {
                builder.report(.duplicateKey(entry.key, at: entry.span, first: result[p].span))
                result[p].value = value
            } else {
                position[entry.key] = result.count
                result.append(entry)
            }
        }
        return merged.filter { position[$0.key] == nil } + result
    }

    // MARK: Values

    /// Plain data from YAML. Floats and timestamps stay text (plan values
    /// have neither); `!vault` values become secrets, so they are never shown.
    private mutating func planValue(_ node: Node) -> PlanValue {
        nodesLeft -= 1
        guard nodesLeft >= 0 else {
            if !expansionReported {
                expansionReported = true
                builder.report(.expansionTooLarge(at: span(of: node)))
            }
            return .null
        }
        switch node {
        case .scalar(let s):
            switch tagName(node) {
            case .null: return .null
            case .bool: return node.bool.map(PlanValue.bool) ?? .string(s.string)
            case .int: return node.int.map(PlanValue.int) ?? .string(s.string)
            case "!vault": return .secret(s.string)
            default: return .string(s.string)
            }
        case .sequence(let s):
            return .list(s.map { planValue($0) })
        case .mapping(let m):
            return .map(entries(of: m).map { PlanEntry($0.key, planValue($0.value)) })
        }
    }

    /// The resolved tag (Yams keeps `Tag.name` internal but prints it).
    private func tagName(_ node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.description)
    }

    private func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return tagName(node) == .null }
        return false
    }

    private func isQuoted(_ s: Node.Scalar) -> Bool {
        s.style == .singleQuoted || s.style == .doubleQuoted
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar:
            switch tagName(node) {
            case .null: return "nothing"
            case .bool: return "a boolean"
            case .int, .float: return "a number"
            default: return "a string"
            }
        }
    }

    // MARK: Spans

    private func syntaxError(_ error: any Error) -> Diagnostic {
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let note = context.map { Diagnostic.Note($0.text, at: point(offset(of: $0.mark))) }
            return .yamlSyntax(problem, at: point(offset(of: mark)), context: note)
        case .reader(let problem, let characterOffset, _, let yaml):
            let index = characterOffset.flatMap { yaml.index(yaml.startIndex, offsetBy: $0, limitedBy: yaml.endIndex) }
            let byte = index.map { yaml.utf8.distance(from: yaml.startIndex, to: $0) } ?? 0
            return .yamlSyntax(problem, at: point(byte), context: nil)
        default:
            return .yamlSyntax(String(describing: error), at: point(0), context: nil)
        }
    }

    /// A one-character span (empty at the end of the file).
    private func point(_ offset: Int) -> SourceSpan {
        let start = min(offset, file.bytes.count)
        return SourceSpan(file: file, start: start, end: min(start + 1, file.bytes.count))
    }

    /// The byte offset of a Yams mark, clamped to the file.
    private func offset(of mark: Mark) -> Int {
        let line = min(max(mark.line, 1), file.lineStarts.count)
        var i = file.lineStarts[line - 1]
        let end = lineEnd(from: i)
        var column = 1
        while column < mark.column, i < end {
            i += utf8Length(file.bytes[i])
            column += 1
        }
        return min(i, end)
    }

    /// A scalar's span covers its text on its first line; a collection's
    /// runs to the end of its first line.
    private func span(of node: Node) -> SourceSpan {
        guard let mark = node.mark else { return point(0) }
        let start = offset(of: mark)
        var end = lineEnd(from: start)
        while end > start, file.bytes[end - 1].isBlank { end -= 1 }
        if case .scalar(let s) = node, s.style != .literal, s.style != .folded {
            end = min(end, start + s.string.utf8.count + (isQuoted(s) ? 2 : 0))
        }
        return SourceSpan(file: file, start: start, end: end)
    }

    private func lineEnd(from offset: Int) -> Int {
        var i = offset
        while i < file.bytes.count, file.bytes[i] != UInt8(ascii: "\n"), file.bytes[i] != UInt8(ascii: "\r") { i += 1 }
        return i
    }

    private func utf8Length(_ lead: UInt8) -> Int {
        switch lead {
        case 0..<0x80: 1
        case 0xC0..<0xE0: 2
        case 0xE0..<0xF0: 3
        default: 4
        }
    }
}
