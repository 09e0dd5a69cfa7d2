import Foundation
import TernPlan
import Testing

/// `ShellQuote.quote` yields exactly one shell word whatever the value. The
/// proof is a real `/bin/sh`: `printf '%s\n' WORD` prints each argument on
/// its own line, so output equal to the input plus one newline means the
/// shell saw one word, expanded nothing and ran nothing.
@Suite struct ShellQuoteTests {
    @Test(arguments: [
        "plain",
        "/etc/heketi/heketi.json",
        "it's",
        "say \"hi\"",
        "both ' and \"",
        "$(rm -rf /)",
        "${HOME}",
        "$HOME",
        "`rm -rf /`",
        "line one\nline two",
        "trailing newline\n",
        "a; rm -rf /",
        "true && rm -rf /",
        "a || b | c",
        "*",
        "/etc/*.conf",
        "file?.[ch]",
        "-rf",
        "--force",
        "héllo ✓",
        "",
        "'",
        "''",
        "\\",
        "back\\slash \\n",
        "tab\there",
        "~root",
        "a > /tmp/x < /dev/null",
        "#comment",
        "{a,b}",
        "!!",
        "key=value with space",
    ])
    func quotedValueIsOneLiteralShellWord(value: String) throws {
        let word = ShellQuote.quote(value)
        let output = try ShellProcess.run("printf '%s\\n' " + word)
        #expect(output.status == 0)
        #expect(output.stdout == value + "\n", "quoted as \(word)")
    }

    @Test func safeWordsStayBareAndOthersAreQuoted() {
        #expect(ShellQuote.quote("glusterfs-server") == "glusterfs-server")
        #expect(ShellQuote.quote("/etc/heketi/heketi_key") == "/etc/heketi/heketi_key")
        #expect(ShellQuote.quote("") == "''")
        #expect(ShellQuote.quote("a b") == "'a b'")
        #expect(ShellQuote.quote("it's") == "'it'\\''s'")
    }

    @Test func joinQuotesEachWord() throws {
        let words = ["one", "two words", "$(three)", ""]
        let output = try ShellProcess.run("printf '%s\\n' " + ShellQuote.join(words))
        #expect(output.stdout == words.map { $0 + "\n" }.joined())
    }
}

/// Runs a command line through `/bin/sh -c` as a real process.
enum ShellProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ commandLine: String) throws -> Output {
        try run("/bin/sh", ["-c", commandLine])
    }

    /// Runs an executable and waits for it. Standard output and error go to
    /// temporary files rather than pipes, so a chatty process can never
    /// block on a full pipe while we wait for it to exit.
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("tern-plan-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("stdout")
        let err = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()

        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// The full path of a program on `PATH` (plus the usual system
    /// directories), or nil.
    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin"]
        for dir in dirs {
            let candidate = dir + "/" + program
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
