import TernPlan
import TernSource

/// Reads Ansible's INI inventory format, line by line, as Ansible's `ini`
/// plugin does. Blank lines and lines starting with `#` or `;` are skipped;
/// every other line is a section header or an entry of the current section.
/// Lines before the first header are hosts of `ungrouped`.
///
/// Group names must be defined by a `[group]` or `[group:children]` section
/// somewhere in the file (before or after they are used): a `:children` entry
/// or a `:vars` section for a group that is never defined is an error, as in
/// Ansible. Errors are reported for the line they are on, and reading goes on
/// with the next line; an unreadable section header skips its whole section,
/// so one mistake gives one message.
struct INIInventoryParser {
    private enum SectionKind {
        case hosts, vars, children
        /// After a bad header: entries are skipped, not reported.
        case skipped
    }

    /// A use of a group name that must be defined somewhere in the file.
    private struct Reference {
        let group: String
        let span: SourceSpan
        /// The section the reference is in: `[parent:children]` or `[group:vars]`.
        let parent: String
    }

    private var builder: InventoryBuilder
    private let file: SourceFile
    private var bytes: [UInt8] { file.bytes }
    private var group = InventoryBuilder.ungrouped
    private var kind = SectionKind.hosts
    private var defined: Set<String> = [InventoryBuilder.all, InventoryBuilder.ungrouped]
    private var childReferences: [Reference] = []
    private var varsSections: [Reference] = []
    /// Set on a line that shows the file is not INI at all; reading stops
    /// there, since every later line would be one more error.
    private var notINI = false

    private init(file: SourceFile) {
        self.file = file
        self.builder = InventoryBuilder(file: file)
    }

    static func parse(_ file: SourceFile) -> (InventoryModel?, [Diagnostic]) {
        var parser = INIInventoryParser(file: file)
        for line in 1...file.lineStarts.count {
            let range = parser.trimmedLine(line)
            guard let first = range.first.map({ parser.bytes[$0] }),
                first != UInt8(ascii: "#"), first != UInt8(ascii: ";")
            else { continue }
            if first == UInt8(ascii: "[") && parser.sectionHeader(range) { continue }
            switch parser.kind {
            case .hosts: parser.hostLine(range)
            case .vars: parser.varLine(range)
            case .children: parser.childLine(range)
            case .skipped: break
            }
            if parser.notINI { return parser.builder.build() }
        }
        parser.resolveReferences()
        return parser.builder.build()
    }

    // MARK: Sections

    // section = "[" group [ ":" kind ] "]" [ "#" comment ]
    // group   = one or more characters other than blanks, ':' and ']'
    // kind    = "hosts" | "vars" | "children"
    //
    /// Handles a line starting with `[`. Returns false when the line is not a
    /// header after all but a host line starting with a range, such as
    /// `[a:c]-node.example.com` (Ansible's rule: a line that ends with `]`
    /// must be a header; `[::1]`-style addresses count as hosts).
    private mutating func sectionHeader(_ range: Range<Int>) -> Bool {
        let b = bytes
        let end = range.upperBound
        var i = range.lowerBound + 1
        let nameStart = i
        while i < end, b[i] != UInt8(ascii: ":"), b[i] != UInt8(ascii: "]"), !b[i].isBlank { i += 1 }
        let nameEnd = i
        var kindRange: Range<Int>?
        if i < end, b[i] == UInt8(ascii: ":") {
            i += 1
            let kindStart = i
            while i < end, b[i].isWordCharacter { i += 1 }
            kindRange = kindStart..<i
        }
        var matched = nameEnd > nameStart && kindRange?.isEmpty != true && i < end && b[i] == UInt8(ascii: "]")
        if matched {
            i += 1
            while i < end, b[i].isBlank { i += 1 }
            matched = i == end || b[i] == UInt8(ascii: "#")
        }
        guard matched else {
            let closes = b[range].contains(UInt8(ascii: "]"))
            if closes, b[end - 1] != UInt8(ascii: "]") || looksLikeIPv6(range) { return false }
            builder.report(.malformedSection(at: span(range)))
            kind = .skipped
            return true
        }
        let name = text(nameStart..<nameEnd)
        if let kindRange {
            switch text(kindRange) {
            case "hosts": kind = .hosts
            case "vars": kind = .vars
            case "children": kind = .children
            case let other:
                builder.report(.unknownSectionKind(other, at: span(kindRange)))
                kind = .skipped
                return true
            }
        } else {
            kind = .hosts
        }
        group = name
        builder.declareGroup(name, at: span(nameStart..<nameEnd))
        if kind == .vars {
            varsSections.append(Reference(group: name, span: span(nameStart..<nameEnd), parent: name))
        } else {
            defined.insert(name)
        }
        return true
    }

    private func looksLikeIPv6(_ range: Range<Int>) -> Bool {
        guard let close = bytes[range].firstIndex(of: UInt8(ascii: "]")) else { return false }
        return bytes[range.lowerBound..<close].filter { $0 == UInt8(ascii: ":") }.count >= 2
    }

    // MARK: Entries

