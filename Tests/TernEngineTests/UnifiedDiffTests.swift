import Foundation
import Testing

@testable import TernEngine

/// `UnifiedDiff.render` against hand-written expectations, and against the real GNU
/// `diff -u` (`/usr/bin/diff`) on the same inputs: the hunks must be byte-identical.
@Suite struct UnifiedDiffTests {
    // MARK: Fixed cases

    @Test func identicalInputGivesNothing() {
        #expect(UnifiedDiff.render(old: "", new: "", oldName: "a", newName: "b") == "")
        #expect(UnifiedDiff.render(old: "x\ny\n", new: "x\ny\n", oldName: "a", newName: "b") == "")
        #expect(UnifiedDiff.render(old: "no newline", new: "no newline", oldName: "a", newName: "b") == "")
    }

    @Test func singleLineRangesHaveNoCount() {
        let diff = UnifiedDiff.render(old: "a\n", new: "b\n", oldName: "old", newName: "new")
        #expect(diff == "--- old\n+++ new\n@@ -1 +1 @@\n-a\n+b\n")
    }

    @Test func emptyToText() throws {
        let diff = UnifiedDiff.render(old: "", new: "x\ny\n", oldName: "a/f", newName: "b/f")
        #expect(diff == "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n")
        try expectSameAsGNU(old: "", new: "x\ny\n")
    }

    @Test func textToEmpty() throws {
        let diff = UnifiedDiff.render(old: "x\ny\n", new: "", oldName: "a/f", newName: "b/f")
        #expect(diff == "--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-x\n-y\n")
        try expectSameAsGNU(old: "x\ny\n", new: "")
    }

    @Test func missingNewlineOnOldSide() throws {
        let diff = UnifiedDiff.render(old: "a\nb", new: "a\nb\n", oldName: "a", newName: "b")
        #expect(diff == "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n")
        try expectSameAsGNU(old: "a\nb", new: "a\nb\n")
    }

    @Test func missingNewlineOnNewSide() throws {
        let diff = UnifiedDiff.render(old: "a\nb\n", new: "a\nc", oldName: "a", newName: "b")
        #expect(diff == "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n")
        try expectSameAsGNU(old: "a\nb\n", new: "a\nc")
    }

    @Test func missingNewlineOnBothSidesIsContext() throws {
        let diff = UnifiedDiff.render(old: "a\nb\nend", new: "A\nb\nend", oldName: "a", newName: "b")
        #expect(diff == "--- a\n+++ b\n@@ -1,3 +1,3 @@\n-a\n+A\n b\n end\n\\ No newline at end of file\n")
        try expectSameAsGNU(old: "a\nb\nend", new: "A\nb\nend")
        try expectSameAsGNU(old: "x", new: "y")
        try expectSameAsGNU(old: "", new: "y")
        try expectSameAsGNU(old: "x", new: "")
    }

    @Test func comparesBytesNotCanonicalEquivalence() throws {
        let precomposed = "caf\u{E9}\n"
        let decomposed = "cafe\u{301}\n"
        #expect(precomposed == decomposed)  // Swift's String equality says equal...
        let diff = UnifiedDiff.render(old: precomposed, new: decomposed, oldName: "a", newName: "b")
        #expect(Array(diff.utf8) == Array("--- a\n+++ b\n@@ -1 +1 @@\n-\(precomposed)+\(decomposed)".utf8))
        try expectSameAsGNU(old: "x\n" + precomposed + "y\n", new: "x\n" + decomposed + "y\n")
    }

