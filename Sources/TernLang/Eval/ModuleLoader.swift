import Foundation
import TernSource

/// Finds, parses and caches modules.
///
/// `use pkg` looks for `pkg.tern` in the stdlib directory; `use "./x.tern" as
/// x` resolves the path against the directory of the file that says it. A
/// module is loaded once per run; a module that (indirectly) uses itself is
/// an error naming the chain. Syntax errors of every file loaded are
/// collected before evaluation starts.
final class ModuleLoader {
    let stdlibPath: String?
    private(set) var modules: [String: Module] = [:]
    private(set) var syntax: [String: FileSyntax] = [:]
    var loading: [String] = []
    /// Source text given directly (the REPL, tests), by path.
    var overlays: [String: String] = [:]

    /// Paths under this directory are shown relative to it.
    let baseDirectory: String

    init(stdlibPath: String?, baseDirectory: String?) {
        self.stdlibPath = stdlibPath
        self.baseDirectory = baseDirectory ?? FileManager.default.currentDirectoryPath
    }

    /// The stdlib module names, for "did you mean" and `tern doc`.
    var stdlibModules: [String] {
        guard let dir = stdlibPath, let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.filter { $0.hasSuffix(".tern") }.map { String($0.dropLast(5)) }.sorted()
    }

    func stdlibFile(_ name: String) -> String? {
        guard let dir = stdlibPath else { return nil }
        let path = (dir as NSString).appendingPathComponent(name + ".tern")
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Reads and parses a file; nil (and a diagnostic) when it cannot be read.
    func parse(path: String) -> (FileSyntax, [Diagnostic])? {
        let text: String
        if let t = overlays[path] {
            text = t
        } else {
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            text = String(decoding: data, as: UTF8.self)
        }
        let file = SourceFile(path: displayPath(path), text: text, realPath: path)
        let result = Parser.parse(file)
        syntax[path] = result.0
        return result
    }

    func cached(_ path: String) -> Module? { modules[path] }
    func store(_ m: Module, at path: String) { modules[path] = m }

    /// A path as messages show it: relative to the working directory when under it.
    func displayPath(_ path: String) -> String {
        if let lib = stdlibPath.map(ModuleLoader.normalize), path.hasPrefix(lib + "/") {
            return "<stdlib>/" + path.dropFirst(lib.count + 1)
        }
        guard baseDirectory != "/" else { return path }
        let base = baseDirectory.hasSuffix("/") ? baseDirectory : baseDirectory + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }

    /// An absolute, standardized path (relative ones against the working directory).
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (absolute as NSString).standardizingPath
    }
}