    // host-line = pattern { key "=" value } [ "#" comment ]     (words split like a shell)
    private mutating func hostLine(_ range: Range<Int>) {
        let words: [ShellWords.Word]
        switch ShellWords.split(bytes, range) {
        case .success(let w): words = w
        case .failure(.unclosedQuote(let at)): return builder.report(.missingClosingQuote(at: span(at..<(at + 1))))
        case .failure(.danglingBackslash(let at)): return builder.report(.danglingBackslash(at: span(at..<(at + 1))))
        }
        guard let first = words.first else { return }
        let patternSpan = span(first.range)
        if first.string == "---" {
            notINI = true
            return builder.report(.yamlMarkerInINI(at: patternSpan))
        }
        let expansion: HostPattern.Expansion
        switch HostPattern.expand(first.string) {
        case .success(let e): expansion = e
        case .failure(let failure):
            // Point inside the word when it was written without quoting.
            let base = first.range.lowerBound
            let exact = first.range.count == first.text.count
            let at = exact ? span((base + failure.range.lowerBound)..<(base + failure.range.upperBound)) : patternSpan
            return builder.report(.hostPattern(failure.problem, at: at))
        }
        var vars: [InventoryBuilder.HostVar] = []
        for word in words.dropFirst() {
            guard let equals = word.equals else {
                return builder.report(.expectedAssignment(word.string, at: span(word.range)))
            }
            guard equals.textIndex > 0 else {
                return builder.report(.emptyVariableName(at: span(equals.offset..<(equals.offset + 1))))
            }
            let key = String(decoding: word.text[..<equals.textIndex], as: UTF8.self)
            let plain = String(decoding: word.text[(equals.textIndex + 1)...], as: UTF8.self)
            let valueRange = (equals.offset + 1)..<word.range.upperBound
            let value = INIValue.parse(raw: text(valueRange), plain: plain)
            // An empty value is pointed at through its '='.
            let valueSpan = span(valueRange.isEmpty ? equals.offset..<valueRange.lowerBound : valueRange)
            vars.append(.init(key: key, value: value, span: valueSpan))
        }
        for name in expansion.names {
            builder.addHost(name, to: group, at: patternSpan, port: expansion.port, vars: vars)
        }
    }

    // var-line = key "=" value       (the value is the rest of the line, unquoted by `INIValue`)
    private mutating func varLine(_ range: Range<Int>) {
        guard let equals = bytes[range].firstIndex(of: UInt8(ascii: "=")) else {
            return builder.report(.expectedAssignment(text(range), at: span(range)))
        }
        let key = text(range.lowerBound..<equals).trimmingSpaces
        guard !key.isEmpty else { return builder.report(.emptyVariableName(at: span(equals..<(equals + 1)))) }
        let value = text((equals + 1)..<range.upperBound).trimmingSpaces
        builder.setGroupVar(group, key, INIValue.parse(raw: value, plain: value))
    }

    // child-line = group [ "#" comment ]
    private mutating func childLine(_ range: Range<Int>) {
        let b = bytes
        var i = range.lowerBound
        while i < range.upperBound, b[i] != UInt8(ascii: ":"), b[i] != UInt8(ascii: "]"), !b[i].isBlank { i += 1 }
        let nameEnd = i
        while i < range.upperBound, b[i].isBlank { i += 1 }
        guard nameEnd > range.lowerBound, i == range.upperBound || b[i] == UInt8(ascii: "#") else {
            return builder.report(.expectedGroupName(text(range), at: span(range)))
        }
        childReferences.append(
            Reference(group: text(range.lowerBound..<nameEnd), span: span(range.lowerBound..<nameEnd), parent: group))
    }

    /// Adds child entries now that every section has been seen, and reports
    /// the groups that never were defined. A `:vars` section for a group
    /// already reported as an undefined child is not reported again.
    private mutating func resolveReferences() {
        let known = builder.groupNames.filter { defined.contains($0) }
        var reported = Set<String>()
        for ref in childReferences {
            if defined.contains(ref.group) {
                builder.addChild(ref.group, to: ref.parent, at: ref.span)
            } else {
                builder.report(.unknownChildGroup(ref.group, parent: ref.parent, at: ref.span, known: known))
                reported.insert(ref.group)
            }
        }
        for section in varsSections where !defined.contains(section.group) && reported.insert(section.group).inserted {
            builder.report(.varsForUnknownGroup(section.group, at: section.span, known: known))
        }
    }

    // MARK: Bytes

    /// The line without its end of line and surrounding blanks, as byte offsets.
    private func trimmedLine(_ line: Int) -> Range<Int> {
        var start = file.lineStarts[line - 1]
        var end = line < file.lineStarts.count ? file.lineStarts[line] : bytes.count
        while end > start, bytes[end - 1].isBlank || bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        while start < end, bytes[start].isBlank { start += 1 }
        return start..<end
    }

    private func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    private func span(_ range: Range<Int>) -> SourceSpan {
        SourceSpan(file: file, start: range.lowerBound, end: range.upperBound)
    }
}
