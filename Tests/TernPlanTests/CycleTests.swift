import TernPlan
import TernSource
import Testing

/// Steps that wait for each other are reported once per cycle, with a
/// message that does not change from run to run or when unrelated steps move.
@Suite struct CycleTests {
    /// `install` waits for `start`, which waits for `configure`, which waits
    /// for `install`; `motd` and `ntp` have nothing to do with it.
    static func threeStepCycle(order: [String]) -> PlanSketch {
        let all: [String: StepSketch] = [
            "install": StepSketch(name: "install", on: ["lab1"], after: ["start"]),
            "configure": StepSketch(name: "configure", on: ["lab1"], after: ["install"]),
            "start": StepSketch(name: "start", on: ["lab1"], after: ["configure"]),
            "motd": StepSketch(name: "motd", on: ["lab1"]),
            "ntp": StepSketch(name: "ntp", on: ["lab1"], after: ["motd"]),
        ]
        return PlanSketch(hosts: ["lab1"], order.compactMap { all[$0] })
    }

    @Test(arguments: [
        ["install", "configure", "start", "motd", "ntp"],
        ["motd", "ntp", "install", "configure", "start"],
        ["ntp", "install", "motd", "configure", "start"],
        ["install", "ntp", "configure", "motd", "start"],
    ])
    func threeStepCycleIsNamedInAStableOrder(order: [String]) throws {
        let (graph, diagnostics) = Self.threeStepCycle(order: order).build()

        #expect(graph == nil)
        let d = try #require(diagnostics.soleElement)
        #expect(d.id == "dependency-cycle")
        #expect(d.message == "steps wait for each other in a cycle: install -> start -> configure -> install")
        #expect(d.span?.text == "install")
        #expect(d.notes.map(\.message) == [
            "'install' waits for 'start'",
            "'start' waits for 'configure'",
            "'configure' waits for 'install'",
        ])
        // Each note points at the `after` name that makes the edge.
        #expect(d.notes.map { $0.span?.text } == ["start", "configure", "install"])
    }

    @Test func stepWaitingForItselfIsACycle() throws {
        let (graph, diagnostics) = PlanSketch(hosts: ["lab1", "lab2"], [
            StepSketch(name: "motd", on: ["lab1"]),
            StepSketch(name: "wait", on: ["lab1", "lab2"], after: ["motd", "wait"]),
        ]).build()

        #expect(graph == nil)
        let d = try #require(diagnostics.soleElement)
        #expect(d.id == "dependency-cycle")
        #expect(d.message == "step 'wait' waits for itself")
        #expect(d.notes.map(\.message) == ["'wait' waits for 'wait'"])
    }

    @Test func cycleThroughADataReferenceSaysSo() throws {
        let (_, diagnostics) = PlanSketch(hosts: ["lab1"], [
            StepSketch(name: "topology", on: ["lab1"], after: ["heketi_key"]),
            StepSketch(name: "heketi_key", on: ["lab1"], reads: [ReadSketch("topology@lab1")]),
        ]).build()

        let d = try #require(diagnostics.soleElement)
        #expect(d.message == "steps wait for each other in a cycle: topology -> heketi_key -> topology")
        #expect(d.notes.map(\.message) == [
            "'topology' waits for 'heketi_key'",
            "'heketi_key' depends on 'topology'",
        ])
    }

    @Test func separateCyclesAreReportedOnceEachInDeclarationOrder() {
        let (_, diagnostics) = PlanSketch(hosts: ["lab1"], [
            StepSketch(name: "b1", on: ["lab1"], after: ["b2"]),
            StepSketch(name: "a1", on: ["lab1"], after: ["a2"]),
            StepSketch(name: "a2", on: ["lab1"], after: ["a1"]),
            StepSketch(name: "b2", on: ["lab1"], after: ["b1"]),
        ]).build()

        #expect(diagnostics.map(\.message) == [
            "steps wait for each other in a cycle: b1 -> b2 -> b1",
            "steps wait for each other in a cycle: a1 -> a2 -> a1",
        ])
    }
}
