import Foundation
import Testing

@testable import TernEngine

/// `UnifiedDiff.render` against hand-written hunks, and against real tools:
/// GNU `patch` must turn the old file into the new one with it, and GNU
/// `diff --minimal` must find exactly as many changed lines (both are
/// shortest edit scripts).
@Suite struct UnifiedDiffTests {
    func render(_ old: String, _ new: String, context: Int = 3) -> String {
        UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b", context: context)
    }

    @Test func identicalInputGivesNothing() {
        #expect(render("", "") == "")
        #expect(render("x\ny\n", "x\ny\n") == "")
        #expect(render("no newline", "no newline") == "")
    }

    @Test func smallCasesAsDiffPrintsThem() {
        #expect(render("a\n", "b\n") == "--- a\n+++ b\n@@ -1 +1 @@\n-a\n+b\n")
        #expect(render("", "x\ny\n") == "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n")
        #expect(render("x\ny\n", "") == "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n")
        #expect(render("a\nb", "a\nb\n") == "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n")
        #expect(render("a\nb\n", "a\nc") == "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n")
        #expect(render("a\nb\nend", "A\nb\nend") == "--- a\n+++ b\n@@ -1,3 +1,3 @@\n-a\n+A\n b\n end\n\\ No newline at end of file\n")
    }

    @Test func aChangeInTheMiddleHasThreeLinesOfContext() {
        let old = (1...20).map { "line \($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "line 10\n", with: "line ten\n")
        #expect(render(old, new) == """
            --- a
            +++ b
            @@ -7,7 +7,7 @@
             line 7
             line 8
             line 9
            -line 10
            +line ten
             line 11
             line 12
             line 13

            """)
    }

    @Test func changesMergeWhenTheirContextTouches() {
        let old = (1...40).map { "\($0)\n" }.joined()
        func changed(_ lines: [Int]) -> String {
            (1...40).map { lines.contains($0) ? "X\($0)\n" : "\($0)\n" }.joined()
        }
        // Six unchanged lines between: one hunk. Seven: two.
        #expect(render(old, changed([10, 17])).components(separatedBy: "@@ -").count - 1 == 1)
        #expect(render(old, changed([10, 18])).components(separatedBy: "@@ -").count - 1 == 2)
        #expect(render(old, changed([10, 12]), context: 0).components(separatedBy: "@@ -").count - 1 == 2)
    }

    @Test func comparesBytesNotCanonicalEquivalence() {
        let precomposed = "caf\u{E9}\n", decomposed = "cafe\u{301}\n"
        #expect(precomposed == decomposed)  // Swift's String equality says equal...
        #expect(render(precomposed, decomposed) != "")  // ...a file's bytes do not.
    }

    @Test func binary() {
        #expect(UnifiedDiff.isBinary([0x61, 0, 0x62]))
        #expect(UnifiedDiff.isBinary([0xC3]))
        #expect(!UnifiedDiff.isBinary(Array("héllo\n".utf8)))
    }

    // MARK: against patch and diff

    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let scratch: String = {
        let d = NSTemporaryDirectory() + "/tern-diff-\(getpid())"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    @discardableResult
    func tool(_ path: String, _ args: [String], stdin: String? = nil) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func changedLines(_ diff: String) -> (removed: Int, added: Int) {
        var r = 0, a = 0
        for l in diff.split(separator: "\n", omittingEmptySubsequences: false) {
            if l.hasPrefix("-") && !l.hasPrefix("--- ") { r += 1 }
            if l.hasPrefix("+") && !l.hasPrefix("+++ ") { a += 1 }
        }
        return (r, a)
    }

    /// Our diff, applied by GNU patch, makes `new` from `old`; and it changes
    /// as few lines as `diff --minimal`.
    func expectAgreesWithTools(_ old: String, _ new: String, context: Int = 3, minimal: Bool = true) throws {
        let id = UUID().uuidString
        let f = Self.scratch + "/\(id)-file", g = Self.scratch + "/\(id)-new", o = Self.scratch + "/\(id)-out"
        defer { for p in [f, g, o] { try? FileManager.default.removeItem(atPath: p) } }
        try Data(old.utf8).write(to: URL(fileURLWithPath: f))
        try Data(new.utf8).write(to: URL(fileURLWithPath: g))
        let ours = UnifiedDiff.render(old: old, new: new, oldName: f, newName: f, context: context)
        if old == new {
            #expect(ours == "")
            return
        }
        let patched = try tool("/usr/bin/patch", ["-s", "-o", o, f], stdin: ours)
        #expect(patched.status == 0, "\(patched.out)\n\(ours)")
        let result = FileManager.default.contents(atPath: o) ?? Data()
        #expect(result == Data(new.utf8), "patch with\n\(ours)\ngave\n\(String(decoding: result, as: UTF8.self))")
        if minimal {
            let gnu = try tool("/usr/bin/diff", ["--minimal", "-U\(context)", f, g])
            let (r1, a1) = changedLines(ours), (r2, a2) = changedLines(gnu.out)
            #expect(r1 + a1 == r2 + a2, "ours:\n\(ours)\ngnu:\n\(gnu.out)")
        }
    }

    @Test func randomPairsAgreeWithPatchAndDiff() throws {
        var rng = SplitMix64(state: 20261126)
        let alphabet = ["a", "b", "c", "d", "e", "", "x y", "tab\there"]
        func file(_ rng: inout SplitMix64) -> String {
            let n = rng.below(14)
            var s = (0..<n).map { _ in alphabet[rng.below(alphabet.count)] + "\n" }.joined()
            if !s.isEmpty, rng.below(4) == 0 { s.removeLast() }
            return s
        }
        for _ in 0..<200 {
            let old = file(&rng)
            // Often an edit of the old file, sometimes something else entirely.
            var new: String
            if rng.below(3) == 0 {
                new = file(&rng)
            } else {
                var lines = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for _ in 0...rng.below(3) where !lines.isEmpty {
                    let i = rng.below(lines.count)
                    switch rng.below(3) {
                    case 0: lines.remove(at: i)
                    case 1: lines.insert(alphabet[rng.below(alphabet.count)], at: i)
                    default: lines[i] = alphabet[rng.below(alphabet.count)]
                    }
                }
                new = lines.joined(separator: "\n")
            }
            try expectAgreesWithTools(old, new, context: rng.below(4))
        }
    }

    @Test func largeFilesWithAFewEdits() throws {
        var lines = (1...20_000).map { "row \($0)" }
        let old = lines.joined(separator: "\n") + "\n"
        lines[10] = "changed"
        lines.remove(at: 9_000)
        lines.insert("inserted", at: 15_000)
        try expectAgreesWithTools(old, lines.joined(separator: "\n") + "\n")
    }

    @Test func pastTheLimitTheMiddleIsReplacedWhole() throws {
        let old = (0..<3_000).map { "old \($0)\n" }.joined()
        let new = "same start\n" + (0..<3_000).map { "new \($0)\n" }.joined()
        let diff = UnifiedDiff.render(old: "head\n" + old, new: "head\n" + new, oldName: "a", newName: "b")
        #expect(diff.hasPrefix("--- a\n+++ b\n@@ -1,3001 +1,3002 @@\n head\n-old 0\n"))
        try expectAgreesWithTools("head\n" + old, "head\n" + new, minimal: false)
    }
}
