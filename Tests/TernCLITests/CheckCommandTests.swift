import Foundation
import Testing

/// `tern check` and `tern graph` as a user runs them: exit statuses,
/// where messages go, and the DOT output drawn by Graphviz.
@Suite struct CheckCommandTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-cli-\(UUID().uuidString).tern").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func validPlaybookExitsZero() throws {
        let r = try TernProcess.run(["check", "playbooks/glusterfs.tern"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("playbooks/glusterfs.tern: ok"))
    }

    @Test func invalidPlaybookExits65WithLocatedErrors() throws {
        let path = try write("host h { address: \"127.0.0.1\" }\nstep s on hh { run \"true\", unless: \"true\" }\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try TernProcess.run(["check", path])
        #expect(r.status == 65)
        #expect(r.stderr.contains(":2:11: error: unknown name 'hh' [unknown-name]"), "\(r.stderr)")
        #expect(r.stderr.contains("did you mean 'h'?"))
        #expect(r.stdout.isEmpty)
    }

    @Test(arguments: [["check", "-p", "novalue", "playbooks/glusterfs.tern"], ["graph", "--format", "png", "playbooks/glusterfs.tern"], ["check"]])
    func wrongCommandLineExits64(_ arguments: [String]) throws {
        let r = try TernProcess.run(arguments)
        #expect(r.status == 64, "\(r.stderr)")
    }

    @Test func graphDotRendersWithGraphviz() throws {
        let r = try TernProcess.run(["graph", "--format", "dot", "playbooks/glusterfs.tern"])
        #expect(r.status == 0, "\(r.stderr)")
        let dot = Process()
        dot.executableURL = URL(fileURLWithPath: "/usr/bin/dot")
        dot.arguments = ["-Tsvg", "-o", "/dev/null"]
        let input = Pipe()
        dot.standardInput = input
        try dot.run()
        input.fileHandleForWriting.write(Data(r.stdout.utf8))
        try input.fileHandleForWriting.close()
        dot.waitUntilExit()
        #expect(dot.terminationStatus == 0)
    }

    @Test func secretsNeverReachTheOutput() throws {
        let path = try write("""
            secret token from env "TERN_CLI_TOKEN"
            host h { address: "127.0.0.1" }
            step s on h {
              run "deploy --token ${token}", unless: "check --token ${token}"
              write_file "/etc/token", content: token
            }
            let broken = fail("token is ${token}")
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for format in ["text", "json", "dot", "mermaid"] {
            let r = try TernProcess.run(["graph", "--format", format, path], environment: ["TERN_CLI_TOKEN": "tok-9f8e7d6c"])
            #expect(!(r.stdout + r.stderr).contains("tok-9f8e7d6c"), "\(format)")
            #expect(r.stderr.contains("token is ***"))
        }
    }
}
