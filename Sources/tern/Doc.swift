import ArgumentParser
import Foundation
import TernLang
import TernSource

struct DocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc",
        abstract: "Show the documentation of the standard library.",
        discussion: """
            Without a name, lists the standard modules. With a module, shows its
            documentation and each of its recipes and functions with its signature
            and summary; with MODULE.NAME, the whole documentation of one of them.
            The text is the modules' own `///` comments.

            Examples:
              tern doc
              tern doc gluster
              tern doc gluster.volume
            """
    )

    @Argument(help: ArgumentHelp(
        "A module (gluster), or a recipe or function of one (gluster.volume).", valueName: "module[.name]"))
    var name: String?

    @Option(help: ArgumentHelp("Directory of the standard library (default: found next to tern, or $TERN_STDLIB).", valueName: "dir"))
    var stdlib: String?

    @Flag(help: "Colour the output (default: when writing to a terminal and NO_COLOR is unset).")
    var color = false

    /// Checks the name against the standard library here, so that an
    /// unknown one is a usage error shown with this command's usage.
    func validate() throws {
        let directory = try stdlibDirectory()
        guard let name else { return }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 2 || parts.contains(where: \.isEmpty) {
            throw ValidationError("give a module or MODULE.NAME, e.g. 'gluster' or 'gluster.volume'; got '\(name)'")
        }
        guard let module = ModuleDocumentation.stdlib(parts[0], in: directory) else {
            throw ValidationError(unknownModuleMessage(parts[0], member: parts.count > 1 ? parts[1] : nil, in: directory))
        }
        // In a module with errors the declaration may have been lost: `run`
        // reports the module's diagnostics instead.
        if parts.count > 1, module.member(named: parts[1]) == nil, module.errorCount == 0 {
            throw ValidationError(unknownMemberMessage(parts[1], in: module))
        }
    }

    func run() throws {
        let directory = try stdlibDirectory()
        var page = DocPage(style: style)
        var problems: [[Diagnostic]] = []

        if let name {
            let parts = name.split(separator: ".").map(String.init)
            let moduleName = parts[0]
            guard let module = ModuleDocumentation.stdlib(moduleName, in: directory) else {
                // Checked by `validate`; the file went away since.
                throw ValidationError(unknownModuleMessage(moduleName, member: parts.count > 1 ? parts[1] : nil, in: directory))
            }
            problems.append(module.diagnostics)
            if parts.count == 1 {
                page.module(module)
            } else if let member = module.member(named: parts[1]) {
                page.member(member, in: module)
            } else {
                let message = unknownMemberMessage(parts[1], in: module)
                // A module with errors may have lost the declaration: its
                // diagnostics are the real news, and the file is invalid.
                guard module.errorCount > 0 else { throw ValidationError(message) }
                report(problems)
                FileHandle.standardError.write(Data("error: \(message)\n".utf8))
                throw ExitCode(ExitStatus.invalidPlaybook)
            }
        } else {
            let modules = ModuleDocumentation.stdlibModules(in: directory).compactMap {
                ModuleDocumentation.stdlib($0, in: directory)
            }
            page.index(modules, directory: directory)
            problems = modules.map(\.diagnostics)
        }

        FileHandle.standardOutput.write(Data(page.text.utf8))
        if report(problems) { throw ExitCode(ExitStatus.invalidPlaybook) }
    }

    /// The standard library directory, or a usage error saying how to give it.
    func stdlibDirectory() throws -> String {
        guard let directory = stdlib ?? StdlibLocator.find() else {
            throw ValidationError("cannot find the standard library: give --stdlib DIR or set TERN_STDLIB")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("the standard library directory '\(directory)' does not exist")
        }
        return directory
    }

    /// Prints the diagnostics of the modules read (each once: a module's
    /// include those of the modules it uses) and a summary line per module
    /// file with problems, as `tern check` does. True when there are errors.
    @discardableResult
    func report(_ problems: [[Diagnostic]]) -> Bool {
        var seen: Set<Diagnostic> = []
        var all: [Diagnostic] = []
        for ds in problems {
            for d in ds where seen.insert(d).inserted { all.append(d) }
        }
        guard !all.isEmpty else { return false }
        let text = renderer.render(all)
        FileHandle.standardError.write(Data((text + "\n").utf8))
        // One summary per file the diagnostics point into.
        var files: [String] = []
        for d in all {
            let path = d.span?.file.path ?? "tern doc"
            if !files.contains(path) { files.append(path) }
        }
        for path in files {
            let own = all.filter { ($0.span?.file.path ?? "tern doc") == path }
            let errors = own.filter { $0.severity == .error }.count
            if let summary = DiagnosticRenderer.summary(errors: errors, warnings: own.count - errors) {
                FileHandle.standardError.write(Data("\(path): \(summary)\n".utf8))
            }
        }
        return all.contains { $0.severity == .error }
    }

    /// "no module 'glustr'; did you mean 'gluster'?", or, for the name of a
    /// recipe given without its module, the modules that have one.
    func unknownModuleMessage(_ name: String, member: String?, in directory: String) -> String {
        let modules = ModuleDocumentation.stdlibModules(in: directory)
        var message = "no module '\(name)' in the standard library (\(directory))"
        if member == nil {
            let owners = modules.compactMap { ModuleDocumentation.stdlib($0, in: directory) }
                .compactMap { $0.member(named: name)?.qualifiedName }
            if !owners.isEmpty {
                return message + "; did you mean " + owners.map { "'\($0)'" }.joined(separator: " or ") + "?"
            }
        }
        if let close = Suggestions.closest(to: name, among: modules) {
            message += "; did you mean '\(member.map { "\(close).\($0)" } ?? close)'?"
        } else if !modules.isEmpty {
            message += "; its modules: \(modules.joined(separator: ", "))"
        }
        return message
    }

    /// "module 'gluster' has no recipe or function 'volum'; did you mean 'gluster.volume'?"
    func unknownMemberMessage(_ name: String, in module: ModuleDocumentation) -> String {
        if module.values.contains(name) {
            return "'\(module.name).\(name)' is a value (let), not a recipe or function; values are not documented"
        }
        var message = "module '\(module.name)' has no recipe or function '\(name)'"
        let names = module.members.map(\.name)
        if let close = Suggestions.closest(to: name, among: names) {
            message += "; did you mean '\(module.name).\(close)'?"
        } else if !names.isEmpty {
            message += "; it has \(names.joined(separator: ", "))"
        }
        return message
    }

    var style: DocStyle {
        let env = ProcessInfo.processInfo.environment
        let terminal = isatty(1) == 1 && env["TERM"] != "dumb"
        var width = 80
        if terminal {
            var w = winsize()
            if ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col >= 40 { width = min(Int(w.ws_col), 100) }
        }
        return DocStyle(color: color || (terminal && env["NO_COLOR"] == nil), width: width)
    }

    var renderer: DiagnosticRenderer {
        let env = ProcessInfo.processInfo.environment
        return DiagnosticRenderer(color: color || (isatty(2) == 1 && env["NO_COLOR"] == nil && env["TERM"] != "dumb"))
    }
}

