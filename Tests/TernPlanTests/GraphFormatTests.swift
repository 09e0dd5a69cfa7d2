import Foundation
import TernPlan
import Testing

/// The machine-readable forms: each must be accepted by the tool that reads
/// it, keep the graph's structure, and never show a secret.
@Suite struct GraphFormatTests {
    /// Step and host names that break naive quoting in every format.
    static var hostile: PlanSketch {
        PlanSketch(hosts: ["h\"1", "h\\2"], [
            StepSketch(name: "say \"hi\" <b>#1 & `x`", on: ["h\"1", "h\\2"]),
            StepSketch(name: "back\\slash", on: [], after: ["say \"hi\" <b>#1 & `x`"]),
            StepSketch(name: "two\nlines\ttab\u{1}", on: ["h\\2"], after: ["back\\slash"]),
            StepSketch(
                name: "reader", on: ["h\"1"], reads: [ReadSketch("two\nlines\ttab\u{1}@h\\2")],
                conditions: ["h\"1": .never]),
        ])
    }

    // MARK: DOT

    @Test func dotOfGlusterPlanIsAcceptedByGraphviz() throws {
        let g = try #require(PlanSketch.gluster.graph())
        try Graphviz.expectAccepted(GraphRenderer.render(g, as: .dot))
    }

    @Test func dotWithHostileNamesAndAnEmptyStepIsAcceptedByGraphviz() throws {
        let g = try #require(Self.hostile.graph())
        let dot = GraphRenderer.render(g, as: .dot)
        try Graphviz.expectAccepted(dot)
        #expect(dot.contains("label=\"say \\\"hi\\\" <b>#1 & `x`\";"))
        #expect(dot.contains("\"two\\nlines tab @h\\\\2\" -> \"reader@h\\\"1\" [style=dashed];"))
        #expect(dot.contains("\"step 1 (no hosts)\" [label=\"(no hosts)\", style=dotted];"))
    }

