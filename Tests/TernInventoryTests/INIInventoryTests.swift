import TernInventory
import TernPlan
import Testing

/// The INI format, as Ansible's `ini` inventory plugin reads it.
@Suite struct INIInventoryTests {
    @Test func sectionsHostsChildrenAndVars() throws {
        let model = try load(
            "hosts.ini",
            """
            # Comment lines start with '#' ...
            ; ... or with ';'
            lone.example.com

            [web]
            node1.example.com ansible_host=127.0.0.1 http_port=8080
            node2.example.com:2222 ansible_user=deploy   # a trailing comment

            [db]
            db[01:03].example.com

            [prod:children]
            web
            db

            [prod:vars]
            ntp_server=ntp.example.com
            max_clients=200

            [all:vars]
            timezone=UTC
            """)
        #expect(
            model.hostNames == [
                "lone.example.com", "node1.example.com", "node2.example.com",
                "db01.example.com", "db02.example.com", "db03.example.com",
            ])
        #expect(model.groupNames == ["all", "ungrouped", "web", "db", "prod"])
        #expect(model.childrenOf("all") == ["ungrouped", "prod"])
        #expect(model.childrenOf("prod") == ["web", "db"])
        #expect(model.hostsOf("ungrouped") == ["lone.example.com"])
        #expect(model.hostsOf("web") == ["node1.example.com", "node2.example.com"])
        #expect(model.hostsOf("all") == [])

        let node1 = try #require(model.host(named: "node1.example.com"))
        #expect(node1.address == "127.0.0.1")
        #expect(node1.port == nil)
        #expect(node1.vars == entries(["http_port": .int(8080)]))
        #expect(node1.span.location.line == 6)
        #expect(node1.span.location.column == 1)
        #expect(node1.span.text == "node1.example.com")

        let node2 = try #require(model.host(named: "node2.example.com"))
        #expect(node2.port == 2222)
        #expect(node2.user == "deploy")
        #expect(node2.vars.isEmpty)

