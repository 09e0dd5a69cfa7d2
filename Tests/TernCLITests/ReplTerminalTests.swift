import Foundation
import Testing
import TernLab

/// `tern repl` at a real terminal: scripted sessions through a
/// pseudo-terminal (Fixtures/pty_session.py), so libedit edits the lines —
/// tab completion, history across runs, continuation prompts, Ctrl-C at the
/// prompt and while `on ...` runs, Ctrl-D, `:save`. Every wait is bounded
/// (the script's steps, and the script itself); keys are typed only while
/// the line editor reads (the terminal is in its non-canonical mode), so
/// nothing depends on timing.
@Suite(.serialized) struct ReplTerminalTests {
    static let subnet = "127.0.72"

    // MARK: the sessions

    /// One step of a session script (see pty_session.py).
    enum Step {
        /// Keys, typed once the line editor reads; `now`: at once.
        case send(String, now: Bool = false)
        /// Waits until the output after the last match contains the text.
        case expect(String, timeout: Double = 30)
        case expectAll([String], timeout: Double = 30)
        /// Runs a command until it exits 0 (the terminal is read meanwhile).
        case poll([String], timeout: Double = 40)
        /// Runs a command once; it must exit 0.
        case run([String], timeout: Double = 40)
        /// Waits until the program exits.
        case exit(timeout: Double = 30)

        var json: [String: Any] {
            switch self {
            case .send(let keys, let now): return ["send": keys, "now": now]
            case .expect(let text, let t): return ["expect": text, "timeout": t]
            case .expectAll(let texts, let t): return ["expect_all": texts, "timeout": t]
            case .poll(let command, let t): return ["poll": command, "timeout": t, "interval": 0.1]
            case .run(let command, let t): return ["run": command, "timeout": t]
            case .exit(let t): return ["exit": true, "timeout": t]
            }
        }
    }

    struct Report {
        var ok: Bool
        var error: String?
        var exitStatus: Int?
        var signal: Int?
        /// What the terminal showed, escape sequences and carriage returns removed.
        var transcript: String
        var raw: String

        var summary: String { "\(error ?? "ok"); exit \(exitStatus.map(String.init) ?? "-"), signal \(signal.map(String.init) ?? "-")\n--- transcript ---\n\(transcript)" }
    }

    static let driver = TernProcess.repository.appendingPathComponent("Tests/TernCLITests/Fixtures/pty_session.py").path

