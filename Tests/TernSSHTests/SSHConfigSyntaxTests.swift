import Testing

@testable import TernSSH

/// The tokens an IdentityFile may use, as error messages list them.
private let pathTokens = "%% %L %d %h %i %l %n %p %r %u"

/// How ssh_config lines are read: keyword forms, quoting, comments, host
/// patterns, Match, and the errors that refuse a file.
@Suite struct SSHConfigSyntaxTests {
    /// Each text must give the host "h" port 2200 (or the keys shown).
    @Test(arguments: [
        ("Host h\n  Port 2200", "root@h:2200 ~/.ssh/id_default"),
        ("Host h\n  Port=2200", "root@h:2200 ~/.ssh/id_default"),
        ("Host h\n  Port = 2200", "root@h:2200 ~/.ssh/id_default"),
        ("Host=h\nPort 2200", "root@h:2200 ~/.ssh/id_default"),
        ("host h\n\tPORT\t2200", "root@h:2200 ~/.ssh/id_default"),
        ("Host h\r\n  Port 2200\r\n", "root@h:2200 ~/.ssh/id_default"),
        ("Host h\n  Port 2200 # a comment", "root@h:2200 ~/.ssh/id_default"),
        ("Host h # a comment\n  Port 2200", "root@h:2200 ~/.ssh/id_default"),
        ("Host \"h\"\n  Port 2200", "root@h:2200 ~/.ssh/id_default"),
        ("  # indented comment\n\nHost h\n  Port 2200\n", "root@h:2200 ~/.ssh/id_default"),
        // Lines before the first Host apply to every host; the first value wins.
        ("Port 2200\nHost h\n  Port 2300", "root@h:2200 ~/.ssh/id_default"),
        ("Host h\n  IdentityFile \"~/my keys/id\"", "root@h:22 ~/my keys/id"),
        ("Host h\n  IdentityFile '~/my keys/id'", "root@h:22 ~/my keys/id"),
        ("Host h\n  IdentityFile ~/my\\ keys/id", "root@h:22 ~/my keys/id"),
        ("Host h\n  IdentityFile \"~/a \\\"quoted\\\" name\"", "root@h:22 ~/a \"quoted\" name"),
        // IdentityFile accumulates, in order, without repeats.
        ("IdentityFile ~/.ssh/a\nHost h\n  IdentityFile ~/.ssh/b\n  IdentityFile ~/.ssh/a",
         "root@h:22 ~/.ssh/a,~/.ssh/b"),
        ("Host h\n  IdentityFile /etc/keys/%u\n  User deploy", "deploy@h:22 /etc/keys/tester"),
    ])
    func forms(text: String, expected: String) throws {
        let settings = try config(text).resolve(name: "h", address: nil, port: nil, user: nil, defaults: defaults)
        #expect(summary(settings) == expected)
    }

    @Test(arguments: [
        ("*", "anything", true),
        ("web?", "web1", true),
        ("web?", "web10", false),
        ("web*", "web", true),
        ("*.example.com", "db.example.com", true),
        ("*.example.com", "example.com", false),
        ("127.0.0.*", "127.0.0.17", true),
        ("127.0.*.1", "127.0.7.1", true),
        ("*web*", "my-web-01", true),
        ("a*b*c", "aXbYbZc", true),
        ("a*b*c", "aXbYbZ", false),
        ("WEB1", "web1", true),
        ("web1 web2", "web2", true),
        ("web* !web3", "web3", false),
        ("web* !web3", "web4", true),
        ("!web3 web*", "web3", false),
        ("!web3", "web1", false),
        ("!*.internal *", "db.internal", false),
    ])
    func hostPatterns(patterns: String, host: String, applies: Bool) throws {
        let settings = try config("Host \(patterns)\n  Port 2200")
            .resolve(name: host, address: nil, port: nil, user: nil, defaults: defaults)
        #expect((settings.port == 2200) == applies)
    }

    @Test(arguments: [
        ("Port abc", "config:1: bad port 'abc': a port is a number from 1 to 65535"),
        ("Port 70000", "config:1: bad port '70000': a port is a number from 1 to 65535"),
        // Checked although no host will ever match the section, as ssh does.
        ("Host never\n  Port 0", "config:2: bad port '0': a port is a number from 1 to 65535"),
        ("Host web\n  Port", "config:2: Port needs a value"),
        ("Host", "config:1: Host needs a value"),
        ("Host web !", "config:1: Host has an empty pattern"),
        ("User alice bob", "config:1: User takes one value; unexpected 'bob'"),
        ("= value", "config:1: a line starts with a keyword, not '='"),
        ("IdentityFile \"~/.ssh/id", "config:1: IdentityFile has a quote that is never closed"),
        ("IdentitiesOnly maybe", "config:1: IdentitiesOnly is yes or no, not 'maybe'"),
        ("ConnectTimeout 10x", "config:1: ConnectTimeout is a time such as 30, 30s, 5m or 1h30m, not '10x'"),
        ("StrictHostKeyChecking sometimes",
         "config:1: StrictHostKeyChecking is yes, accept-new, no or ask, not 'sometimes'"),
        ("IdentityFile ~/.ssh/%C",
         "config:1: IdentityFile uses the token %C, which Tern does not expand; it knows \(pathTokens)"),
        ("HostName %r.example.com", "config:1: HostName uses the token %r, which Tern does not expand; it knows %% %h"),
        ("IdentityFile ~/.ssh/id%",
         "config:1: IdentityFile uses the token %, which Tern does not expand; it knows \(pathTokens)"),
        ("UserKnownHostsFile none ~/.ssh/kh", "config:1: UserKnownHostsFile none must appear alone"),
        ("ProxyJump a,,b",
         "config:1: invalid ProxyJump hop '': expected [user@]host[:port], hops separated by commas"),
        ("ProxyJump a:99999",
         "config:1: invalid ProxyJump hop 'a:99999': expected [user@]host[:port], hops separated by commas"),
        ("ProxyJump @a", "config:1: invalid ProxyJump hop '@a': expected [user@]host[:port], hops separated by commas"),
    ])
    func errorsNameFileAndLine(text: String, message: String) throws {
        let error = try #require(throws: SSHConfigError.self) { try config(text) }
        #expect(error.description == message)
    }

    @Test func onlyMatchAllIsSupported() throws {
        let parsed = try config(
            """
            Match host web*
                User matched
            Host web1
                Port 2201
            Match all
                User everyone
            """)
        #expect(parsed.warnings.map(\.description) == [
            "config:1: warning: Match host web*: Tern supports only 'Match all'; the settings up to the next Host or"
                + " Match line are skipped"
        ])
        let settings = parsed.resolve(name: "web1", address: nil, port: nil, user: nil, defaults: defaults)
        #expect(summary(settings) == "everyone@web1:2201 ~/.ssh/id_default")
    }

    @Test func unknownKeywordsAreWarnedAboutKnownOnesIgnored() throws {
        let parsed = try config("Host *\n  HostNmae typo\n  Compression yes\n  ControlMaster auto\n")
        #expect(parsed.warnings.map(\.description) == ["config:2: warning: unknown keyword 'HostNmae', ignored"])
    }
}