    /// `after` between two three-host steps is nine node dependencies but
    /// one drawn edge, from cluster to cluster; a data reference is one
    /// dashed edge between the two instances.
    @Test func dotDrawsAfterOncePerStepPairAndDataEdgesDashed() throws {
        let hosts = ["lab1", "lab2", "lab3"]
        let g = try #require(
            PlanSketch(hosts: hosts, [
                StepSketch(name: "glusterd", on: hosts),
                StepSketch(name: "heketi_key", on: ["lab1"]),
                StepSketch(name: "trust", on: hosts, after: ["glusterd"], reads: [ReadSketch("heketi_key@lab1", on: ["lab2"])]),
            ]).graph())
        let dot = GraphRenderer.render(g, as: .dot)
        let edges = dot.split(separator: "\n").filter { $0.contains("->") }.map { String($0) }
        #expect(edges == [
            "  \"glusterd@lab1\" -> \"trust@lab1\" [ltail=cluster_0, lhead=cluster_2];",
            "  \"heketi_key@lab1\" -> \"trust@lab2\" [style=dashed];",
        ])
        #expect(dot.hasPrefix("digraph tern {\n  compound=true;\n"))
        #expect(dot.contains("  subgraph cluster_2 {\n    label=\"trust\";\n    \"trust@lab1\";\n    \"trust@lab2\";\n"))
        try Graphviz.expectAccepted(dot)
    }

    // MARK: Mermaid

    @Test func mermaidHasOneSubgraphPerStepAndEdgesBetweenThem() throws {
        let g = try #require(PlanSketch.gluster.graph())
        let mermaid = GraphRenderer.render(g, as: .mermaid)
        #expect(mermaid.hasPrefix("flowchart TD\n"))
        #expect(mermaid.contains("  subgraph s0 [\"glusterd\"]\n    s0_h0[\"glusterd@lab1\"]\n    s0_h1[\"glusterd@lab2\"]\n  end\n"))
        #expect(mermaid.contains("\n  s0 --> s1\n"))
        #expect(mermaid.contains("\n  s2 --> s3\n"))
        #expect(mermaid.contains("\n  s1_h0 -.-> s2_h0\n"))
        #expect(mermaid.contains("\n  s1_h0 -.-> s2_h1\n"))
        #expect(mermaid.contains("s4_h1[\"cleanup@lab2 (skipped)\"]"))
    }

    /// Names reach Mermaid only inside quoted labels, with every character
    /// that could end the label or read as markup written as `#N;`.
    @Test func mermaidIdsAreIdentifiersAndLabelsAreEscaped() throws {
        let g = try #require(Self.hostile.graph())
        let mermaid = GraphRenderer.render(g, as: .mermaid)
        #expect(mermaid.contains("subgraph s0 [\"say #34;hi#34; #60;b#62;#35;1 #38; #96;x#96;\"]"))
        #expect(mermaid.contains("s0_h0[\"say #34;hi#34; #60;b#62;#35;1 #38; #96;x#96;@h#34;1\"]"))
        #expect(mermaid.contains("s1_none[\"(no hosts)\"]"))

        var subgraphs = 0
        for line in mermaid.split(separator: "\n").dropFirst() {
            let words = line.split(separator: " ")
            guard let first = words.first else { continue }
            if first == "subgraph" { subgraphs += 1 }
            if first == "end" { subgraphs -= 1 }
            // The first word of every line is a keyword or an identifier.
            let id = first.prefix { $0 != "[" }
            #expect(id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "line: \(line)")
            // Every label is one quoted string without a raw quote inside.
            if let open = line.firstIndex(of: "[") {
                let label = line[open...]
                #expect(label.hasPrefix("[\"") && label.hasSuffix("\"]"), "line: \(line)")
                #expect(label.dropFirst(2).dropLast(2).allSatisfy { $0 != "\"" }, "line: \(line)")
            }
        }
        #expect(subgraphs == 0)
    }

    // MARK: JSON

    @Test func jsonParsesAndHasTheExpectedIds() throws {
        let g = try #require(PlanSketch.gluster.graph())
        let json = GraphRenderer.render(g, as: .json)
        #expect(json.hasPrefix("{\n  \"hosts\": [\n    {\n      \"name\": \"lab1\",\n"))

        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(root.keys) == ["hosts", "steps", "nodes"])

        let hosts = try #require(root["hosts"] as? [[String: Any]])
        #expect(hosts.compactMap { $0["name"] as? String } == ["lab1", "lab2"])
        #expect(hosts.first?["port"] as? Int == 22)

        let steps = try #require(root["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["name"] as? String } == ["glusterd", "heketi_key", "trust", "topology", "cleanup"])
        #expect(steps[1]["after"] as? [String] == ["glusterd"])
        #expect(steps[1]["location"] as? String == "site.tern:4:6")
        let options = try #require(steps[1]["options"] as? [String: Any])
        #expect(options["retries"] as? Int == 2)
        #expect(options["become"] as? String == "root")
        #expect(options["timeout_ms"] is NSNull)

        let nodes = try #require(root["nodes"] as? [[String: Any]])
        #expect(nodes.compactMap { $0["id"] as? String } == [
            "glusterd@lab1", "glusterd@lab2", "heketi_key@lab1", "trust@lab1", "trust@lab2", "topology@lab1",
            "cleanup@lab2",
        ])
        let byID = Dictionary(uniqueKeysWithValues: nodes.compactMap { n in (n["id"] as? String).map { ($0, n) } })
        #expect(byID["trust@lab2"]?["depends_on"] as? [String] == ["heketi_key@lab1"])
        #expect(byID["trust@lab2"]?["condition"] as? String == "deferred")
        #expect(byID["trust@lab2"]?["when"] as? String == "${eq(lab2.facts.os, \"debian\")}")
        #expect(byID["cleanup@lab2"]?["condition"] as? String == "never")

        let topology = try #require(byID["topology@lab1"]?["actions"] as? [[String: Any]])
        #expect(topology.count == 2)
        #expect(topology[0]["kind"] as? String == "file")
        #expect(topology[0]["path"] as? String == "/etc/heketi/heketi.json")
        #expect(topology[0]["content_known"] as? Bool == true)
        #expect(topology[0]["content_bytes"] as? Int == 30)
        #expect(topology[1]["kind"] as? String == "command")
        #expect(topology[1]["check"] is NSNull)
        #expect(topology[1]["location"] as? String == "site.tern:13:3")

        let trust = try #require(byID["trust@lab1"]?["actions"] as? [[String: Any]])
        #expect(trust.first?["content_known"] as? Bool == false)
        #expect(trust.first?["content_bytes"] is NSNull)
    }

    /// The hand-written escaper round-trips through a real JSON parser.
    @Test func jsonEscapesEveryCharacterItMust() throws {
        let g = try #require(Self.hostile.graph())
        let json = GraphRenderer.render(g, as: .json)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let steps = try #require(root["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["name"] as? String } == Self.hostile.steps.map(\.name))
        let nodes = try #require(root["nodes"] as? [[String: Any]])
        #expect(nodes.compactMap { $0["id"] as? String } == [
            "say \"hi\" <b>#1 & `x`@h\"1", "say \"hi\" <b>#1 & `x`@h\\2", "two\nlines\ttab\u{1}@h\\2", "reader@h\"1",
        ])
        #expect(nodes.last?["depends_on"] as? [String] == ["two\nlines\ttab\u{1}@h\\2"])
    }

    // MARK: Secrets

    /// A graph with one secret in every place a plan can hold one: check,
    /// apply, a known file body, a deferred word, a command run at run time,
    /// a condition — and, by mistake, in a label and a path.
    static var secretive: PlanSketch {
        let secret = PlanSketch.adminKey
        return PlanSketch(hosts: ["lab1"], [
            StepSketch(
                name: "keys", on: ["lab1"],
                actions: [
                    .command(
                        "login with \(secret)",
                        check: Template([.text("heketi-cli --secret "), .secret(secret), .text(" cluster list")]),
                        apply: Template([
                            .text("heketi-cli --user admin --secret "), .secret(secret), .text(" --url "),
                            .deferred(.value(.secret(secret)), secret: true),
                        ])),
                    .file(
                        "file.content key",
                        FileSpec(
                            path: "/etc/keys/\(secret).pem", content: Template([.text("key="), .secret(secret)]),
                            mode: "0600")),
                    .file(
                        "file.content derived",
                        FileSpec(
                            path: "/etc/keys/derived",
                            content: Template([
                                .deferred(
                                    .output(host: "lab1", command: Template([.text("hash "), .secret(secret)]), after: []),
                                    secret: true)
                            ]))),
                ],
                conditions: [
                    "lab1": .deferred(.call(.ne, [.value(.secret(secret)), .value(.map([PlanEntry("k", .secret(secret))]))]))
                ]),
        ])
    }

    @Test(arguments: GraphFormat.allCases)
    func secretsNeverAppear(format: GraphFormat) throws {
        for sketch in [Self.secretive, PlanSketch.gluster] {
            let g = try #require(sketch.graph())
            let output = GraphRenderer.render(g, as: format)
            #expect(!output.contains(PlanSketch.adminKey), "secret shown in \(format) output:\n\(output)")
            #expect(!output.contains("s3cr3t"))
        }
    }

    @Test func redactedSecretsShowAsStars() throws {
        let g = try #require(Self.secretive.graph())
        let text = GraphRenderer.render(g, as: .text)
        #expect(text.contains("check: heketi-cli --secret *** cluster list\n"))
        #expect(text.contains("apply: heketi-cli --user admin --secret *** --url ${***}\n"))
        #expect(text.contains("$ login with ***  site.tern:2:3\n"))
        #expect(text.contains("path='/etc/keys/***.pem' mode=0600\n"))
        #expect(text.contains("when ${ne(***, {k: ***})}\n"))
    }
}

/// Graphviz as the judge of DOT output.
enum Graphviz {
    /// Runs `dot -Tsvg` on the text as a real process and expects success
    /// and silence. A missing Graphviz is a failure, not a skip: a test that
    /// cannot run must not look like one that passed.
    static func expectAccepted(_ dot: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let program = ShellProcess.which("dot") else {
            Issue.record(
                """
                Graphviz 'dot' is not installed, so DOT output cannot be checked; \
                install it with: apt-get update && apt-get install -y graphviz
                """,
                sourceLocation: sourceLocation)
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tern-dot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("plan.dot")
        let svg = dir.appendingPathComponent("plan.svg")
        try Data(dot.utf8).write(to: input)

        let result = try ShellProcess.run(program, ["-Tsvg", "-o", svg.path, input.path])
        #expect(result.status == 0, "dot failed:\n\(result.stderr)\ninput:\n\(dot)", sourceLocation: sourceLocation)
        #expect(result.stderr == "", "dot warned:\n\(result.stderr)", sourceLocation: sourceLocation)
        let image = String(decoding: (try? Data(contentsOf: svg)) ?? Data(), as: UTF8.self)
        #expect(image.contains("<svg"), "dot wrote no SVG", sourceLocation: sourceLocation)
    }
}