/// How `tern doc` lays its text out.
struct DocStyle {
    var color: Bool
    /// Lines are wrapped to this many columns where the text allows.
    var width: Int

    func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
}

/// The text `tern doc` prints: plain text, wrapped to the style's width,
/// doc comments shown as written.
struct DocPage {
    let style: DocStyle
    private(set) var text = ""

    init(style: DocStyle) { self.style = style }

    mutating func line(_ s: String = "") { text += s + "\n" }

    /// `tern doc`: every module with its summary.
    mutating func index(_ modules: [ModuleDocumentation], directory: String) {
        line(style.bold("Standard library") + " (\(DocPage.shown(directory)))")
        line()
        let column = (modules.map(\.name.count).max() ?? 0) + 4
        for m in modules {
            let pad = String(repeating: " ", count: column - 2 - m.name.count)
            let summary = m.summary ?? "(not documented)"
            let wrapped = DocPage.wrap(summary, width: style.width - column)
            for (i, l) in wrapped.enumerated() {
                line(i == 0 ? "  " + style.bold(m.name) + pad + l : String(repeating: " ", count: column) + l)
            }
        }
        line()
        for l in DocPage.wrap(
            "Use a module in a playbook with `use NAME`. `tern doc NAME` shows its recipes and functions; "
                + "`tern doc NAME.RECIPE` shows one of them in full.", width: style.width)
        {
            line(l)
        }
    }

