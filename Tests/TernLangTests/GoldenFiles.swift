import Foundation
import Testing

/// Golden files: an input file next to the expected output. Run the tests
/// with `TERN_RECORD=1` to rewrite the expected files from the current
/// output (then review the diff before committing).
enum GoldenFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var recording: Bool { ProcessInfo.processInfo.environment["TERN_RECORD"] != nil }

    /// Input files (by extension) of one golden folder, sorted.
    static func inputs(_ folder: String, ext: String = "tern") -> [String] {
        let dir = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) }.sorted()
    }

    static func path(_ folder: String, _ name: String) -> String {
        root.appendingPathComponent(folder).appendingPathComponent(name).path
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Compares `actual` with the expected file, or records it.
    static func check(_ actual: String, against expectedPath: String, sourceLocation: SourceLocation = #_sourceLocation) {
        if recording {
            try? actual.write(toFile: expectedPath, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = read(expectedPath) else {
            Issue.record("missing golden file \(expectedPath); run with TERN_RECORD=1 to create it", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == expected, "output differs from \(expectedPath)", sourceLocation: sourceLocation)
    }
}
