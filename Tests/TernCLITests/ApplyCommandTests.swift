import Foundation
import Testing
import TernLab

/// `tern plan` and `tern apply` end to end: the real binary, real lab hosts
/// (sshd on 127.0.82.x), real files on them.
@Suite(.serialized) struct ApplyCommandTests {
    static let secret = "Sup3r-Secret-Token-42"

    /// A lab of three hosts of its own, a scratch folder for the playbook and
    /// the run logs; always torn down.
    func withLab(_ body: (LabState, String) throws -> Void) throws {
        try TestLab.with(subnet: "127.0.82", body)
    }

    static let playbook = """
        use file

        secret token from env "APP_TOKEN"

        step base on lab {
          file.directory "/srv/app", mode: "0750"
        }

        step config on lab after base {
          write_file "/srv/app/app.conf", content: "host = ${host.name}\\ntoken = ${token}\\n", mode: "0600", notify: reload
        }

        handler reload on lab {
          run "date +%s%N >> /srv/app/reloads"
        }

        step marker on lab after config {
          run "echo ${host.facts.os_family} > /srv/app/family", creates: "/srv/app/family"
        }

        step summary on lab1 after marker {
          action check: "grep -qx debian /srv/app/family", apply: "false"
        }
        """

    func apply(_ lab: LabState, _ scratch: String, _ extra: [String] = [], mode: String = "apply", playbook: String = "p.tern", timeout: Double = 120) throws -> TernProcess.Result {
        try TernProcess.run(
            [mode, "--lab", "--lab-dir", lab.directory, "--log-dir", scratch + "/runs", "--connect-timeout", "5s"] + extra + [scratch + "/" + playbook],
            environment: ["APP_TOKEN": Self.secret], timeout: timeout)
    }


