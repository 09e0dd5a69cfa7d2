import Testing

@testable import TernSSH

/// The keywords Tern acts on besides host, port and user, and the ones it
/// reports as not followed.
@Suite struct SSHConfigOptionTests {
    func resolve(_ text: String, host: String = "h") throws -> ConnectionSettings {
        try config(text).resolve(name: host, address: nil, port: nil, user: nil, defaults: defaults)
    }

    @Test func connectionOptions() throws {
        let settings = try resolve(
            """
            Host h
                IdentitiesOnly yes
                ConnectTimeout 1m30s
                ServerAliveInterval 0
                IdentityAgent none
                UserKnownHostsFile ~/.ssh/kh_%h_%p /etc/ssh/lab_hosts
            """)
        #expect(settings.identitiesOnly)
        #expect(settings.connectTimeoutMillis == 90_000)
        #expect(settings.keepaliveSeconds == 0)
        #expect(!settings.useAgent)
        #expect(settings.knownHostsFiles == ["/home/tester/.ssh/kh_h_22", "/etc/ssh/lab_hosts"])
        #expect(settings.authTimeoutMillis == defaults.authTimeoutMillis)
    }

    @Test(arguments: [
        ("30", 30), ("30s", 30), ("5m", 300), ("1h30m", 5_400), ("1d", 86_400), ("1w", 604_800), ("2M10S", 130),
    ])
    func times(text: String, seconds: Int) throws {
        #expect(try resolve("ServerAliveInterval \(text)").keepaliveSeconds == seconds)
    }

    @Test func noneLeavesTheDefault() throws {
        #expect(try resolve("ConnectTimeout none\nConnectTimeout 5").connectTimeoutMillis == 5_000)
        #expect(try resolve("UserKnownHostsFile none").knownHostsFiles == [])
    }

    @Test(arguments: [
        ("yes", false), ("ask", false), ("accept-new", true), ("no", true), ("off", true), ("Accept-New", true),
    ])
    func strictHostKeyChecking(value: String, acceptsNew: Bool) throws {
        #expect(try resolve("StrictHostKeyChecking \(value)").acceptNewHostKeys == acceptsNew)
    }

    @Test func tokensAndTilde() throws {
        let settings = try resolve(
            """
            Host h
                HostName %h.example.com
                User deploy
                Port 2222
                IdentityFile ~/.ssh/%h-%p-%r
                IdentityFile %d/keys/%u-%i-%n-%l-%L-100%%
                IdentityFile ~root/key
            """)
        #expect(settings.hostName == "h.example.com")
        #expect(settings.identityFiles == [
            "/home/tester/.ssh/h.example.com-2222-deploy",
            "/home/tester/keys/tester-1000-h-build.example.org-build-100%",
            "/root/key",
        ])
    }

    @Test func ignoredOptionsAreReportedForTheHostsTheyApplyTo() throws {
        let parsed = try config(
            """
            Host legacy
                ProxyCommand nc -X connect %h %p
                CertificateFile ~/.ssh/id-cert.pub
            Host quiet
                ForwardAgent no
                ProxyCommand none
            Host *
                ForwardAgent yes
                IdentityAgent ~/.1password/agent.sock
            """)
        #expect(parsed.ignoredOptions(name: "legacy", address: nil).map(\.description) == [
            "config:2: warning: ProxyCommand is not supported by Tern; it connects directly (use ProxyJump for a"
                + " bastion host)",
            "config:3: warning: CertificateFile is not supported by Tern; no certificate is offered",
            "config:8: warning: ForwardAgent is not supported by Tern; the agent is not forwarded",
            "config:9: warning: IdentityAgent ~/.1password/agent.sock is not supported by Tern; it uses the agent"
                + " at SSH_AUTH_SOCK",
        ])
        #expect(parsed.ignoredOptions(name: "quiet", address: nil).map(\.line) == [9])
        let legacy = parsed.resolve(name: "legacy", address: nil, port: nil, user: nil, defaults: defaults)
        #expect(legacy.jumps == [])
    }
}
