import Foundation
import TernLang
import TernSource
import Testing

/// No input may crash or hang the planner: whatever the bytes, `Planner.plan`
/// returns a `PlanResult` (errors are fine) in bounded time.
///
/// The inputs are every file of `playbooks/` and `stdlib/`, mutated
/// deterministically — truncated, with a token or line deleted or
/// duplicated, with a bracket, quote or separator inserted — and a list of
/// pathological texts. Positions come from a linear congruential generator
/// seeded with the file's name, so every run plans exactly the same inputs.
///
/// A crash kills the whole test process, so known crashes are listed at
/// the end of this file and left out until they are fixed.
@Suite(.timeLimit(.minutes(5))) struct RobustnessTests {
    /// The most inputs one test plans for one file.
    static let mutationsPerKind = 320
    /// Longer than this for one mutated playbook counts as a hang.
    static let slowMutation: Duration = .seconds(10)

    // MARK: mutations of the repository's files

    @Test(arguments: Corpus.files)
    func truncatedAnywhere(_ file: Corpus.File) {
        var rng = LCG(seed: file.name)
        // Every token boundary, then random bytes (which may split a
        // character, a string or a `${`).
        var cuts = Set(file.tokenStarts + file.tokenEnds)
        for _ in 0..<64 { cuts.insert(rng.next(below: file.bytes.count + 1)) }
        let chosen = rng.sample(cuts.sorted(), Self.mutationsPerKind)
        Self.planAll(file, chosen.map { Array(file.bytes[..<$0]) })
    }

    @Test(arguments: Corpus.files)
    func aTokenDeletedOrDuplicated(_ file: Corpus.File) {
        var rng = LCG(seed: file.name)
        var inputs: [[UInt8]] = []
        for t in rng.sample(Array(file.tokenStarts.indices), Self.mutationsPerKind / 2) {
            let range = file.tokenStarts[t]..<file.tokenEnds[t]
            var deleted = file.bytes
            deleted.removeSubrange(range)
            var duplicated = file.bytes
            duplicated.insert(contentsOf: file.bytes[range], at: range.lowerBound)
            inputs += [deleted, duplicated]
        }
        Self.planAll(file, inputs)
    }

    @Test(arguments: Corpus.files)
    func aLineDeletedOrDuplicated(_ file: Corpus.File) {
        var rng = LCG(seed: file.name)
        let lines = file.lineRanges
        var inputs: [[UInt8]] = []
        for l in rng.sample(Array(lines.indices), Self.mutationsPerKind / 2) {
            var deleted = file.bytes
            deleted.removeSubrange(lines[l])
            var duplicated = file.bytes
            duplicated.insert(contentsOf: file.bytes[lines[l]], at: lines[l].lowerBound)
            inputs += [deleted, duplicated]
        }
        Self.planAll(file, inputs)
    }

    /// Text that opens or closes something, inserted where it does not belong.
    static let insertions = ["{", "}", "(", ")", "[", "]", "\"", "\"\"\"", "${", ",", ":", "=", "/", "\\"]

    @Test(arguments: Corpus.files)
    func aDelimiterInserted(_ file: Corpus.File) {
        var rng = LCG(seed: file.name)
        let positions = file.tokenStarts + (0..<32).map { _ in rng.next(below: file.bytes.count + 1) }
        var inputs: [[UInt8]] = []
        for snippet in Self.insertions {
            for p in rng.sample(positions, Self.mutationsPerKind / Self.insertions.count) {
                var mutated = file.bytes
                mutated.insert(contentsOf: Array(snippet.utf8), at: p)
                inputs.append(mutated)
            }
        }
        Self.planAll(file, inputs)
    }

    @Test func theCorpusIsTheRepository() {
        #expect(Corpus.files.count >= 10)
        #expect(Corpus.files.allSatisfy { !$0.tokenStarts.isEmpty })
    }

    /// Plans each input as if it were the file, where it is (so that its
    /// `inventory` and `use` lines resolve); records slow ones.
    static func planAll(_ file: Corpus.File, _ inputs: [[UInt8]]) {
        let clock = ContinuousClock()
        var planned = 0
        for bytes in inputs {
            let text = String(decoding: bytes, as: UTF8.self)
            if KnownCrash.matches(text) { continue }
            let elapsed = clock.measure {
                _ = Planner.plan(path: file.path, text: text, options: Self.options())
            }
            planned += 1
            if elapsed > slowMutation {
                Issue.record("\(file.name): planning took \(elapsed) for \(text.debugDescription)")
            }
        }
        #expect(planned > inputs.count / 2)
    }

    static func options() -> PlanOptions {
        var o = PlanOptions()
        o.stdlibPath = GoldenFiles.repository.appendingPathComponent("stdlib").path
        o.baseDirectory = GoldenFiles.repository.path
        o.environment = ["HEKETI_ADMIN_KEY": "admin", "HEKETI_USER_KEY": "user"]
        return o
    }

    // MARK: pathological inputs

    struct Pathological: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        /// True when the input is valid and must plan without errors, false
        /// when it must be reported, nil when either is right.
        var valid: Bool? = false
        var testDescription: String { name }
    }

    static func repeated(_ s: String, _ n: Int) -> String { String(repeating: s, count: n) }

    static let host = "host h { address: \"127.0.0.1\" }\n"
    static let step = "step s on h { run \"true\", unless: \"true\" }\n"
    static let megabyte = 1 << 20

    static let pathological: [Pathological] = [
        // nesting
        .init(name: "10,000 (", text: "let x = " + repeated("(", 10_000)),
        .init(name: "10,000 ( balanced", text: host + "let x = " + repeated("(", 10_000) + "1" + repeated(")", 10_000) + "\n" + step),
        .init(name: "10,000 [", text: "let x = " + repeated("[", 10_000)),
        .init(name: "10,000 [ balanced", text: host + "let x = " + repeated("[", 10_000) + repeated("]", 10_000) + "\n" + step),
        .init(name: "10,000 { at top level", text: repeated("{", 10_000)),
        .init(name: "10,000 { in an expression", text: "let x = " + repeated("{a: ", 10_000) + "1" + repeated("}", 10_000)),
        .init(name: "10,000 { in a step", text: host + "step s on h {\n" + repeated("{", 10_000) + "\n}\n"),
        .init(name: "10,000 } in a step", text: host + "step s on h {\n" + repeated("}", 10_000) + "\n"),
        .init(name: "10,000 ${ nested", text: "let x = " + repeated("\"${", 10_000)),
        .init(name: "10,000 ${ nested and closed", text: "let x = " + repeated("\"${", 10_000) + "1" + repeated("}\"", 10_000)),
        .init(name: "10,000 ${ in a multi-line string", text: "let x = \"\"\"\n" + repeated("${", 10_000) + "\n\"\"\"\n"),
        .init(name: "10,000 ${x} in one string", text: host + "let x = 1\nlet y = \"" + repeated("${x}", 10_000) + "\"\n" + step, valid: true),
        .init(name: "10,000 not", text: "let x = " + repeated("not ", 10_000) + "true"),
        .init(name: "10,000 unary minus", text: "let x = " + repeated("-", 10_000) + "1"),
        .init(name: "10,000 conditionals", text: "let x = 1" + repeated(" if true else 1", 10_000)),
        .init(name: "10,000 unclosed calls", text: "let x = " + repeated("f(", 10_000)),
        .init(name: "500 nested ifs", text: host + "step s on h {\n" + repeated("if true {\n", 500) + "run \"true\", unless: \"true\"\n" + repeated("}\n", 500) + "}\n", valid: true),
        .init(name: "200 chained else ifs", text: host + "step s on h {\n  if false {}\n" + repeated("  else if false {}\n", 200) + "  run \"true\", unless: \"true\"\n}\n", valid: true),
        .init(name: "150 terms of +", text: host + "let x = " + Array(repeating: "1", count: 150).joined(separator: " + ") + "\n" + step, valid: true),
        .init(name: "1 MB of + on one line", text: host + "let x = " + repeated("1+", megabyte / 2) + "1\n" + step, valid: nil),
        .init(name: "1 MB of . on one line", text: host + "let x = h" + repeated(".a", megabyte / 2) + "\n" + step, valid: nil),
        .init(name: "100,000 calls in a chain", text: host + "let x = f" + repeated("()", 100_000) + "\n" + step, valid: nil),
        .init(name: "100,000 indexes in a chain", text: host + "let x = [1]" + repeated("[0]", 100_000) + "\n" + step, valid: nil),
        .init(name: "100,000 and", text: host + "let x = true" + repeated(" and true", 100_000) + "\n" + step, valid: nil),
        .init(name: "10,000 nested ifs", text: host + "step s on h {\n" + repeated("if true {\n", 10_000) + repeated("}\n", 10_000) + "}\n", valid: nil),
        .init(name: "10,000 nested fors", text: host + "step s on h {\n" + repeated("for i in [1] {\n", 10_000) + repeated("}\n", 10_000) + "}\n", valid: nil),
        .init(name: "10,000 chained else ifs", text: host + "step s on h {\n  if false {}\n" + repeated("  else if false {}\n", 10_000) + "}\n", valid: nil),
        // size
        .init(name: "1 MB string on one line", text: host + "let x = \"" + repeated("a", megabyte) + "\"\n" + step, valid: true),
        .init(name: "1 MB comment on one line", text: "# " + repeated("x", megabyte) + "\n" + host + step, valid: true),
        .init(name: "1 MB list on one line", text: host + "let x = [" + repeated("1,", megabyte / 2) + "]\n" + step, valid: true),
        .init(name: "1 MB of names on one line", text: host + "step s on h { " + repeated("x ", megabyte / 2) + "}\n"),
        .init(name: "1 MB unterminated string", text: "let x = \"" + repeated("a", megabyte)),
        .init(name: "1 MB of digits", text: "let x = " + repeated("9", megabyte)),
        .init(name: "100,000 empty lines", text: repeated("\n", 100_000) + host + step, valid: true),
        .init(name: "100,000 semicolons", text: host + repeated(";", 100_000) + step, valid: true),
        .init(name: "100,000 doc comments", text: repeated("/// doc\n", 100_000), valid: nil),
        // strings
        .init(name: "only \"\"\"", text: "\"\"\""),
        .init(name: "only \"", text: "\""),
        .init(name: "\"\"\" twice", text: "\"\"\"\"\"\""),
        .init(name: "let with only \"\"\"", text: "let x = \"\"\""),
        .init(name: "\"\"\" then text", text: "let x = \"\"\"abc\ndef"),
        .init(name: "${ at the end", text: "let x = \"${"),
        .init(name: "${} empty", text: "let x = \"${}\""),
        .init(name: "bad unicode escapes", text: "let x = \"\\u{110000} \\u{D800} \\u{} \\u{FFFFFFFFF} \\u\""),
        .init(name: "backslash at the end", text: "let x = \"\\"),
        .init(name: "backslash then newline at the end", text: "let x = 1 + \\\n"),
        // bytes
        .init(name: "NUL bytes", text: "let x\0 = \"a\0b\"\n\0\0\0" + host + step),
        .init(name: "only NUL bytes", text: repeated("\0", 1000)),
        .init(name: "replacement characters", text: "let \u{FFFD} = \"\u{FFFD}\"\n\u{FFFD}"),
        .init(name: "CR only", text: "let x = 1\rlet y = 2\r"),
        .init(name: "CRLF", text: host.replacingOccurrences(of: "\n", with: "\r\n") + step.replacingOccurrences(of: "\n", with: "\r\n"), valid: true),
        .init(name: "emoji and combining marks", text: "let 😀 = \"e\u{301}\"\nlet x = \"😀\u{301}\u{301}\""),
        // numbers
        .init(name: "huge integer", text: "let x = 99999999999999999999999"),
        .init(name: "huge duration", text: "let x = 99999999999999999d"),
        .init(name: "duration overflowing in its unit", text: "let x = 9999999999999999d"),
        .init(name: "int overflow", text: host + "let x = 9223372036854775807 + 1\n" + step),
        .init(name: "int underflow", text: host + "let x = 0 - 9223372036854775807 - 2\n" + step),
        .init(name: "int product overflow", text: host + "let x = 3037000500 * 3037000500\n" + step),
        .init(name: "negating the smallest int", text: host + "let x = -(0 - 9223372036854775807 - 1)\n" + step),
        .init(name: "smallest int divided by -1", text: host + "let x = (0 - 9223372036854775807 - 1) / (0 - 1)\n" + step),
        .init(name: "smallest int modulo -1", text: host + "let x = (0 - 9223372036854775807 - 1) % (0 - 1)\n" + step),
        .init(name: "range wider than an int", text: host + "let x = range(0 - 9223372036854775807, 9223372036854775807)\n" + step),
        .init(name: "duration difference overflowing", text: host + "let x = 1ms * 9223372036854775807 - 1ms * (0 - 9223372036854775807)\n" + step, valid: nil),
        .init(name: "smallest duration divided by -1", text: host + "let x = (1ms * (0 - 9223372036854775807 - 1)) / (0 - 1)\n" + step, valid: nil),
        .init(name: "duration product overflowing", text: host + "let x = 1d * 9223372036854775807\n" + step, valid: nil),
        // evaluation that does not end by itself
        .init(name: "a recipe that recurses forever", text: host + "recipe r(n) { r(n + 1) }\nstep s on h { r(0) }\n"),
        .init(name: "a function that recurses forever", text: host + "fn f(n) { return f(n + 1) }\nlet x = f(0)\n" + step),
        .init(name: "two functions that call each other", text: host + "fn f() { return g() }\nfn g() { return f() }\nlet x = f()\n" + step),
        .init(name: "a global that needs itself", text: host + "let a = b\nlet b = [a]\n" + step),
        .init(name: "a group that contains itself", text: host + "group g { hosts: [g] }\n" + step),
        .init(name: "two groups that contain each other", text: host + "group a { hosts: [b] }\ngroup b { children: [a] }\n" + step),
        .init(name: "a step after itself", text: host + "step s on h after s { run \"true\", unless: \"true\" }\n"),
        .init(name: "a module that uses itself", text: "use \"./main.tern\" as me\n" + host + step),
        .init(name: "for over range(100000) nested 3 deep", text: host + """
            step s on h {
              for i in range(100000) {
                for j in range(100000) {
                  for k in range(100000) {
                    let x = k
                  }
                }
              }
            }
            """),
        // large but valid
        .init(name: "1,000 hosts", text: (0..<1000).map { "host h\($0)\n" }.joined() + "step s on all, serial: 3 { run \"true\", unless: \"true\" }\n", valid: true),
        .init(name: "1,000 steps in a chain", text: host + (0..<1000).map { "step s\($0) on h\($0 > 0 ? " after s\($0 - 1)" : "") { run \"true\", unless: \"true\" }\n" }.joined(), valid: true),
        .init(name: "1,000 steps in a cycle", text: host + (0..<1000).map { "step s\($0) on h after s\(($0 + 1) % 1000) { run \"true\", unless: \"true\" }\n" }.joined()),
        .init(name: "5,000 groups in a chain", text: host + (0..<5000).map { "group g\($0) { hosts: [g\($0 + 1)] }\n" }.joined() + "group g5000 { hosts: [h] }\n" + step, valid: nil),
        .init(name: "5,000 lets in a chain", text: host + (0..<5000).map { "let a\($0) = a\($0 + 1)\n" }.joined() + "let a5000 = 1\n" + step, valid: nil),
        .init(name: "5,000 functions calling the next", text: host + (0..<5000).map { "fn f\($0)() { return f\($0 + 1)() }\n" }.joined() + "fn f5000() { return 1 }\nlet x = f0()\n" + step),
    ]

    @Test(arguments: pathological)
    func pathologicalInput(_ input: Pathological) {
        let clock = ContinuousClock()
        let start = clock.now
        let result = Planner.plan(path: "/nonexistent-tern-dir/main.tern", text: input.text, options: Self.options())
        switch input.valid {
        case true?: #expect(result.errorCount == 0, "\(DiagnosticRenderer().render(Array(result.diagnostics.prefix(3))))")
        case false?: #expect(result.errorCount > 0)
        case nil: #expect(result.errorCount > 0 || result.graph != nil)
        }
        #expect(clock.now - start < .seconds(120))
    }

    /// Bytes that are not UTF-8 are read from a file, the way the tool reads
    /// a playbook, and decode with replacement characters.
    static let invalidSequences: [[UInt8]] = [
        [0xFF, 0xFE, 0xFD],
        [0x80, 0x80, 0x80],
        [0xE2, 0x82],
        [0xC0, 0xAF],
        [0xED, 0xA0, 0x80],
        [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80],
    ]

    @Test(arguments: invalidSequences)
    func invalidUTF8(_ bad: [UInt8]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tern-robust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = [
            "BAD", "let x = \"BAD\"\n", "let xBAD = 1\n", "# BAD\n", "let x = \"\"\"\nBAD\n\"\"\"\n", "let x = \"${BAD}\"\n",
            "host \"BAD\" { address: \"BAD\" }\nstep s on all { run \"echo BAD\", unless: \"true\" }\n",
        ]
        for (i, template) in templates.enumerated() {
            var bytes: [UInt8] = []
            for part in template.split(separator: "BAD", omittingEmptySubsequences: false).enumerated() {
                if part.offset > 0 { bytes += bad }
                bytes += Array(part.element.utf8)
            }
            let path = dir.appendingPathComponent("case\(i).tern").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            let result = Planner.plan(path: path, options: Self.options())
            #expect(result.errorCount > 0 || result.graph != nil)
        }
    }

    /// Ansible groups nested through `children`, a few hundred deep.
    @Test func deeplyNestedAnsibleGroups() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tern-robust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let depth = 200
        var yaml = "all:\n  children:\n"
        for i in 0..<depth { yaml += "    g\(i):\n      children:\n        g\(i + 1): {}\n" }
        yaml += "    g\(depth):\n      hosts:\n        h1: {}\n"
        try yaml.write(to: dir.appendingPathComponent("hosts.yml"), atomically: true, encoding: .utf8)
        let text = "inventory \"hosts.yml\"\nstep s on g0 { run \"true\", unless: \"true\" }\n"
        let clock = ContinuousClock()
        let start = clock.now
        let result = Planner.plan(path: dir.appendingPathComponent("main.tern").path, text: text, options: Self.options())
        #expect(result.errorCount == 0, "\(DiagnosticRenderer().render(result.diagnostics))")
        #expect(result.graph?.nodes.map(\.ref.host) == ["h1"])
        #expect(clock.now - start < .seconds(10))
    }

    /// `-p` values the parameter's type cannot parse are errors, not crashes.
    static let paramValues: [(String, String)] = [
        ("n", "99999999999999999999"), ("n", ""), ("n", "-"), ("n", "0x10"), ("n", "١٢"),
        ("d", ""), ("d", "s"), ("d", "1"), ("d", "1x"), ("d", "-1s"), ("d", "1s-"), ("d", "99999999999999999999s"),
        ("b", "TRUE"), ("b", ""),
        ("d", "99999999999999999999d"),
        ("l", "["), ("l", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["), ("l", "{}"),
        ("l", String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)),
        ("m", "{\"a\": }"), ("m", "[]"), ("m", "\u{0}"),
    ]

    @Test(arguments: paramValues)
    func badParamValue(_ name: String, _ value: String) {
        var options = Self.options()
        options.params = [(name, value)]
        let text = Self.host + """
            param n = 1
            param d = 1s
            param b = false
            param l = []
            param m = {}
            step s on h { run "echo ${n} ${d} ${b} ${len(l)} ${len(m)}", unless: "true" }
            """
        let result = Planner.plan(path: "/nonexistent-tern-dir/main.tern", text: text, options: options)
        #expect(result.diagnostics.map(\.id) == ["bad-parameter"])
    }

}

