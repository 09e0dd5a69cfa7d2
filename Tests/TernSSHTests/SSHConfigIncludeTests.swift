import Foundation
import Testing

@testable import TernSSH

/// Include: globs under ~/.ssh, sections, cycles, and errors in included
/// files.
@Suite struct SSHConfigIncludeTests {
    /// Relative Include paths are under ~/.ssh; globs expand in sorted order.
    @Test func relativeGlobsUnderTheSSHDirectory() throws {
        let home = try TemporaryDirectory()
        let account = LocalAccount(userName: "tester", homeDirectory: home.path, uid: 1000, hostName: "b")
        try home.write(".ssh/conf.d/20-web", "Host web*\n  User second\n  Port 2202\n")
        try home.write(".ssh/conf.d/10-web", "Host web*\n  User first\n")
        try home.write(".ssh/conf.d/README.txt", "not included\n")
        let path = try home.write(".ssh/config", "Include conf.d/*-web nothing-matches-*\nHost *\n  User last\n")
        let settings = try SSHConfig.load(path: path, account: account)
            .resolve(name: "web1", address: nil, port: nil, user: nil, defaults: defaults)
        #expect(settings.user == "first")
        #expect(settings.port == 2202)
    }

    /// An Include inside a Host section applies only to that section's hosts,
    /// and the Host lines in the included file narrow it further.
    @Test func includeInsideHostSection() throws {
        let directory = try TemporaryDirectory()
        try directory.write("lab", "User lab\nHost db*\n  Port 5432\nHost *\n  IdentityFile ~/.ssh/lab\n")
        let path = try directory.write(
            "config",
            """
            Host *.lab
                Include \(directory.path)/lab
                HostName %h.example.com
            Host *
                User other
                IdentityFile ~/.ssh/other
            """)
        let parsed = try SSHConfig.load(path: path, account: tester)
        let expected = [
            "web.lab": "lab@web.lab.example.com:22 ~/.ssh/lab,~/.ssh/other",
            "db1.lab": "lab@db1.lab.example.com:5432 ~/.ssh/lab,~/.ssh/other",
            "db1": "other@db1:22 ~/.ssh/other",
        ]
        for (host, summaryText) in expected {
            let settings = parsed.resolve(name: host, address: nil, port: nil, user: nil, defaults: defaults)
            #expect(summary(settings) == summaryText)
            // OpenSSH reads the same files the same way.
            let openSSH = try run("ssh", ["-G", "-F", path, host]).stdout.split(separator: "\n")
            #expect(openSSH.contains("hostname \(settings.hostName)"))
            #expect(openSSH.contains("port \(settings.port)"))
            #expect(openSSH.contains("user \(settings.user)"))
        }
    }

    @Test func tildeInclude() throws {
        let home = try TemporaryDirectory()
        let account = LocalAccount(userName: "tester", homeDirectory: home.path, uid: 1000, hostName: "b")
        try home.write("extra.conf", "User fromhome\n")
        let settings = try SSHConfig.parse("Include ~/extra.conf", path: "config", account: account)
            .resolve(name: "x", address: nil, port: nil, user: nil, defaults: defaults)
        #expect(settings.user == "fromhome")
    }

    @Test func cyclesAreErrors() throws {
        let directory = try TemporaryDirectory()
        let a = try directory.write("a", "User a\nInclude \(directory.path)/b\n")
        let b = try directory.write("b", "# b includes a again\nInclude \(directory.path)/a\n")
        let error = try #require(throws: SSHConfigError.self) { try SSHConfig.load(path: a, account: tester) }
        let real = { (path: String) in URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
        #expect(error.description == "\(b):2: Include cycle: \(real(a)) -> \(real(b)) -> \(real(a))")
    }

    @Test func aFileIncludingItselfIsACycle() throws {
        let directory = try TemporaryDirectory()
        let a = try directory.write("self", "Include \(directory.path)/self\n")
        let error = try #require(throws: SSHConfigError.self) { try SSHConfig.load(path: a, account: tester) }
        #expect(error.message.hasPrefix("Include cycle"))
    }

    @Test func errorsInIncludedFilesNameThatFile() throws {
        let directory = try TemporaryDirectory()
        let bad = try directory.write("bad", "\n\nPort none\n")
        let error = try #require(throws: SSHConfigError.self) {
            try SSHConfig.parse("Include \(bad)", path: "config", account: tester)
        }
        #expect(error.path == bad)
        #expect(error.line == 3)
    }

    @Test func missingFiles() throws {
        let directory = try TemporaryDirectory()
        let error = try #require(throws: SSHConfigError.self) {
            try SSHConfig.load(path: directory.file("nope"), account: tester)
        }
        #expect(error.description == "\(directory.file("nope")): no such file")
        let account = LocalAccount(userName: "tester", homeDirectory: directory.path, uid: 1000, hostName: "b")
        #expect(try SSHConfig.loadUserConfig(account: account).directives.isEmpty)
    }
}
