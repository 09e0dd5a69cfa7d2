import TernInventory
import TernPlan
import Testing

/// `flattenedVars`: all < parent groups < child groups < host, and groups of
/// the same depth by `ansible_group_priority`, then by name.
@Suite struct VarPrecedenceTests {
    static let inventory = """
        [all:vars]
        role=all
        tz=UTC

        [dc:children]
        web

        [dc:vars]
        role=dc
        dc_only=1

        [web]
        node1.example.com:2222 role=host ansible_user=deploy
        node2.example.com

        [web:vars]
        role=web

        [zeta]
        node2.example.com
        node3.example.com

        [zeta:vars]
        role=zeta
        letter=z

        [alpha]
        node3.example.com

        [alpha:vars]
        role=alpha
        letter=a
        """

    @Test func hostBeatsEveryGroup() throws {
        let model = try load("hosts.ini", Self.inventory)
        #expect(
            AnsibleInventory.flattenedVars(for: "node1.example.com", in: model)
                == entries([
                    "role": .string("host"), "tz": .string("UTC"), "dc_only": .int(1), "ansible_port": .int(2222),
                    "ansible_user": .string("deploy"),
                ]))
    }

    /// node2 is in web (depth 2, under dc) and zeta (depth 1): the deeper group wins.
    @Test func childGroupBeatsParentAndShallowerGroups() throws {
        let model = try load("hosts.ini", Self.inventory)
        let vars = AnsibleInventory.flattenedVars(for: "node2.example.com", in: model)
        #expect(
            vars
                == entries([
                    "role": .string("web"), "tz": .string("UTC"), "dc_only": .int(1), "letter": .string("z"),
                ]))
    }

    /// node3 is in alpha and zeta, both at depth 1: the later name wins.
    @Test func sameDepthMergesAlphabetically() throws {
        let model = try load("hosts.ini", Self.inventory)
        let vars = AnsibleInventory.flattenedVars(for: "node3.example.com", in: model)
        #expect(vars == entries(["role": .string("zeta"), "tz": .string("UTC"), "letter": .string("z")]))
    }

    @Test func groupPriorityOrdersGroupsOfTheSameDepth() throws {
        let model = try load(
            "hosts.ini", Self.inventory.replacingOccurrences(of: "letter=a", with: "letter=a\nansible_group_priority=5"))
        let vars = AnsibleInventory.flattenedVars(for: "node3.example.com", in: model)
        #expect(vars.first { $0.key == "role" }?.value == .string("alpha"))
        #expect(vars.first { $0.key == "letter" }?.value == .string("a"))
    }

    /// Depth is the longest chain from `all`, not the shortest.
    @Test func depthIsTheLongestChain() throws {
        let model = try load(
            "inventory.yml",
            """
            all:
              children:
                outer:
                  vars: {v: outer}
                  children:
                    inner:
                      vars: {v: inner}
                      hosts:
                        node1.example.com:
                inner:
                aaa:
                  vars: {v: aaa}
                  hosts:
                    node1.example.com:
            """)
        #expect(AnsibleInventory.flattenedVars(for: "node1.example.com", in: model) == entries(["v": .string("inner")]))
    }

    @Test func unknownHostHasNoVars() throws {
        let model = try load("hosts.ini", Self.inventory)
        #expect(AnsibleInventory.flattenedVars(for: "nobody.example.com", in: model).isEmpty)
    }
}
