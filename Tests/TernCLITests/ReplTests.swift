import Foundation
import Testing
import TernLab

/// `tern repl` with its input on standard input (no terminal): the same
/// language and engine as playbooks, on real lab hosts (127.0.75.x).
@Suite(.serialized) struct ReplTests {
    func withLab(_ body: (LabState, String) throws -> Void) throws {
        try TestLab.with(subnet: "127.0.75", body)
    }

    /// Runs a session: the lines on standard input, then end of file.
    func repl(_ lab: LabState, _ lines: [String], _ extra: [String] = [], environment: [String: String] = [:]) throws -> TernProcess.Result {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("repl-in-\(UUID().uuidString)").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        return try TernProcess.run(["repl", "--lab", "--lab-dir", lab.directory] + extra, environment: environment, stdin: input)
    }

    @Test func valuesDefinitionsAndErrorsPointingIntoTheInput() throws {
        try withLab { lab, _ in
            let r = try repl(lab, [
                "1 + 2",
                "let xs = [1, 2,",
                "  3]",
                "xs",
                "lab",
                "lab2.address",
                "\"a\" + \"b\"",
                "nosuch + 1",
                "let broken = 1 +",
                "  \"x\"",
                "secret token from env \"REPL_TOKEN\"",
                "token",
                "len(xs)",
            ], environment: ["REPL_TOKEN": "very-secret-token-value"])
            #expect(r.status == 0, "\(r.stderr)")
            for expected in ["3  (int)", "[1, 2, 3]  (list)", "[lab1, lab2, lab3]  (hosts)", "\"127.0.75.2\"  (string)", "\"ab\"  (string)", "***  (secret)", "3  (int)"] {
                #expect(r.stdout.contains(expected), "\(expected) in \(r.stdout)")
            }
            #expect(r.stderr.contains("<input>:1:1: error: unknown name 'nosuch'"), "\(r.stderr)")
            // The second line of a two-line input is line 2 of <input>.
            #expect(r.stderr.contains("<input>:"), "\(r.stderr)")
            #expect(!(r.stdout + r.stderr).contains("very-secret-token-value"))
        }
    }

    @Test func onRunsActionsNowWithChecksAndPlanMode() throws {
        try withLab { lab, scratch in
            let saved = scratch + "/saved.tern"
            let r = try repl(lab, [
                "on lab run \"hostname\"",
                "use file",
                ":mode plan",
                "on lab1 file.content \"/tmp/repl-hello\", content: \"hi\\n\"",
                ":mode apply",
                "on lab1 file.content \"/tmp/repl-hello\", content: \"hi\\n\"",
                "on lab1 file.content \"/tmp/repl-hello\", content: \"hi\\n\"",
                "on lab - lab1 run \"false\"",
                ":hosts",
                ":vars lab3",
                ":facts lab - lab1",
                ":facts 42",
                ":save \(saved)",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            let out = r.stdout
            for h in ["lab1", "lab2", "lab3"] { #expect(out.contains("\(h) | changed"), "\(out)") }
            #expect(out.contains("lab1 | will change"), "plan mode: \(out)")
            #expect(out.contains("+hi"), "plan shows the diff: \(out)")
            #expect(out.contains("lab1 | changed") && out.contains("lab1 | ok"), "\(out)")
            #expect(out.contains("lab2 | failed") && out.contains("lab3 | failed"), "\(out)")
            #expect(out.contains("gluster_address = \"127.0.75.3\""), "\(out)")
            #expect(out.contains("saved 1 definition and 2 steps"), "\(out)")
            #expect(out.contains("lab2\n  arch = ") && out.contains("lab3\n  arch = "), "\(out)")
            #expect(out.contains("init_system = none") && out.contains("os_family = debian"), "\(out)")
            #expect(out.contains("'42' is not a host or a set of hosts"), "\(out)")
            let file = try String(contentsOfFile: saved, encoding: .utf8)
            #expect(file.contains("run \"hostname\""))
            #expect(!file.contains("run \"false\""), "a failed action is not saved")
            let check = try TernProcess.run(["check", saved])
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        }
    }

    @Test func aPlaybookIsLoadedAndItsStepsPlannedOrApplied() throws {
        try withLab { lab, _ in
            let playbook = TernProcess.repository.appendingPathComponent("playbooks/lab-basics.tern").path
            let r = try repl(lab, [
                ":steps",
                "leader",
                ":plan app_dir",
                ":apply app_dir",
                ":plan app_dir",
                ":nosuch",
            ], ["-i", lab.inventoryPath, playbook], environment: ["APP_TOKEN": "repl-app-token-secret"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("app_config  on lab1, lab2, lab3  after app_dir"), "\(r.stdout)")
            #expect(r.stdout.contains("lab1  (host)"), "\(r.stdout)")
            #expect(r.stdout.contains("app_dir @ lab1 | will change"), "\(r.stdout)")
            #expect(r.stdout.contains("app_dir @ lab1 | changed"), "\(r.stdout)")
            #expect(r.stdout.contains("app_dir @ lab1 | ok"), "\(r.stdout)")
            #expect(r.stdout.contains("unknown command :nosuch"), "\(r.stdout)")
            #expect(!(r.stdout + r.stderr).contains("repl-app-token-secret"))
        }
    }
}