    @Test func changeInTheMiddleOfALongFile() throws {
        let old = numbered(1...100)
        var lines = (1...100).map { "line \($0)\n" }
        lines[49] = "changed 50\n"
        let new = lines.joined()
        let diff = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b")
        #expect(
            diff == """
                --- a
                +++ b
                @@ -47,7 +47,7 @@
                 line 47
                 line 48
                 line 49
                -line 50
                +changed 50
                 line 51
                 line 52
                 line 53

                """)
        try expectSameAsGNU(old: old, new: new)
    }

    @Test func changesFarApartMakeTwoHunks() throws {
        let old = numbered(1...40)
        var lines = (1...40).map { "line \($0)\n" }
        lines[4] = "five\n"
        lines[11] = "twelve\n"  // 6 unchanged lines between: 2 * 3 + 1 would be needed to split
        lines[30] = "thirty-one\n"  // far away
        let new = lines.joined()
        let diff = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b")
        let headers = diff.split(separator: "\n").filter { $0.hasPrefix("@@") }
        #expect(headers == ["@@ -2,14 +2,14 @@", "@@ -28,7 +28,7 @@"])
        try expectSameAsGNU(old: old, new: new)
    }

    @Test func changesCloseTogetherMergeIntoOneHunk() throws {
        let old = numbered(1...30)
        var lines = (1...30).map { "line \($0)\n" }
        lines[10] = "eleven\n"
        lines[14] = "fifteen\n"
        let new = lines.joined()
        let diff = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b")
        #expect(
            diff == """
                --- a
                +++ b
                @@ -8,11 +8,11 @@
                 line 8
                 line 9
                 line 10
                -line 11
                +eleven
                 line 12
                 line 13
                 line 14
                -line 15
                +fifteen
                 line 16
                 line 17
                 line 18

                """)
        try expectSameAsGNU(old: old, new: new)
    }

    @Test func hunksSplitWhenMoreThanTwiceTheContextSeparatesThem() throws {
        let old = numbered(1...30)
        for gap in 5...8 {
            var lines = (1...30).map { "line \($0)\n" }
            lines[10] = "first\n"
            lines[11 + gap] = "second\n"
            let new = lines.joined()
            let diff = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b")
            let hunks = diff.split(separator: "\n").filter { $0.hasPrefix("@@") }.count
            #expect(hunks == (gap <= 6 ? 1 : 2), "gap \(gap)")
            try expectSameAsGNU(old: old, new: new)
        }
    }

    @Test(arguments: [0, 1, 2, 5])
    func otherContextWidths(context: Int) throws {
        let old = numbered(1...30)
        var lines = (1...30).map { "line \($0)\n" }
        lines[3] = "four\n"
        lines.insert("new after 12\n", at: 12)
        lines.remove(at: 25)
        let new = lines.joined()
        try expectSameAsGNU(old: old, new: new, context: context)
    }

    // MARK: Against GNU diff

    /// Small files over a small alphabet of lines, so that lines match in many ways and
    /// the choice among equally short edit scripts shows; some without a final newline.
    @Test func randomSmallFilesMatchGNUDiff() throws {
        var random = SplitMix64(seed: 0x7E44_D1FF)
        let alphabet = ["a\n", "b\n", "c\n", "a\n", "\n", "dd\n", "a b\n"]
        func randomText(_ random: inout SplitMix64) -> String {
            let count = random.int(below: 14)
            var text = ""
            for _ in 0..<count { text += alphabet[random.int(below: alphabet.count)] }
            if !text.isEmpty && random.int(below: 4) == 0 { text.removeLast() }
            return text
        }
        for round in 0..<300 {
            let old = randomText(&random)
            var new: String
            if random.int(below: 3) == 0 {
                new = randomText(&random)
            } else {
                // An edited copy: near-identical texts, like real changes.
                var lines = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for _ in 0..<(1 + random.int(below: 3)) {
                    let at = random.int(below: lines.count + 1)
                    switch random.int(below: 3) {
                    case 0: lines.insert(String(alphabet[random.int(below: alphabet.count)].dropLast()), at: at)
                    case 1: if at < lines.count { lines.remove(at: at) }
                    default: if at < lines.count { lines[at] = "x" }
                    }
                }
                new = lines.joined(separator: "\n")
            }
            let context = round % 5 == 0 ? random.int(below: 4) : 3
            try expectSameAsGNU(old: old, new: new, context: context, comment: "round \(round)")
        }
    }

    /// Larger files with many repeated lines (blank lines, braces), where GNU diff sets
    /// aside lines that match too many others.
    @Test func randomMediumFilesMatchGNUDiff() throws {
        var random = SplitMix64(seed: 42)
        let common = ["\n", "}\n", "{\n", "  return\n"]
        for round in 0..<20 {
            var lines: [String] = []
            for i in 0..<(200 + random.int(below: 200)) {
                lines.append(random.int(below: 3) == 0 ? common[random.int(below: common.count)] : "line \(i % 97)\n")
            }
            let old = lines.joined()
            for _ in 0..<(1 + random.int(below: 12)) {
                let at = random.int(below: lines.count)
                switch random.int(below: 3) {
                case 0: lines.insert(common[random.int(below: common.count)], at: at)
                case 1: lines.remove(at: at)
                default: lines[at] = "edited \(random.int(below: 5))\n"
                }
            }
            try expectSameAsGNU(old: old, new: lines.joined(), comment: "round \(round)")
        }
    }

    @Test func largeFileWithScatteredEdits() throws {
        var lines = (0..<20_000).map { i in i % 7 == 0 ? "\n" : "line \(i % 1_000) of the file\n" }
        let old = lines.joined()
        lines[2_345] = "an edited line\n"
        lines.insert(contentsOf: ["inserted one\n", "inserted two\n"], at: 10_000)
        lines.removeSubrange(17_500..<17_503)
        let new = lines.joined()
        let diff = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b")
        #expect(diff.split(separator: "\n").filter { $0.hasPrefix("@@") }.count == 3)
        try expectSameAsGNU(old: old, new: new)
    }

    @Test func completelyDifferentFiles() throws {
        let old = (0..<5_000).map { "old \($0)\n" }.joined()
        let new = (0..<5_000).map { "new \($0)\n" }.joined()
        try expectSameAsGNU(old: old, new: new)
    }

    /// Past `maxEditDistance` changed lines the diff is the compared region removed and
    /// added whole; here that is also what GNU diff prints.
    @Test func editDistanceCapFallsBackToWholeReplacement() throws {
        let count = UnifiedDiff.maxEditDistance / 2 + 1
        let old = "same\n" + (0..<count).map { "old \($0)\n" }.joined() + "end\n"
        let new = "same\n" + (0..<count).map { "new \($0)\n" }.joined() + "end\n"
        let diff = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b")
        #expect(diff.hasPrefix("--- a\n+++ b\n@@ -1,\(count + 2) +1,\(count + 2) @@\n same\n-old 0\n"))
        #expect(diff.hasSuffix("+new \(count - 1)\n end\n"))
        try expectSameAsGNU(old: old, new: new)
    }

    /// Random files far apart (edit distance over 10,000), where GNU diff stops searching
    /// for the best split once it costs more than its "too expensive" limit and settles
    /// for the furthest-reaching one.
    @Test func expensiveSearchMatchesGNUDiff() throws {
        var random = SplitMix64(seed: 7_000)
        let old = (0..<7_000).map { _ in "w\(random.int(below: 40))\n" }.joined()
        let new = (0..<7_000).map { _ in "w\(random.int(below: 40))\n" }.joined()
        try expectSameAsGNU(old: old, new: new)
    }

    // MARK: isBinary

    @Test func binaryDetection() {
        #expect(!UnifiedDiff.isBinary([]))
        #expect(!UnifiedDiff.isBinary(Array("plain text\n".utf8)))
        #expect(!UnifiedDiff.isBinary(Array("héllo ✓ 𝄞\n".utf8)))
        #expect(UnifiedDiff.isBinary([0x61, 0x00, 0x62]))
        #expect(UnifiedDiff.isBinary([0xFF, 0x61]))
        #expect(UnifiedDiff.isBinary([0x61, 0xC3]))  // truncated sequence
        #expect(UnifiedDiff.isBinary([0xC0, 0x80]))  // overlong NUL
        #expect(UnifiedDiff.isBinary([0xED, 0xA0, 0x80]))  // UTF-16 surrogate
        #expect(UnifiedDiff.isBinary([0xF4, 0x90, 0x80, 0x80]))  // beyond U+10FFFF
    }

    // MARK: Helpers

    private func numbered(_ range: ClosedRange<Int>) -> String {
        range.map { "line \($0)\n" }.joined()
    }

    /// Renders with `UnifiedDiff` and with `/usr/bin/diff -U context`, and expects the same
    /// bytes after the two header lines.
    private func expectSameAsGNU(
        old: String, new: String, context: Int = 3, comment: String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let ours = UnifiedDiff.render(old: old, new: new, oldName: "a", newName: "b", context: context)
        let gnu = try gnuDiff(old: old, new: new, context: context)
        let oursBody = dropHeader(Array(ours.utf8))
        let gnuBody = dropHeader(gnu)
        // Compared as bytes: String equality would hide canonically equivalent differences.
        let identical = oursBody == gnuBody
        #expect(
            identical,
            """
            \(comment) context \(context)
            old: \(String(reflecting: old))
            new: \(String(reflecting: new))
            ours:
            \(String(decoding: oursBody, as: UTF8.self))
            GNU:
            \(String(decoding: gnuBody, as: UTF8.self))
            """,
            sourceLocation: sourceLocation)
    }

    private func dropHeader(_ output: [UInt8]) -> [UInt8] {
        var newlines = 0
        for (index, byte) in output.enumerated() where byte == UInt8(ascii: "\n") {
            newlines += 1
            if newlines == 2 { return Array(output[(index + 1)...]) }
        }
        return output
    }

    private func gnuDiff(old: String, new: String, context: Int) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tern-unified-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let oldURL = directory.appendingPathComponent("old")
        let newURL = directory.appendingPathComponent("new")
        try Data(old.utf8).write(to: oldURL)
        try Data(new.utf8).write(to: newURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
        process.arguments = ["-U", String(context), oldURL.path, newURL.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == (old.utf8.elementsEqual(new.utf8) ? 0 : 1))
        return Array(data)
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small seeded generator, so every run
/// tests the same cases.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
