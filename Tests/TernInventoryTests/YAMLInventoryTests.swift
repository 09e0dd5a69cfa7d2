import TernInventory
import TernPlan
import Testing

/// The YAML format, as Ansible's `yaml` inventory plugin reads it.
@Suite struct YAMLInventoryTests {
    @Test func allHostsVarsAndNestedChildren() throws {
        let model = try load(
            "inventory.yml",
            """
            all:
              vars:
                timezone: UTC
              hosts:
                lone.example.com:
              children:
                web:
                  hosts:
                    node1.example.com:
                      ansible_host: 127.0.0.1
                      http_port: 8080
                    node2.example.com:2222:
                      ansible_user: deploy
                  vars:
                    proxy: proxy.example.com
                prod:
                  children:
                    web:
                    db:
                      hosts:
                        db[01:03].example.com:
            """)
        #expect(
            model.hostNames == [
                "lone.example.com", "node1.example.com", "node2.example.com",
                "db01.example.com", "db02.example.com", "db03.example.com",
            ])
        #expect(model.groupNames == ["all", "ungrouped", "web", "prod", "db"])
        #expect(model.childrenOf("all") == ["ungrouped", "web", "prod"])
        #expect(model.childrenOf("prod") == ["web", "db"])
        #expect(model.hostsOf("all") == ["lone.example.com"])
        #expect(model.hostsOf("ungrouped") == ["lone.example.com"])
        #expect(model.hostsOf("db") == ["db01.example.com", "db02.example.com", "db03.example.com"])
        #expect(model.group(named: "all")?.vars == entries(["timezone": .string("UTC")]))
        #expect(model.group(named: "web")?.vars == entries(["proxy": .string("proxy.example.com")]))

        let node1 = try #require(model.host(named: "node1.example.com"))
        #expect(node1.address == "127.0.0.1")
        #expect(node1.vars == entries(["http_port": .int(8080)]))
        #expect(node1.span.location.line == 9)
        #expect(node1.span.location.column == 9)
        #expect(node1.span.text == "node1.example.com")

        let node2 = try #require(model.host(named: "node2.example.com"))
        #expect(node2.port == 2222)
        #expect(node2.user == "deploy")

        let all = try #require(model.group(named: "all"))
        #expect(all.span.location.line == 1)
        #expect(model.group(named: "db")?.span.location.line == 19)
    }

    /// Top-level keys other than `all` are groups too; sections may be a single name.
    @Test func topLevelGroupsAndShortForms() throws {
        let model = try load(
            "inventory.yaml",
            """
            web:
              hosts: node1.example.com
            db:
              hosts:
                db1.example.com: {}
                db2.example.com: ~
            empty:
            cluster:
              children: web
            """)
        #expect(model.hostNames == ["node1.example.com", "db1.example.com", "db2.example.com"])
        #expect(model.groupNames == ["all", "ungrouped", "web", "db", "empty", "cluster"])
        #expect(model.childrenOf("all") == ["ungrouped", "db", "empty", "cluster"])
        #expect(model.childrenOf("cluster") == ["web"])
        #expect(model.hostsOf("ungrouped") == [])
    }

    @Test func values() throws {
        let model = try load(
            "inventory.yml",
            """
            all:
              hosts:
                node1.example.com:
                  count: 3
                  quoted: "42"
                  enabled: yes
                  disabled: false
                  ratio: 1.5
                  nothing:
                  list: [a, 1]
                  nested: {k: v}
                  secret: !vault |
                    $ANSIBLE_VAULT;1.1;AES256
                    3131
            """)
        let host = try #require(model.host(named: "node1.example.com"))
        #expect(
            host.vars
                == entries([
                    "count": .int(3), "quoted": .string("42"), "enabled": .bool(true), "disabled": .bool(false),
                    "ratio": .string("1.5"), "nothing": .null, "list": .list([.string("a"), .int(1)]),
                    "nested": .map(entries(["k": .string("v")])),
                    "secret": .secret("$ANSIBLE_VAULT;1.1;AES256\n3131"),
                ]))
    }

    @Test func anchorsAndMergeKeys() throws {
        let model = try load(
            "inventory.yml",
            """
            all:
              hosts:
                node1.example.com: &defaults
                  ansible_user: deploy
                  tier: 1
                node2.example.com:
                  <<: *defaults
                  tier: 2
            """)
        let node2 = try #require(model.host(named: "node2.example.com"))
        #expect(node2.user == "deploy")
        #expect(node2.vars == entries(["tier": .int(2)]))
    }

    /// An alias may bring one group body into several groups.
    @Test func aliasedGroupBodies() throws {
        let model = try load(
            "inventory.yml",
            """
            template: &body
              hosts:
                node1.example.com:
              vars: {tier: 1}
            web:
              children:
                a: *body
                b: *body
            """)
        #expect(model.hostsOf("a") == ["node1.example.com"])
        #expect(model.hostsOf("b") == ["node1.example.com"])
        #expect(model.group(named: "b")?.vars == entries(["tier": .int(1)]))
        #expect(model.childrenOf("web") == ["a", "b"])
    }

    /// A group named in several places is one group.
    @Test func groupNamedAgainMerges() throws {
        let model = try load(
            "inventory.yml",
            """
            web:
              hosts:
                node1.example.com:
            prod:
              children:
                web:
                  hosts:
                    node2.example.com:
                  vars:
                    tier: front
            """)
        #expect(model.hostsOf("web") == ["node1.example.com", "node2.example.com"])
        #expect(model.group(named: "web")?.vars == entries(["tier": .string("front")]))
        #expect(model.childrenOf("all") == ["ungrouped", "prod"])
    }

    @Test func lettersRangesAndQuotedKeys() throws {
        let model = try load(
            "inventory.yml",
            """
            all:
              hosts:
                "db-[a:c].example.com:2200":
                node[1:2]:
            """)
        #expect(model.hostNames == ["db-a.example.com", "db-b.example.com", "db-c.example.com", "node1", "node2"])
        #expect(model.hosts.map(\.port) == [2200, 2200, 2200, nil, nil])
    }

    @Test func json() throws {
        let model = try load(
            "inventory.json",
            #"{"web": {"hosts": {"node1.example.com": {"ansible_port": 2222}}, "vars": {"x": 1}}}"#)
        #expect(model.host(named: "node1.example.com")?.port == 2222)
        #expect(model.group(named: "web")?.vars == entries(["x": .int(1)]))
    }
}
