import TernPlan
import TernSource
import Testing

/// How steps and their references become edges between (step, host) nodes.
@Suite struct GraphBuilderTests {
    @Test func afterWaitsForEveryInstanceOfTheAwaitedStep() throws {
        let g = try #require(
            PlanSketch(hosts: ["lab1", "lab2", "lab3"], [
                StepSketch(name: "glusterd", on: ["lab1", "lab2", "lab3"]),
                StepSketch(name: "volume", on: ["lab1", "lab2"], after: ["glusterd"]),
            ]).graph())

        for host in ["lab1", "lab2"] {
            #expect(g.dependencyNames(of: "volume@\(host)") == ["glusterd@lab1", "glusterd@lab2", "glusterd@lab3"])
            // `after` is stored once per step, not copied into every node.
            #expect(g.extraDependencyNames(of: "volume@\(host)") == [])
        }
        #expect(g.dependencyNames(of: "glusterd@lab1") == [])
        #expect(g.edgeCount == 6)
    }

    @Test func dataReferenceWaitsForExactlyTheInstanceItReads() throws {
        let g = try #require(
            PlanSketch(hosts: ["lab1", "lab2", "lab3"], [
                StepSketch(name: "heketi_key", on: ["lab1", "lab2"]),
                StepSketch(name: "trust", on: ["lab1", "lab2", "lab3"], reads: [ReadSketch("heketi_key@lab1")]),
            ]).graph())

        for host in ["lab1", "lab2", "lab3"] {
            #expect(g.dependencyNames(of: "trust@\(host)") == ["heketi_key@lab1"])
        }
        #expect(g.dependencyNames(of: "heketi_key@lab2") == [])
        #expect(g.edgeCount == 3)
        #expect(g.stepOrderNames == ["heketi_key", "trust"])
    }

    @Test func unknownStepInAfterSuggestsTheNearestName() throws {
        let (graph, diagnostics) = PlanSketch(hosts: ["lab1"], [
            StepSketch(name: "glusterd", on: ["lab1"]),
            StepSketch(name: "volume", on: ["lab1"], after: ["glusterdd"]),
        ]).build()

        #expect(graph == nil)
        let d = try #require(diagnostics.soleElement)
        #expect(d.id == "unknown-step")
        #expect(d.message == "no step named 'glusterdd'")
        #expect(d.help == "did you mean 'glusterd'?")
        #expect(d.span?.text == "glusterdd")
        #expect(d.span?.location.description == "site.tern:3:27")
    }

    @Test func unknownStepFarFromEveryNameHasNoSuggestion() throws {
        let (_, diagnostics) = PlanSketch(hosts: ["lab1"], [
            StepSketch(name: "glusterd", on: ["lab1"]),
            StepSketch(name: "volume", on: ["lab1"], after: ["kubernetes"]),
        ]).build()

        let d = try #require(diagnostics.soleElement)
        #expect(d.id == "unknown-step")
        #expect(d.help == nil)
    }

    @Test func dataReferenceToAStepNotOnThatHostIsAnError() throws {
        let (graph, diagnostics) = PlanSketch(hosts: ["lab1", "lab2", "lab3"], [
            StepSketch(name: "heketi_key", on: ["lab1"]),
            StepSketch(name: "trust", on: ["lab2"], reads: [ReadSketch("heketi_key@lab3")]),
        ]).build()

        #expect(graph == nil)
        let d = try #require(diagnostics.soleElement)
        #expect(d.id == "step-not-on-host")
        #expect(d.message == "step 'heketi_key' does not run on host 'lab3'")
        #expect(d.span?.text == "read(heketi_key@lab3)")
        #expect(d.notes.map(\.message) == ["'heketi_key' runs on: lab1"])
    }

    @Test func dataReferenceToAnUnknownStepIsAnUnknownStep() throws {
        let (_, diagnostics) = PlanSketch(hosts: ["lab1"], [
            StepSketch(name: "heketi_key", on: ["lab1"]),
            StepSketch(name: "trust", on: ["lab1"], reads: [ReadSketch("heketi_kye@lab1")]),
        ]).build()

        let d = try #require(diagnostics.soleElement)
        #expect(d.id == "unknown-step")
        #expect(d.help == "did you mean 'heketi_key'?")
    }

    @Test func duplicateStepPointsAtBothDefinitions() throws {
        let (graph, diagnostics) = PlanSketch(hosts: ["lab1"], [
            StepSketch(name: "glusterd", on: ["lab1"]),
            StepSketch(name: "other", on: ["lab1"]),
            StepSketch(name: "glusterd", on: ["lab1"]),
        ]).build()

        #expect(graph == nil)
        let d = try #require(diagnostics.soleElement)
        #expect(d.id == "duplicate-step")
        #expect(d.span?.location.description == "site.tern:5:6")
        #expect(d.notes.first?.span?.location.description == "site.tern:1:6")
    }

    /// Rolling batches over five hosts: each batch waits for the whole
    /// previous batch and nothing else.
    @Test(arguments: [
        (1, [[], ["lab1"], ["lab2"], ["lab3"], ["lab4"]]),
        (2, [[], [], ["lab1", "lab2"], ["lab1", "lab2"], ["lab3", "lab4"]]),
        (3, [[], [], [], ["lab1", "lab2", "lab3"], ["lab1", "lab2", "lab3"]]),
        (5, [[], [], [], [], []]),
        (9, [[], [], [], [], []]),
    ])
    func serialBatchesWaitForThePreviousBatch(size: Int, waits: [[String]]) throws {
        let hosts = ["lab1", "lab2", "lab3", "lab4", "lab5"]
        var options = StepOptions()
        options.serial = size
        let g = try #require(
            PlanSketch(hosts: hosts, [StepSketch(name: "upgrade", on: hosts, options: options)]).graph())

        for (host, expected) in zip(hosts, waits) {
            #expect(g.dependencyNames(of: "upgrade@\(host)") == expected.map { "upgrade@\($0)" }, "host \(host)")
        }
    }

    @Test func stepOrderIsTopologicalWithTiesInDeclarationOrder() throws {
        let g = try #require(
            PlanSketch(hosts: ["lab1", "lab2"], [
                StepSketch(name: "volume", on: ["lab1"], after: ["topology"]),
                StepSketch(name: "topology", on: ["lab1"], after: ["glusterd"], reads: [ReadSketch("heketi_key@lab1")]),
                StepSketch(name: "motd", on: ["lab1", "lab2"]),
                StepSketch(name: "glusterd", on: ["lab1", "lab2"]),
                StepSketch(name: "heketi_key", on: ["lab1"]),
                StepSketch(name: "storageclass", on: ["lab2"], after: ["volume", "motd"]),
            ]).graph())

        #expect(g.stepOrderNames == ["motd", "glusterd", "heketi_key", "topology", "volume", "storageclass"])
        // Every edge, after or data, points backwards in that order.
        let position = Dictionary(uniqueKeysWithValues: g.stepOrder.enumerated().map { ($1, $0) })
        for n in g.nodes.indices {
            for d in g.dependencies(of: n) where g.nodes[d].step != g.nodes[n].step {
                #expect(position[g.nodes[d].step, default: -1] < position[g.nodes[n].step, default: -1])
            }
        }
    }

    /// Two instances of one step that read each other can never start; the
    /// cycle lives inside one step, so it is found by the instance pass.
    @Test func instancesOfOneStepReadingEachOtherAreACycle() {
        let (graph, diagnostics) = PlanSketch(hosts: ["lab1", "lab2"], [
            StepSketch(
                name: "peer", on: ["lab1", "lab2"],
                reads: [ReadSketch("peer@lab2", on: ["lab1"]), ReadSketch("peer@lab1", on: ["lab2"])]),
        ]).build()

        #expect(graph == nil)
        #expect(diagnostics.map(\.id) == ["dependency-cycle"])
        #expect(diagnostics.first?.message == "steps wait for each other in a cycle: peer@lab1 -> peer@lab2 -> peer@lab1")
    }
}

extension Array {
    /// The single element, or nil when there are none or several.
    var soleElement: Element? { count == 1 ? first : nil }
}