/// Inputs that are known to crash the planner, recognised so that the
/// mutation tests can step over them until the bug is fixed.
enum KnownCrash {
    /// A block whose last token is a name followed by blanks or a comment
    /// and then the end of the file, such as `step s on h { x ` — the
    /// parser reads past its last token while deciding whether `x` starts
    /// a command (Parser+Statements.swift, `tokens[look + 1]`).
    static func matches(_ text: String) -> Bool {
        var lexer = Lexer(file: SourceFile(path: "probe", text: text))
        let tokens = lexer.tokenize()
        guard tokens.count >= 2, let eof = tokens.last, case .identifier = tokens[tokens.count - 2].kind else { return false }
        return eof.spaceBefore && !eof.atLineStart
    }
}

// MARK: - known crashes, left out of the tests above until fixed
//
// Each kills the process (debug build, `tern check`):
//
//   step s on h { x            (a name, then blanks or a comment, then the end of the file,
//                               inside a block: Index out of range in
//                               Parser.parseCommandOrExpression, `tokens[look + 1]`;
//                               the mutation tests skip such inputs, see `KnownCrash`)
//   -p d=99999999999999999d    (for `param d = 1s`: arithmetic overflow in
//                               the -p duration parser, `total += n * f`)
//
// And one hang: Ansible groups chained through `children` take cubic time
// (InventoryEvaluation.importAnsible's recursive `members`, which copies
// `seen` at each level and looks groups up by a linear search): 400 deep
// take 1.5 s, 800 take 14 s, 5,000 did not finish in 5 minutes.

