import Foundation
import Testing
import TernEngine
import TernPlan

/// The batch script through a real `/bin/sh`: each check's output, errors
/// and status come back apart, whatever the checks print or do.
@Suite struct CheckScriptTests {
    func sh(_ script: String) throws -> CommandResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-s"]
        let input = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardOutput = out
        p.standardError = err
        try p.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CommandResult(stdout: Array(o), stderr: Array(e), exitStatus: p.terminationStatus, durationMillis: 0)
    }

    @Test func checksComeBackApart() throws {
        let checks = [
            "true",
            "echo out; echo err >&2; exit 3",
            "printf 'no newline'",
            "exit 1",
            "read x; echo \"read:$x\"",  // stdin is closed: reads nothing, and the script is not eaten
            "echo 'TERN-fake 9 0'; printf '\\n'",
            "cd /; set -e; false; echo never",
            "echo last",
        ]
        let token = CheckScript.randomToken()
        let r = try sh(CheckScript.script(checks, token: token))
        let outcomes = CheckScript.split(r, count: checks.count, token: token)
        #expect(outcomes.count == checks.count)
        let o = outcomes.map { $0! }
        #expect(o.map(\.exitStatus) == [0, 3, 0, 1, 0, 0, 1, 0])
        #expect(o[1].stdout == "out\n")
        #expect(o[1].stderr == "err\n")
        #expect(o[2].stdout == "no newline")
        #expect(o[4].stdout == "read:\n")
        #expect(o[5].stdout == "TERN-fake 9 0\n\n")
        #expect(o[7].stdout == "last\n")
        #expect(o[0].satisfied && !o[1].satisfied)
    }

    @Test func aCheckWithASyntaxErrorFailsAlone() throws {
        let token = CheckScript.randomToken()
        let r = try sh(CheckScript.script(["test \"x", "true", "echo \"it's ok\"; exit 0", "exit 4"], token: token))
        let o = CheckScript.split(r, count: 4, token: token)
        #expect(o[0] != nil && o[0]?.exitStatus != 0)
        #expect(o[1]?.exitStatus == 0)
        #expect(o[2]?.stdout == "it's ok\n")
        #expect(o[3]?.exitStatus == 4)
    }

    @Test func aKilledBatchLeavesTheRestUnknown() throws {
        let token = CheckScript.randomToken()
        let r = try sh(CheckScript.script(["true", "kill -9 $$", "true"], token: token))
        let outcomes = CheckScript.split(r, count: 3, token: token)
        #expect(outcomes[0]?.exitStatus == 0)
        #expect(outcomes[1] == nil && outcomes[2] == nil)
    }

    @Test func fileCheckComparesContentModeAndOwner() throws {
        let dir = NSTemporaryDirectory() + "/tern-filecheck-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/it's a file"
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o640)
        let user = String(cString: getpwuid(getuid())!.pointee.pw_name)
        func check(_ content: String, mode: String? = nil, owner: String? = nil) throws -> Int32 {
            try sh(FileCheck.script(path: path, content: Array(content.utf8), mode: mode, owner: owner, group: nil)).exitStatus
        }
        #expect(try check("hello\n") == 0)
        #expect(try check("hello") != 0)
        #expect(try check("hello\n", mode: "0640") == 0)
        #expect(try check("hello\n", mode: "0644") != 0)
        #expect(try check("hello\n", owner: user) == 0)
        #expect(try check("hello\n", owner: String(getuid())) == 0)
        #expect(try check("hello\n", owner: "no-such-user-x") != 0)
        #expect(try sh(FileCheck.script(path: dir + "/missing", content: [], mode: nil, owner: nil, group: nil)).exitStatus != 0)
    }

    @Test func factsParse() throws {
        let r = try sh(FactScript.command)
        let facts = FactScript.parse(r.stdoutText)
        #expect(r.exitStatus == 0)
        #expect(Set(facts.keys) == ["os_family", "os_id", "os_version", "pkg_manager", "init_system", "arch", "hostname", "kernel"])
        #expect(facts["os_family"] == "debian")
        #expect(facts["pkg_manager"] == "apt")
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #expect(facts["kernel"] == release)
        #expect(facts["arch"] == machine)
    }
}
