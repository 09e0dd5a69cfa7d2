import Foundation
import Testing
import TernLab

/// `tern run` against real lab hosts: one command on many hosts at once,
/// output grouped by host in inventory order, exit status that summarises.
@Suite(.serialized) struct RunCommandTests {
    /// A lab of three hosts of its own (subnet 127.0.81), always torn down.
    func withLab(_ body: (LabState) throws -> Void) throws {
        try TestLab.with(subnet: "127.0.81") { lab, _ in try body(lab) }
    }

    @Test func outputIsGroupedByHostInInventoryOrder() throws {
        try withLab { lab in
            let r = try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "lab", "--", "hostname; echo oops >&2"])
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            let headers = lines.filter { $0.contains(" | OK | rc=0 | ") }.map { $0.split(separator: " ")[0] }
            #expect(headers == ["lab1", "lab2", "lab3"])
            for name in ["lab1", "lab2", "lab3"] {
                guard let i = lines.firstIndex(where: { $0.hasPrefix(name + " | ") }) else {
                    Issue.record("no header for \(name)")
                    continue
                }
                #expect(lines[i + 1] == name)
                #expect(lines[i + 2] == "stderr: oops")
            }
            #expect(lines.last == "3 hosts: 3 ok, 0 failed, 0 unreachable")
        }
    }

    /// Exiting right after the sessions close once raced OpenSSL's
    /// per-thread cleanup against its global one (a crash at exit in about
    /// 1 run in 110); 150 runs in a row must all exit 0.
    @Test func exitIsCleanRunAfterRun() throws {
        try withLab { lab in
            var failures: [Int32] = []
            for _ in 0..<150 {
                let r = try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "lab", "--", "true"])
                if r.status != 0 { failures.append(r.status) }
            }
            #expect(failures.isEmpty, "exit statuses other than 0: \(failures)")
        }
    }

    @Test func targetsAreTernExpressions() throws {
        try withLab { lab in
            let r = try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "lab - lab1", "--", "hostname"])
            #expect(r.status == 0)
            #expect(!r.stdout.contains("lab1 |"))
            #expect(r.stdout.contains("lab2 | OK") && r.stdout.contains("lab3 | OK"))
            let bad = try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "lab - lab9", "--", "hostname"])
            #expect(bad.status == 65)
            #expect(bad.stderr.contains("unknown name 'lab9'"), "\(bad.stderr)")
        }
    }

    @Test func exitStatusSummarises() throws {
        try withLab { lab in
            let failed = try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "lab", "--", "test $(hostname) != lab2"])
            #expect(failed.status == 2)
            #expect(failed.stdout.contains("lab2 | FAILED | rc=1"))
            #expect(failed.stdout.contains("3 hosts: 2 ok, 1 failed, 0 unreachable"))

            try Lab.stop(host: "lab3", directory: lab.directory)
            let down = try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "--connect-timeout", "5s", "lab", "--", "true"])
            #expect(down.status == 4)
            #expect(down.stdout.contains("lab3 | UNREACHABLE"), "\(down.stdout)")
            #expect(down.stdout.contains("3 hosts: 2 ok, 0 failed, 1 unreachable"))
        }
    }

    @Test func aCommandTimesOutAndASignalIsReported() throws {
        try withLab { lab in
            let slow = try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "--timeout", "1s", "lab1", "--", "sleep 30"], timeout: 60)
            #expect(slow.status == 2)
            #expect(slow.stdout.contains("timed out after 1000 ms"))
            let killed = try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "lab1", "--", "kill -KILL $$"])
            #expect(killed.status == 2)
            #expect(killed.stdout.contains("lab1 | FAILED | signal KILL"), "\(killed.stdout)")
        }
    }

    @Test func anUnknownHostKeyIsRefusedUnlessAccepted() throws {
        try withLab { lab in
            // An ssh config that points at an empty known_hosts file.
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tern-cli-kh-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let config = try String(contentsOfFile: lab.sshConfigPath, encoding: .utf8)
                .replacingOccurrences(of: lab.knownHostsPath, with: dir + "/known_hosts")
            try config.write(toFile: dir + "/ssh_config", atomically: true, encoding: .utf8)
            let refused = try TernProcess.run(["run", "-i", lab.inventoryPath, "-F", dir + "/ssh_config", "lab1", "--", "true"])
            #expect(refused.status == 4)
            #expect(refused.stdout.contains("unknown host key (ssh-ed25519 SHA256:"), "\(refused.stdout)")
            let accepted = try TernProcess.run(["run", "-i", lab.inventoryPath, "-F", dir + "/ssh_config", "--accept-new-host-keys", "lab1", "--", "true"])
            #expect(accepted.status == 0, "\(accepted.stdout)")
            #expect(((try? String(contentsOfFile: dir + "/known_hosts", encoding: .utf8)) ?? "").contains("ssh-ed25519"))
            let again = try TernProcess.run(["run", "-i", lab.inventoryPath, "-F", dir + "/ssh_config", "lab1", "--", "true"])
            #expect(again.status == 0, "\(again.stdout)")
        }
    }
}