    /// Runs `tern ARGUMENTS` on a pseudo-terminal through `steps`. The
    /// history file is always `history` of the scratch folder (never the
    /// user's).
    func session(
        _ arguments: [String], in scratch: String, history: String? = nil, environment: [String: String] = [:],
        deadline: Double = 90, _ steps: [Step]
    ) throws -> Report {
        var env = ["NO_COLOR": "1", "TERM": "xterm", "TERN_HISTORY": history ?? scratch + "/history"]
        for (k, v) in environment { env[k] = v }
        let script: [String: Any] = [
            "argv": [TernProcess.executable] + arguments, "env": env, "cwd": scratch,
            "columns": 200, "rows": 30, "deadline": deadline, "steps": steps.map(\.json),
        ]
        let id = UUID().uuidString.prefix(8)
        let scriptPath = scratch + "/session-\(id).json", outPath = scratch + "/session-\(id).out"
        try JSONSerialization.data(withJSONObject: script).write(to: URL(fileURLWithPath: scriptPath))
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let p = Process()
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        p.executableURL = URL(fileURLWithPath: python.hasPrefix("/") ? python : "/usr/bin/env")
        p.arguments = (python.hasPrefix("/") ? [] : [python]) + [Self.driver, scriptPath]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardError = FileHandle.standardError
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        // The script bounds every step and the whole session; this bounds the script.
        if done.wait(timeout: .now() + deadline + 30) == .timedOut {
            p.terminate()
            _ = done.wait(timeout: .now() + 5)
            Issue.record("pty_session.py ran longer than \(deadline + 30) s")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: outPath))
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            Issue.record("pty_session.py (status \(p.terminationStatus)) gave no report: \(String(decoding: data, as: UTF8.self))")
            return Report(ok: false, error: "no report", transcript: "", raw: "")
        }
        return Report(
            ok: json["ok"] as? Bool ?? false, error: json["error"] as? String, exitStatus: json["exit_status"] as? Int,
            signal: json["signal"] as? Int, transcript: json["transcript"] as? String ?? "", raw: json["raw"] as? String ?? "")
    }

    /// A scratch folder, removed after.
    func withScratch(_ body: (String) throws -> Void) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tern-pty-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try body(scratch)
    }

    /// Lab hosts of this suite's own (127.0.72.x) in a scratch folder, always torn down.
    func withLab(_ body: (LabState, String) throws -> Void) throws {
        try TestLab.with(subnet: Self.subnet, body)
    }

    /// Three hosts and a group `lab` without lab hosts: for what only needs names.
    func writeInventory(_ scratch: String) throws -> String {
        let path = scratch + "/inventory.tern"
        try """
            host lab1 { address: "127.0.72.1" }
            host lab2 { address: "127.0.72.2" }
            host lab3 { address: "127.0.72.3" }
            group lab { hosts: [lab1, lab2, lab3] }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func remote(_ lab: LabState, _ command: String) -> [String] {
        [TernProcess.executable, "run", "--lab", "--lab-dir", lab.directory, "--connect-timeout", "5s", "lab", "--", command]
    }

    // MARK: the tests

    /// TAB completes host and group names, REPL commands, and the recipes of
    /// a module once it is used; several matches are listed on the second TAB.
    @Test func tabCompletesHostsCommandsAndRecipesOfUsedModules() throws {
        try withScratch { scratch in
            let inventory = try writeInventory(scratch)
            let r = try session(["repl", "-i", inventory], in: scratch, [
                .expect("tern> "),
                // `lab` is a group and the prefix of three hosts: listed.
                .send("lab\t\t"), .expectAll(["lab1", "lab2", "lab3"]),
                .send("\u{3}"), .expect("^C\ntern> "),
                // One match: completed in place (with a space), then run.
                .send(":he\t"), .expect("lp "), .send("\r"), .expect("this list"), .expect("tern> "),
                // Recipes of a module: not offered before `use`, then completed.
                .send("gluster.pe\t\t!"), .expect("gluster.pe!"), .send("\u{3}"), .expect("^C\ntern> "),
                .send("use gluster\r"), .expect("tern> "),
                .send("gluster.pe\t"), .expect("er"),  // the common prefix `gluster.peer`
                .send("\t"), .expectAll(["gluster.peers", "gluster.peer_address"]),
                .send("s\r"), .expect("(recipe)"), .expect("tern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(r.ok, "\(r.summary)")
            #expect(r.exitStatus == 0, "\(r.summary)")
            #expect(r.transcript.contains("tern> :help \n"), "`:he` TAB gave `:help `: \(r.transcript)")
            let beforeUse = r.transcript.components(separatedBy: "use gluster")[0]
            #expect(!beforeUse.contains("gluster.peers"), "recipes of a module not used yet are not offered: \(r.transcript)")
            #expect(r.transcript.contains("tern> gluster.peers\n"), "\(r.transcript)")
        }
    }

    /// History is kept in $TERN_HISTORY across runs: Up-arrow in a second
    /// session brings back the first session's input.
    @Test func historyIsKeptAcrossRuns() throws {
        try withScratch { scratch in
            let history = scratch + "/history"
            let first = try session(["repl"], in: scratch, history: history, [
                .expect("tern> "), .send("1 + 41\r"), .expect("42  (int)"), .expect("tern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(first.ok && first.exitStatus == 0, "\(first.summary)")
            let saved = (try? String(contentsOfFile: history, encoding: .utf8)) ?? ""
            #expect(saved.contains("41"), "the history file has the input: \(saved)")

            let second = try session(["repl"], in: scratch, history: history, [
                .expect("tern> "), .send("\u{1b}[A"), .expect("1 + 41"), .send("\r"), .expect("42  (int)"), .expect("tern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(second.ok && second.exitStatus == 0, "\(second.summary)")
        }
    }

    /// A construct left open continues with the `  ... ` prompt; the whole
    /// construct is one input.
    @Test func anOpenConstructContinuesOnTheNextLine() throws {
        try withScratch { scratch in
            let r = try session(["repl"], in: scratch, [
                .expect("tern> "), .send("let x = [1,\r"), .expect("\n  ... "),
                .send("2]\r"), .expect("tern> "),
                .send("x\r"), .expect("[1, 2]  (list)"), .expect("tern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(r.ok && r.exitStatus == 0, "\(r.summary)")
        }
    }

    /// Non-ASCII keys reach the REPL (libedit decodes them with a UTF-8
    /// LC_CTYPE; under the C locale they were dropped).
    @Test func nonASCIIInputIsKept() throws {
        try withScratch { scratch in
            let r = try session(["repl"], in: scratch, environment: ["LC_ALL": "C", "LANG": "C"], [
                .expect("tern> "), .send("\"héllo ✓\"\r"), .expect("\"héllo ✓\"  (string)"), .expect("tern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(r.ok && r.exitStatus == 0, "\(r.summary)")
        }
    }

    /// Ctrl-C while a line is edited drops it (the REPL prints ^C and a new
    /// prompt) and the session goes on; Ctrl-C on an empty line too.
    @Test func ctrlCAtThePromptDropsTheLine() throws {
        try withScratch { scratch in
            let r = try session(["repl"], in: scratch, [
                .expect("tern> "), .send("1 + 2"), .expect("1 + 2"),
                .send("\u{3}"), .expect("^C\ntern> "),
                .send("\u{3}"), .expect("^C\ntern> "),
                .send("3 + 4\r"), .expect("7  (int)"), .expect("tern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(r.ok && r.exitStatus == 0, "\(r.summary)")
            #expect(r.signal == nil, "\(r.summary)")
            #expect(!r.transcript.contains("3  (int)"), "the dropped line was not evaluated: \(r.transcript)")
        }
    }

    /// Ctrl-C inside an open construct drops the whole construct, not only
    /// the line: back to `tern> `.
    @Test
    func ctrlCInAnOpenConstructDropsIt() throws {
        try withScratch { scratch in
            let r = try session(["repl"], in: scratch, [
                .expect("tern> "), .send("let y = [1,\r"), .expect("\n  ... "),
                .send("\u{3}"), .expect("^C\ntern> "),
                .send("let y = 5\r"), .expect("tern> "), .send("y\r"), .expect("5  (int)"), .expect("tern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(r.ok && r.exitStatus == 0, "\(r.summary)")
        }
    }

    /// Ctrl-D on an empty line leaves with status 0; before that, Ctrl-D
    /// inside a line only edits it.
    @Test func ctrlDLeavesWithStatusZero() throws {
        try withScratch { scratch in
            let r = try session(["repl"], in: scratch, [
                .expect("tern> "), .send("6 * 7\u{1}\u{4}\r"), .expect("expected an expression"), .expect("tern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(r.ok, "\(r.summary)")
            #expect(r.exitStatus == 0 && r.signal == nil, "\(r.summary)")
            // Ctrl-A, Ctrl-D deleted the `6`: the input was ` * 7`, an error, not 42.
            #expect(!r.transcript.contains("42  (int)"), "\(r.transcript)")
        }
    }

    /// Ctrl-C while `on ...` runs on lab hosts: the REPL says it is
    /// interrupting, lets the running commands finish, reports them, and
    /// stays: a new prompt that answers.
    @Test func ctrlCDuringARunInterruptsItAndTheReplGoesOn() throws {
        try withLab { lab, scratch in
            let id = UUID().uuidString.prefix(8)
            let started = "/tmp/tern-pty-started-\(id)", go = "/tmp/tern-pty-go-\(id)"
            let r = try session(["repl", "--lab", "--lab-dir", lab.directory, "--connect-timeout", "5s"], in: scratch, [
                .expect("tern> "),
                .send("on lab run \"touch \(started); while [ ! -e \(go) ]; do sleep 0.05; done; echo released\"\r"),
                // Every host is inside the command.
                .poll(remote(lab, "test -e \(started)")),
                .send("\u{3}", now: true), .expect("interrupting"),
                // The running commands are let finish: release them.
                .run(remote(lab, "touch \(go)")),
                .expect("interrupted\n"), .expect("tern> "),
                .send("1 + 1\r"), .expect("2  (int)"), .expect("tern> "),
                // Ctrl-C is the line editor's again: it drops a line.
                .send("9 + 9"), .expect("9 + 9"), .send("\u{3}"), .expect("^C\ntern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(r.ok, "\(r.summary)")
            #expect(!r.transcript.contains("18  (int)"), "\(r.transcript)")
            #expect(r.exitStatus == 0 && r.signal == nil, "\(r.summary)")
            for h in ["lab1", "lab2", "lab3"] {
                #expect(r.transcript.contains("\(h) | changed"), "\(r.transcript)")
            }
            let after = r.transcript.components(separatedBy: "interrupting").dropFirst().joined()
            #expect(after.components(separatedBy: "released\n").count == 4, "each host's command ran to its end: \(r.transcript)")
        }
    }

    /// `:save` after an `on ...` that succeeded and a `let`: a playbook that
    /// names the lab inventory by its absolute path (the session used a
    /// relative --lab-dir), so `tern check FILE` from another folder accepts
    /// it, and so does `tern check -i INVENTORY FILE`.
    @Test func saveWritesAPlaybookThatChecks() throws {
        try withLab { lab, scratch in
            let r = try session(["repl", "--lab", "--lab-dir", "lab", "--connect-timeout", "5s"], in: scratch, [
                .expect("tern> "),
                .send("on lab run \"hostname\"\r"), .expectAll(["lab1 | changed", "lab2 | changed", "lab3 | changed"]), .expect("tern> "),
                .send("let greeting = \"hi\"\r"), .expect("tern> "),
                .send(":save saved.tern\r"), .expect("saved 1 definition and 1 step to saved.tern"), .expect("tern> "),
                .send("\u{4}"), .exit(),
            ])
            #expect(r.ok && r.exitStatus == 0, "\(r.summary)")
            let file = scratch + "/saved.tern"
            let saved = try String(contentsOfFile: file, encoding: .utf8)
            let realScratch = URL(fileURLWithPath: scratch).resolvingSymlinksInPath().path
            #expect(
                saved.contains("inventory \"\(scratch)/lab/inventory.tern\"") || saved.contains("inventory \"\(realScratch)/lab/inventory.tern\""),
                "\(saved)")
            #expect(saved.contains("let greeting = \"hi\""), "\(saved)")
            #expect(saved.contains("run \"hostname\""), "\(saved)")

            // TernProcess runs in the repository, not in the session's folder.
            let check = try TernProcess.run(["check", file])
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)\n\(saved)")
            let withInventory = try TernProcess.run(["check", "-i", lab.inventoryPath, file])
            #expect(withInventory.status == 0, "\(withInventory.stdout)\(withInventory.stderr)\n\(saved)")
        }
    }
}