    func remote(_ lab: LabState, _ host: String, _ command: String) throws -> TernProcess.Result {
        try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "--connect-timeout", "5s", host, "--", command])
    }

    /// Every byte a run wrote: its output and every file of its log folder.
    func everything(_ results: [TernProcess.Result], logs: String) throws -> String {
        var all = results.map { $0.stdout + $0.stderr }.joined()
        if let files = FileManager.default.enumerator(atPath: logs) {
            for case let f as String in files {
                if let d = FileManager.default.contents(atPath: logs + "/" + f) { all += String(decoding: d, as: UTF8.self) }
            }
        }
        return all
    }

    @Test func applyTwiceThenPlanShowsNothingToDo() throws {
        try withLab { lab, scratch in
            try Self.playbook.write(toFile: scratch + "/p.tern", atomically: true, encoding: .utf8)
            let first = try apply(lab, scratch)
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(flat(first.stdout).contains("changed config lab1"), "\(first.stdout)")
            #expect(first.stdout.contains("apply: 12 changed, 1 ok"), "\(first.stdout)")
            for h in ["lab1", "lab2", "lab3"] {
                let conf = try remote(lab, h, "stat -c %a /srv/app/app.conf; cat /srv/app/app.conf; wc -l < /srv/app/reloads")
                #expect(conf.stdout.contains("600\nhost = \(h)\ntoken = "), "\(conf.stdout)")
                #expect(conf.stdout.contains("\n1\n"), "the handler ran once: \(conf.stdout)")
            }

            let second = try apply(lab, scratch)
            #expect(second.status == 0, "\(second.stdout)")
            #expect(second.stdout.contains("apply: 0 changed, 10 ok"), "\(second.stdout)")
            #expect(try remote(lab, "lab1", "wc -l < /srv/app/reloads").stdout.contains("\n1\n"), "not notified the second time")

            let plan = try apply(lab, scratch, mode: "plan")
            #expect(plan.status == 0, "\(plan.stdout)")
            #expect(plan.stdout.contains("nothing to do"))

            // A file changed by hand: plan shows its diff and exits 3; apply fixes it.
            _ = try remote(lab, "lab2", "echo 'edited = yes' >> /srv/app/app.conf")
            let drift = try apply(lab, scratch, mode: "plan")
            #expect(drift.status == 3)
            #expect(flat(drift.stdout).contains("will change config lab2"), "\(drift.stdout)")
            #expect(drift.stdout.contains("-edited = yes"), "\(drift.stdout)")
            #expect(drift.stdout.contains(" token = ***"), "\(drift.stdout)")
            #expect(flat(drift.stdout).contains("will change reload lab2"), "\(drift.stdout)")
            let fix = try apply(lab, scratch, ["--json"])
            #expect(fix.status == 0)
            let events = fix.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(events.first?["event"] as? String == "run_started")
            #expect(events.last?["event"] as? String == "run_finished")
            let changed = events.filter { $0["event"] as? String == "node_finished" && $0["status"] as? String == "changed" }
                .map { "\($0["step"]!)@\($0["host"]!)" }.sorted()
            #expect(changed == ["config@lab2", "reload@lab2"])

            let all = try everything([first, second, plan, drift, fix], logs: scratch + "/runs")
            #expect(!all.contains(Self.secret), "a secret reached the output or the run log")
            #expect(FileManager.default.fileExists(atPath: scratch + "/runs/last-apply/summary.json"))
            let hostLog = try String(contentsOfFile: scratch + "/runs/last-apply/hosts/lab2.log", encoding: .utf8)
            #expect(hostLog.contains("### config on lab2: changed"), "\(hostLog)")
            #expect(hostLog.contains("-- apply (status 0"), "\(hostLog)")
        }
    }

    @Test func aHostStoppedMidRunFailsAloneAndARerunConverges() throws {
        try withLab { lab, scratch in
            // `wait` holds every host until the test says go, so lab2 can be
            // stopped while the run is in the middle of it.
            try """
                step first on lab {
                  run "mkdir -p /var/tmp/t && touch /var/tmp/t/first", creates: "/var/tmp/t/first"
                }
                step wait on lab after first, timeout: 60s {
                  run "touch /var/tmp/t/started; while [ ! -e /var/tmp/t/go ]; do sleep 0.05; done; touch /var/tmp/t/waited", creates: "/var/tmp/t/waited"
                }
                step own on lab {
                  run "mkdir -p /var/tmp/t && touch /var/tmp/t/own", creates: "/var/tmp/t/own"
                }
                step last on lab after wait {
                  run "touch /var/tmp/t/last", creates: "/var/tmp/t/last"
                }
                """.write(toFile: scratch + "/p.tern", atomically: true, encoding: .utf8)
            let tern = try TernProcess.Background(
                ["apply", "--lab", "--lab-dir", lab.directory, "--log-dir", scratch + "/runs", "--connect-timeout", "3s", scratch + "/p.tern"],
                currentDirectory: scratch)

            // Wait (bounded) until every host is inside `wait`.
            var started = false
            for _ in 0..<300 where !started {
                started = try remote(lab, "lab", "test -e /var/tmp/t/started").status == 0
            }
            #expect(started)
            try Lab.stop(host: "lab2", directory: lab.directory)
            #expect(try remote(lab, "[lab1, lab3]", "touch /var/tmp/t/go").status == 0)
            if !tern.wait(seconds: 90) { Issue.record("tern apply did not finish") }
            let text = flat(tern.text)
            #expect(tern.status == 4 || tern.status == 2, "\(text)")
            #expect(text.contains("changed wait lab1"), "\(text)")
            #expect(text.contains("changed wait lab3"), "\(text)")
            #expect(text.contains("unreachable wait lab2") || text.contains("failed wait lab2"), "\(text)")
            #expect(text.contains("skipped last lab1"), "\(text)")
            #expect(text.contains("failed=0") || text.contains("unreachable=1"), "\(text)")
            #expect(!text.contains("unreachable wait lab1") && !text.contains("unreachable wait lab3"))

            try Lab.start(host: "lab2", directory: lab.directory)
            #expect(try remote(lab, "lab2", "touch /var/tmp/t/go").status == 0)
            let rerun = try TernProcess.run(
                ["apply", "--lab", "--lab-dir", lab.directory, "--log-dir", scratch + "/runs", "--rerun-failed", scratch + "/p.tern"])
            #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
            #expect(flat(rerun.stdout).contains("changed wait lab2"), "\(rerun.stdout)")
            #expect(!rerun.stdout.contains("own "), "--rerun-failed runs only what failed and its dependents: \(rerun.stdout)")
            let nothing = try TernProcess.run(
                ["apply", "--lab", "--lab-dir", lab.directory, "--log-dir", scratch + "/runs", "--rerun-failed", scratch + "/p.tern"])
            #expect(nothing.status == 0)
            #expect(nothing.stdout.contains("nothing to do"), "\(nothing.stdout)")
            let again = try TernProcess.run(["apply", "--lab", "--lab-dir", lab.directory, "--log-dir", scratch + "/runs", scratch + "/p.tern"])
            #expect(again.status == 0)
            #expect(again.stdout.contains("apply: 0 changed, 12 ok"), "\(again.stdout)")
        }
    }

    @Test func ctrlCLetsRunningCommandsFinishAndStartsNothingNew() throws {
        try withLab { lab, scratch in
            try """
                step wait on lab, timeout: 60s {
                  run "touch /tmp/started; while [ ! -e /tmp/go ]; do sleep 0.05; done; touch /tmp/waited", creates: "/tmp/waited"
                }
                step next on lab after wait {
                  run "touch /tmp/next", creates: "/tmp/next"
                }
                step slow on lab1, timeout: 1s {
                  run "sleep 30", creates: "/tmp/never"
                }
                """.write(toFile: scratch + "/p.tern", atomically: true, encoding: .utf8)
            let tern = try TernProcess.Background(["apply", "--lab", "--lab-dir", lab.directory, "--log-dir", scratch + "/runs", scratch + "/p.tern"])
            var started = false
            for _ in 0..<300 where !started {
                started = try remote(lab, "lab", "test -e /tmp/started").status == 0
            }
            #expect(started)
            kill(tern.process.processIdentifier, SIGINT)
            // The running commands are let finish: release them.
            #expect(try remote(lab, "lab", "touch /tmp/go").status == 0)
            if !tern.wait(seconds: 60) { Issue.record("tern apply did not stop after Ctrl-C") }
            let text = flat(tern.text)
            #expect(tern.status == 130, "\(text)")
            #expect(text.contains("interrupted: no new steps start"), "\(text)")
            for h in ["lab1", "lab2", "lab3"] {
                #expect(text.contains("changed wait \(h)"), "\(text)")
                #expect(text.contains("cancelled next \(h)"), "\(text)")
            }
            #expect(text.contains("failed slow lab1") && text.contains("timed out after 1000 ms"), "\(text)")
            #expect(text.contains("RECAP") && text.contains("(interrupted)"), "\(text)")
            #expect(try remote(lab, "lab", "test -e /tmp/waited && ! test -e /tmp/next").status == 0)
        }
    }

    @Test func invalidInputsAreClearErrors() throws {
        try withLab { lab, scratch in
            try "step a on lab { run \"true\", creates: \"/\" }\n".write(toFile: scratch + "/p.tern", atomically: true, encoding: .utf8)
            let limit = try apply(lab, scratch, ["--limit", "lab9"])
            #expect(limit.status == 64)
            #expect(limit.stderr.contains("--limit: no host of the playbook matches 'lab9'"), "\(limit.stderr)")
            let step = try apply(lab, scratch, ["--step", "b"])
            #expect(step.status == 64)
            #expect(step.stderr.contains("--step: the playbook has no step 'b'"), "\(step.stderr)")
            let rerun = try apply(lab, scratch, ["--rerun-failed"])
            #expect(rerun.status == 64)
            #expect(rerun.stderr.contains("no earlier run to re-run"), "\(rerun.stderr)")
            let one = try apply(lab, scratch, ["--limit", "lab1", "--step", "a"])
            #expect(one.status == 0, "\(one.stdout)\(one.stderr)")
            #expect(one.stdout.contains("1 node on 3 hosts") || one.stdout.contains(": 1 node"), "\(one.stdout)")
            try "step a on lab { run 42 }\n".write(toFile: scratch + "/bad.tern", atomically: true, encoding: .utf8)
            let bad = try apply(lab, scratch, playbook: "bad.tern")
            #expect(bad.status == 65)
            #expect(bad.stderr.contains("bad.tern:1:"), "\(bad.stderr)")
            let missing = try TernProcess.run(["apply", "--lab", "--lab-dir", lab.directory, "--log-dir", scratch + "/runs", scratch + "/p.tern"], environment: [:])
            #expect(missing.status == 0)
            // A secret that is not set is an error when running, not a warning.
            try "secret k from env \"TERN_TEST_UNSET_SECRET\"\nstep a on lab { run \"echo ${k}\", creates: \"/x\" }\n".write(toFile: scratch + "/s.tern", atomically: true, encoding: .utf8)
            let unset = try apply(lab, scratch, playbook: "s.tern")
            #expect(unset.status == 65, "\(unset.stderr)")
        }
    }
}
