import Foundation
import TernSource

/// The documentation of one module, as `tern doc` shows it: the module's
/// `///` block and each of its recipes and functions with its signature as
/// written and its `///` block.
///
/// Every top-level name of a module is a member (there is no private
/// marker), so every `fn` and `recipe` is listed, documented or not. `let`
/// values and `use` aliases are members too but are not shown: in practice
/// they are a module's internals.
public struct ModuleDocumentation: Sendable {
    /// The module's name: `gluster` for `stdlib/gluster.tern`.
    public let name: String
    /// The file it was read from.
    public let path: String
    /// The module's `///` block (the first one of the file, when a blank
    /// line follows it), one string per line.
    public let doc: [String]
    /// Recipes and functions in the order they are declared; a second
    /// definition of a name is left out (it is reported in `diagnostics`).
    public let members: [MemberDocumentation]
    /// The names of the module's `let` values, for "did you mean" and for
    /// saying that such a name is a value.
    public let values: [String]
    /// What is wrong with the module (and the modules it uses): syntax
    /// errors, misplaced or duplicate declarations, unknown types. Sorted.
    public let diagnostics: [Diagnostic]

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }

    /// The first sentence of the module's doc, on one line; nil when undocumented.
    public var summary: String? { DocText.summary(of: doc) }

    public var recipes: [MemberDocumentation] { members.filter { $0.kind == .recipe } }
    public var functions: [MemberDocumentation] { members.filter { $0.kind == .function } }

    public func member(named name: String) -> MemberDocumentation? {
        members.first { $0.name == name }
    }
}

/// A recipe or function of a module.
public struct MemberDocumentation: Sendable {
    public enum Kind: String, Sendable {
        case recipe
        case function = "fn"
    }

    /// A parameter as written in the declaration.
    public struct Parameter: Sendable {
        public let name: String
        /// The declared type, e.g. `string`; nil when none is written.
        public let type: String?
        /// The default value's source text, e.g. `"/etc/heketi/heketi.json"`
        /// (put on one line when it spans several); nil for a required parameter.
        public let defaultValue: String?

        /// `name: type = default`, with the parts that are written.
        public var text: String {
            name + (type.map { ": \($0)" } ?? "") + (defaultValue.map { " = \($0)" } ?? "")
        }
    }

    public let kind: Kind
    /// The module's name.
    public let module: String
    public let name: String
    public let parameters: [Parameter]
    /// The `///` block above the declaration, one string per line.
    public let doc: [String]
    /// Where the name is declared.
    public let location: SourceLocation

    /// `volume(name: string, bricks: list, replica = 3)`.
    public var signature: String {
        "\(name)(\(parameters.map(\.text).joined(separator: ", ")))"
    }

    /// How a playbook refers to it: `gluster.volume`.
    public var qualifiedName: String { "\(module).\(name)" }

    /// The first sentence of its doc, on one line; nil when undocumented.
    public var summary: String? { DocText.summary(of: doc) }

    public var isDocumented: Bool { doc.contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty } }
}

extension ModuleDocumentation {
    /// The module names of a standard library directory (its `*.tern` files), sorted.
    public static func stdlibModules(in directory: String) -> [String] {
        ModuleLoader(stdlibPath: directory, baseDirectory: nil).stdlibModules
    }

    /// Reads a standard library module; nil when the directory has no such file.
    ///
    /// The module is loaded as a `use` would load it — parsed with the real
    /// parser and its names bound, with the modules it uses — but nothing is
    /// evaluated, so any module, however broken, gives what could be parsed
    /// of it and its diagnostics.
    public static func stdlib(_ name: String, in directory: String, baseDirectory: String? = nil) -> ModuleDocumentation? {
        guard let path = ModuleLoader(stdlibPath: directory, baseDirectory: nil).stdlibFile(name) else { return nil }
        return LargeStack.run {
            load(stdlibPath: directory, baseDirectory: baseDirectory, name: name, path: ModuleLoader.normalize(path), isPath: false)
        }
    }