// MARK: - corpus and generator

/// The repository's playbooks, inventories and modules, with the byte
/// offsets where their tokens and lines start and end.
enum Corpus {
    struct File: Sendable, CustomTestStringConvertible {
        let name: String
        let path: String
        let bytes: [UInt8]
        let tokenStarts: [Int]
        let tokenEnds: [Int]
        /// Each line with its line break.
        let lineRanges: [Range<Int>]
        var testDescription: String { name }

        init(name: String, path: String, bytes: [UInt8]) {
            self.name = name
            self.path = path
            self.bytes = bytes
            var lexer = Lexer(file: SourceFile(path: name, text: String(decoding: bytes, as: UTF8.self)))
            let tokens = lexer.tokenize().dropLast()
            tokenStarts = tokens.map(\.span.start)
            tokenEnds = tokens.map(\.span.end)
            var lines: [Range<Int>] = []
            var start = 0
            for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
                lines.append(start..<(i + 1))
                start = i + 1
            }
            if start < bytes.count { lines.append(start..<bytes.count) }
            lineRanges = lines
        }
    }

    static let files: [File] = {
        let root = GoldenFiles.repository
        var out: [File] = []
        for folder in ["playbooks", "stdlib"] {
            let dir = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: dir.path) else { continue }
            for case let relative as String in walker {
                let path = dir.appendingPathComponent(relative).path
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    let data = FileManager.default.contents(atPath: path)
                else { continue }
                out.append(File(name: folder + "/" + relative, path: path, bytes: Array(data)))
            }
        }
        return out.sorted { $0.name < $1.name }
    }()
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants), seeded
/// from a string with FNV-1a: the same seed gives the same inputs on every
/// run and every platform, unlike `Hasher` or the system generator.
struct LCG {
    private var state: UInt64

    init(seed: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in seed.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        state = h
    }

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }

    /// A number in `0..<n` (n > 0).
    mutating func next(below n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// `k` elements of `xs`, distinct by position and in their original order.
    mutating func sample<T>(_ xs: [T], _ k: Int) -> [T] {
        guard xs.count > k else { return xs }
        var indices = Array(xs.indices)
        for i in 0..<k {
            indices.swapAt(i, i + next(below: indices.count - i))
        }
        return indices[..<k].sorted().map { xs[$0] }
    }
}