        #expect(
            model.group(named: "prod")?.vars
                == entries(["ntp_server": .string("ntp.example.com"), "max_clients": .int(200)]))
        #expect(model.group(named: "all")?.vars == entries(["timezone": .string("UTC")]))
        #expect(model.group(named: "db")?.span.location.line == 9)
        #expect(model.group(named: "db")?.span.location.column == 2)
    }

    /// Values are Python literals: numbers are numbers, quoted text is text.
    @Test func hostLineValues() throws {
        let model = try load(
            "hosts.ini",
            """
            [web]
            node1.example.com a=42 b="42" c=True d=true e=False f=no g='hello world' h=[1,2,'x'] i={'k':'v'} j=None k=007 l=1.5 m=-3 n=0x1F o=a\\ b p=x#comment
            """)
        let host = try #require(model.host(named: "node1.example.com"))
        #expect(
            host.vars
                == entries([
                    "a": .int(42), "b": .string("42"), "c": .bool(true), "d": .bool(true), "e": .bool(false),
                    "f": .string("no"), "g": .string("hello world"),
                    "h": .list([.int(1), .int(2), .string("x")]), "i": .map(entries(["k": .string("v")])),
                    "j": .null, "k": .string("007"), "l": .string("1.5"), "m": .int(-3), "n": .int(31),
                    "o": .string("a b"), "p": .string("x"),
                ]))
    }

    /// In a `:vars` section the value is the rest of the line.
    @Test func varsSectionValues() throws {
        let model = try load(
            "hosts.ini",
            """
            [web]
            node1.example.com

            [web:vars]
            port = 8080
            motd = hello world
            quoted = "hello world"
            flag=True
            empty=
            url=http://example.com/?a=b
            """)
        #expect(
            model.group(named: "web")?.vars
                == entries([
                    "port": .int(8080), "motd": .string("hello world"), "quoted": .string("hello world"),
                    "flag": .bool(true), "empty": .string(""), "url": .string("http://example.com/?a=b"),
                ]))
    }

    @Test(arguments: [
        ("node[1:3]", ["node1", "node2", "node3"]),
        ("node[01:10:3].example.com", ["node01.example.com", "node04.example.com", "node07.example.com", "node10.example.com"]),
        ("db-[a:c]", ["db-a", "db-b", "db-c"]),
        ("web[1:2]-[a:b]", ["web1-a", "web1-b", "web2-a", "web2-b"]),
        ("[a:b].example.com", ["a.example.com", "b.example.com"]),
        ("node[:2]", ["node0", "node1", "node2"]),
    ])
    func hostRanges(pattern: String, expected: [String]) throws {
        let model = try load("hosts.ini", "[web]\n\(pattern) role=web\n")
        #expect(model.hostNames == expected)
        #expect(model.hostsOf("web") == expected)
        #expect(model.hosts.allSatisfy { $0.vars == entries(["role": .string("web")]) })
    }

    @Test func rangeWithPortShorthand() throws {
        let model = try load("hosts.ini", "[web]\nnode[1:2].example.com:2222\n")
        #expect(model.hostNames == ["node1.example.com", "node2.example.com"])
        #expect(model.hosts.map(\.port) == [2222, 2222])
    }

    @Test func ipv6Addresses() throws {
        let model = try load("hosts.ini", "[web]\nfe80::1\n[fe80::2]:2222\n")
        #expect(model.hostNames == ["fe80::1", "fe80::2"])
        #expect(model.hosts.map(\.port) == [nil, 2222])
    }

    /// `[group]` and `[group:children]` may come after the `:children` entry that names them.
    @Test func childrenBeforeTheirSections() throws {
        let model = try load(
            "hosts.ini",
            """
            [europe:children]
            paris
            berlin

            [world:children]
            europe

            [paris]
            node1.example.com

            [berlin:children]

            [berlin:vars]
            lang=de
            """)
        // Groups come in the order of their section headers.
        #expect(model.groupNames == ["all", "ungrouped", "europe", "world", "paris", "berlin"])
        #expect(model.childrenOf("all") == ["ungrouped", "world"])
        #expect(model.childrenOf("world") == ["europe"])
        #expect(model.childrenOf("europe") == ["paris", "berlin"])
        #expect(model.group(named: "berlin")?.vars == entries(["lang": .string("de")]))
    }

    /// A host named again is one host; later vars win; `ungrouped` keeps only
    /// the hosts that are in no other group.
    @Test func hostsNamedAgain() throws {
        let model = try load(
            "hosts.ini",
            """
            node1.example.com role=none
            node2.example.com

            [web]
            node1.example.com role=web tier=1

            [db]
            node1.example.com:2200 role=db

            [all]
            node3.example.com
            """)
        #expect(model.hostNames == ["node1.example.com", "node2.example.com", "node3.example.com"])
        #expect(model.hostsOf("ungrouped") == ["node2.example.com", "node3.example.com"])
        #expect(model.hostsOf("all") == ["node3.example.com"])
        let node1 = try #require(model.host(named: "node1.example.com"))
        #expect(node1.vars == entries(["role": .string("db"), "tier": .int(1)]))
        #expect(node1.port == 2200)
        #expect(node1.span.location.line == 1)
    }

    @Test func connectionVariables() throws {
        let model = try load(
            "hosts.ini",
            """
            [web]
            a.example.com ansible_ssh_host=127.0.0.2 ansible_ssh_port=2200 ansible_ssh_user=legacy
            b.example.com:2222 ansible_port=22
            c.example.com ansible_ssh_user=legacy ansible_user=modern
            d.example.com ansible_port="2201" ansible_host=127.0.0.4
            """)
        let hosts = model.hosts
        #expect(hosts.map(\.address) == ["127.0.0.2", nil, nil, "127.0.0.4"])
        #expect(hosts.map(\.port) == [2200, 22, nil, 2201])
        // Ansible reads a setting's names in turn and keeps the last found: the legacy name wins.
        #expect(hosts.map(\.user) == ["legacy", nil, "legacy", nil])
        #expect(hosts.allSatisfy { $0.vars.isEmpty })
    }

    @Test func emptyAndExplicitHostsSections() throws {
        let model = try load("inventory.ini", "[empty]\n\n[web:hosts]\nnode1.example.com\n")
        #expect(model.groupNames == ["all", "ungrouped", "empty", "web"])
        #expect(model.hostsOf("empty") == [])
        #expect(model.hostsOf("web") == ["node1.example.com"])
        #expect(model.childrenOf("all") == ["ungrouped", "empty", "web"])
    }

    @Test func emptyFile() throws {
        let model = try load("hosts.ini", "")
        #expect(model.hosts.isEmpty)
        #expect(model.groupNames == ["all", "ungrouped"])
        #expect(model.childrenOf("all") == ["ungrouped"])
    }
}