    /// Reads any module file (`lib/web.tern`), named `name`; its `use`s of
    /// standard modules are looked up in `stdlibPath`. Nil when the file
    /// cannot be read.
    public static func file(
        _ path: String, name: String, stdlibPath: String?, baseDirectory: String? = nil
    ) -> ModuleDocumentation? {
        let absolute = ModuleLoader.normalize(path)
        guard FileManager.default.isReadableFile(atPath: absolute) else { return nil }
        return LargeStack.run {
            load(stdlibPath: stdlibPath, baseDirectory: baseDirectory, name: name, path: absolute, isPath: true)
        }
    }

    private static func load(
        stdlibPath: String?, baseDirectory: String?, name: String, path: String, isPath: Bool
    ) -> ModuleDocumentation? {
        let loader = ModuleLoader(stdlibPath: stdlibPath, baseDirectory: baseDirectory)
        let ev = Evaluator(loader: loader, environment: [:], requireSecrets: false)
        // A `use` line of our own, so the module is loaded exactly as a playbook's `use` loads it.
        let request = isPath ? "use \"\(path)\" as \(name)" : "use \(name)"
        let requester = SourceFile(path: "<tern doc>", text: request, realPath: "/<tern doc>")
        let span = SourceSpan(file: requester, start: 4, end: requester.bytes.count)
        let alias = Identifier(name: name, span: span)
        guard ev.loadModule(UseItem(module: isPath ? path : name, isPath: isPath, alias: alias, span: span), from: requester) != nil,
            let syntax = loader.syntax[path]
        else { return nil }

        var members: [MemberDocumentation] = []
        var values: [String] = []
        var seen: Set<String> = []
        for decl in syntax.decls {
            switch decl.kind {
            case .function(let id, let params, _, let isRecipe):
                guard seen.insert(id.name).inserted else { continue }
                members.append(MemberDocumentation(
                    kind: isRecipe ? .recipe : .function, module: name, name: id.name,
                    parameters: params.map { p in
                        MemberDocumentation.Parameter(
                            name: p.name.name, type: p.type?.name, defaultValue: p.defaultValue.map { DocText.oneLine($0.span.text) })
                    },
                    doc: DocText.trimmed(decl.doc), location: id.span.location))
            case .let(let id, _):
                if seen.insert(id.name).inserted { values.append(id.name) }
            case .use(let items):
                for item in items { seen.insert(item.alias.name) }
            default:
                break
            }
        }
        return ModuleDocumentation(
            name: name, path: path, doc: DocText.trimmed(syntax.moduleDoc), members: members, values: values,
            diagnostics: ev.diagnostics.sorted)
    }
}

/// Helpers for the text of doc comments.
public enum DocText {
    /// The first sentence of the first paragraph, on one line: the doc's
    /// summary. A paragraph ends at a blank line, a list item (`- `) or an
    /// `Example:` line; a sentence ends at `.`, `!` or `?` followed by a
    /// space and a capital letter (so `e.g. the` does not end one).
    public static func summary(of doc: [String]) -> String? {
        var words: [String] = []
        for line in doc {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty {
                if words.isEmpty { continue }
                break
            }
            if !words.isEmpty, t.hasPrefix("- ") || t.hasPrefix("Example:") { break }
            words.append(t)
        }
        guard !words.isEmpty else { return nil }
        let text = words.joined(separator: " ")
        let chars = Array(text)
        var i = 0
        while i + 2 < chars.count {
            if ".!?".contains(chars[i]), chars[i + 1] == " ", chars[i + 2].isUppercase {
                return String(chars[...i])
            }
            i += 1
        }
        return text
    }

    /// Source text written over several lines (a map default) on one line:
    /// each line break and the indentation around it become one space.
    /// Text that a line break is part of (a `"""` string, a `#` comment) is
    /// left as written.
    static func oneLine(_ text: String) -> String {
        guard text.contains("\n"), !text.contains("\"\"\""), !text.contains("#") else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }

    /// Drops blank lines at the start and the end of a doc block.
    static func trimmed(_ doc: [String]) -> [String] {
        var lines = doc[...]
        while let first = lines.first, first.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeFirst() }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        return Array(lines)
    }
}
