import Testing

@testable import TernSSH

/// Which source wins for each setting: the inventory, the configuration
/// (first value wins), or Tern's defaults; and agreement with `ssh -G`.
@Suite struct SSHConfigResolutionTests {
    static let fixture = """
        # Specific hosts first, defaults last, as ssh_config(5) advises.
        Host web1
            User alice
            Port 2201

        Host web* !web9
            User bob
            HostName %h.internal
            IdentityFile ~/.ssh/web

        Host db?
            HostName=127.0.0.5
            Port = 2202

        Host *
            User carol
            Port 22
            IdentityFile ~/.ssh/id_ed25519
        """

    /// (inventory name, address, port, user) → the settings' summary.
    @Test(arguments: [
        ("web1", nil, nil, nil, "alice@web1.internal:2201 ~/.ssh/web,~/.ssh/id_ed25519"),
        ("web2", nil, nil, nil, "bob@web2.internal:22 ~/.ssh/web,~/.ssh/id_ed25519"),
        ("web9", nil, nil, nil, "carol@web9:22 ~/.ssh/id_ed25519"),
        ("db1", nil, nil, nil, "carol@127.0.0.5:2202 ~/.ssh/id_ed25519"),
        ("db12", nil, nil, nil, "carol@db12:22 ~/.ssh/id_ed25519"),
        ("other", nil, nil, nil, "carol@other:22 ~/.ssh/id_ed25519"),
        // Inventory port and user win, like ssh -p and -l.
        ("web1", nil, 2222, "root", "root@web1.internal:2222 ~/.ssh/web,~/.ssh/id_ed25519"),
        // An inventory address is the host argument: the patterns match it,
        // and it is where Tern connects.
        // The inventory name matches `Host web1` too; the address still wins over HostName.
        ("web1", "127.1.1.1", nil, nil, "alice@127.1.1.1:2201 ~/.ssh/web,~/.ssh/id_ed25519"),
        ("anything", "web2", nil, nil, "bob@web2:22 ~/.ssh/web,~/.ssh/id_ed25519"),
        ("anything", "db1", 2300, nil, "carol@db1:2300 ~/.ssh/id_ed25519"),
    ] as [(String, String?, Int?, String?, String)])
    func precedence(name: String, address: String?, port: Int?, user: String?, expected: String) throws {
        let settings = try config(Self.fixture).resolve(
            name: name, address: address, port: port, user: user, defaults: defaults)
        #expect(summary(settings) == expected)
        #expect(settings.name == name)
    }

    @Test func defaultsFillWhatNobodySets() throws {
        let settings = try config("").resolve(name: "web1", address: nil, port: nil, user: nil, defaults: defaults)
        var expected = defaults
        expected.name = "web1"
        expected.hostName = "web1"
        #expect(settings == expected)
    }

    /// `ssh -G` prints what OpenSSH itself makes of a configuration: for
    /// hosts without an inventory address, Tern must agree on where to
    /// connect, as whom, with which keys, and through which jump hosts.
    @Test(arguments: ["web1", "web2", "web9", "db1", "db12", "other", "bastion", "inner"])
    func agreesWithOpenSSH(host: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "config",
            """
            Host bastion
                HostName bastion.example.com
                User jump
            Host inner
                ProxyJump bastion,admin@gw:2022
            # Back to every host: without this the Include would only apply to inner.
            Match all
            Include \(directory.path)/fixture
            """)
        try directory.write("fixture", Self.fixture)
        let openSSH = try run("ssh", ["-G", "-F", path, host]).stdout
        var fields: [String: [String]] = [:]
        for line in openSSH.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0], default: []].append(parts[1]) }
        }
        let settings = try SSHConfig.load(path: path, account: tester)
            .resolve(name: host, address: nil, port: nil, user: nil, defaults: defaults)
        #expect(fields["hostname"] == [settings.hostName])
        #expect(fields["user"] == [settings.user])
        #expect(fields["port"] == [String(settings.port)])
        let keys = fields["identityfile"]?.map { $0.replacingOccurrences(of: "~", with: "/home/tester") }
        #expect(keys == settings.identityFiles)
        let jumps = fields["proxyjump"]?.first
        #expect(jumps == (host == "inner" ? "bastion,admin@gw:2022" : nil))
    }
}