    /// `tern doc gluster`: the module's doc, then its recipes and functions.
    mutating func module(_ m: ModuleDocumentation) {
        line(style.bold("module \(m.name)") + " (\(DocPage.shown(m.path)))")
        line()
        if m.doc.isEmpty {
            line("(no module documentation)")
        } else {
            m.doc.forEach { line($0) }
        }
        for (title, members) in [("Recipes", m.recipes), ("Functions", m.functions)] where !members.isEmpty {
            line()
            line(style.bold(title))
            for member in members {
                let signature = signatureLines(prefix: "  ", member)
                signature.forEach { line($0) }
                for l in DocPage.wrap(member.summary ?? "(not documented)", width: style.width - 6) {
                    line("      " + l)
                }
            }
        }
        if m.members.isEmpty {
            line()
            line("It declares no recipes or functions.")
        }
        line()
        let more = m.members.isEmpty ? "" : " `tern doc \(m.name).NAME` shows one of its recipes or functions in full."
        for l in DocPage.wrap("Use it in a playbook with `use \(m.name)`.\(more)", width: style.width) { line(l) }
    }

    /// `tern doc gluster.volume`: the signature and the whole doc.
    mutating func member(_ member: MemberDocumentation, in m: ModuleDocumentation) {
        signatureLines(prefix: member.kind.rawValue + " \(m.name).", member).forEach { line($0) }
        line()
        if member.isDocumented {
            member.doc.forEach { line($0) }
        } else {
            line("(not documented)")
        }
        line()
        line("Defined at \(DocPage.shown(m.path)):\(member.location.line).")
    }

    /// `prefix` + the signature, its parameters wrapped under the `(` when
    /// the line would be too long; the name in bold.
    func signatureLines(prefix: String, _ member: MemberDocumentation) -> [String] {
        let head = prefix + member.name + "("
        let indent = String(repeating: " ", count: head.count)
        var lines: [String] = []
        var current = head
        let params = member.parameters.map(\.text)
        for (i, p) in params.enumerated() {
            let piece = p + (i == params.count - 1 ? ")" : ",")
            let startsLine = current == head || current == indent
            if !startsLine, current.count + 1 + piece.count > style.width {
                lines.append(current)
                current = indent + piece
            } else {
                current += (startsLine ? "" : " ") + piece
            }
        }
        if params.isEmpty { current += ")" }
        lines.append(current)
        // Bold the name (the first line always starts with prefix + name).
        let name = prefix + member.name
        lines[0] = style.bold(name) + lines[0].dropFirst(name.count)
        return lines
    }

    /// Words filled into lines of at most `width` columns (a longer word
    /// gets a line of its own).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= max(width, 20) {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        lines.append(current)
        return lines
    }

    /// A path relative to the working directory when it is under it.
    static func shown(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let base = cwd.hasSuffix("/") ? cwd : cwd + "/"
        let absolute = path.hasPrefix("/") ? path : base + path
        let standard = (absolute as NSString).standardizingPath
        return standard.hasPrefix(base) ? String(standard.dropFirst(base.count)) : standard
    }
}
