import Testing

@testable import TernSSH

/// ProxyJump chains: each hop resolved like a host of its own.
@Suite struct SSHConfigProxyJumpTests {
    static let text = """
        Host bastion
            HostName bastion.example.com
            User jump
            Port 2200
            IdentityFile ~/.ssh/bastion
        Host inner
            HostName 127.1.0.1
            ProxyJump bastion
        Host web*
            ProxyJump inner,admin@gw:2022
        Host direct
            ProxyJump none
        Host uri
            ProxyJump ssh://ops@[fd00::1]:2201,[fd00::2]
        Host commanded
            ProxyCommand ssh -W %h:%p bastion
            ProxyJump bastion
        Host *
            ProxyJump bastion
        """

    /// Each hop is resolved through the configuration; the first hop's own
    /// ProxyJump comes first; a hop that leads back is not followed.
    @Test(arguments: [
        ("web1", [
            "jump@bastion.example.com:2200 ~/.ssh/bastion",
            "root@127.1.0.1:22 ~/.ssh/id_default",
            "admin@gw:2022 ~/.ssh/id_default",
        ]),
        ("inner", ["jump@bastion.example.com:2200 ~/.ssh/bastion"]),
        ("db1", ["jump@bastion.example.com:2200 ~/.ssh/bastion"]),
        // Host * names the bastion for the bastion itself: reached directly.
        ("bastion", []),
        ("direct", []),
        ("commanded", []),
        // The first hop is a host like any other: Host * sends it through the bastion.
        ("uri", [
            "jump@bastion.example.com:2200 ~/.ssh/bastion",
            "ops@fd00::1:2201 ~/.ssh/id_default",
            "root@fd00::2:22 ~/.ssh/id_default",
        ]),
    ])
    func chains(host: String, expected: [String]) throws {
        let settings = try config(Self.text).resolve(name: host, address: nil, port: nil, user: nil, defaults: defaults)
        #expect(settings.jumps.map(summary) == expected)
    }

    @Test func theTargetKeepsItsOwnSettings() throws {
        let settings = try config(Self.text).resolve(
            name: "web1", address: "127.168.1.10", port: 2222, user: "deploy", defaults: defaults)
        #expect(summary(settings) == "deploy@127.168.1.10:2222 ~/.ssh/id_default")
        // `Host web1` applies through the inventory name, so web1's own
        // ProxyJump chain is taken, as `ssh web1` would.
        #expect(settings.jumps.map(summary) == [
            "jump@bastion.example.com:2200 ~/.ssh/bastion", "root@127.1.0.1:22 ~/.ssh/id_default", "admin@gw:2022 ~/.ssh/id_default",
        ])
    }

    @Test func hopsLoopingBackAreNotFollowed() throws {
        let text = "Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n"
        let settings = try config(text).resolve(name: "a", address: nil, port: nil, user: nil, defaults: defaults)
        #expect(settings.jumps.map(\.hostName) == ["b"])
    }
}
