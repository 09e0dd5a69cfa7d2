import Foundation
import Synchronization
import Testing
import TernEngine
import TernPlan
import TernSource

/// The walker, the limiter and the idempotence protocol, against the
/// in-memory transport. Tests that depend on interleaving run many times.
@Suite struct SchedulerTests {
    @Test func applyThenReapplyChangesNothing() async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "set a" }
            step b on all_hosts after a { action check: "test b", apply: "set b" }
            """)
        let t = MemoryTransport()
        let first = await execute(g, t)
        #expect(first.keys("a") == ["changed", "changed", "changed"])
        #expect(first.keys("b") == ["changed", "changed", "changed"])
        for h in ["h1", "h2", "h3"] { #expect(t.has("b", on: h)) }
        let appliesBefore = t.log.filter { $0.command.hasPrefix("set") }.count
        let second = await execute(g, t)
        #expect(second.nodes.allSatisfy { $0?.status == .ok })
        #expect(t.log.filter { $0.command.hasPrefix("set") }.count == appliesBefore)
        #expect(!second.hasChanges)
    }

    @Test func planRunsChecksOnly() async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "set a" }
            step b on all_hosts after a { action check: "test b", apply: "set b" }
            step c on all_hosts { run "set c" }
            """)
        let t = MemoryTransport()
        let plan = await execute(g, t, mode: .plan)
        #expect(!t.log.contains { $0.command.hasPrefix("set") })
        #expect(plan.keys("a") == ["would_change", "would_change", "would_change"])
        #expect(plan.keys("c") == ["would_change", "would_change", "would_change"])
        #expect(plan.hasChanges)
        _ = await execute(g, t)
        let after = await execute(g, t, mode: .plan)
        #expect(after.keys("a") == ["ok", "ok", "ok"])
        // An action without a check runs every time: always a change.
        #expect(after.keys("c") == ["would_change", "would_change", "would_change"])
    }

    @Test func planShowsWhatReadsAValueKnownOnlyAfterAnApplyAsMayChange() async throws {
        let (g, _) = try graph("""
            step b on h1 { action check: "test b", apply: "set b\\nsay made", notify: h }
            step c on h2 { action check: "test c${trim(output(b, h1))}", apply: "set c${trim(output(b, h1))}" }
            handler h on h1 { run "set restarted" }
            """, hosts: 2)
        let t = MemoryTransport()
        let plan = await execute(g, t, mode: .plan)
        #expect(plan.status("b", "h1") == .wouldChange)
        #expect(plan.status("c", "h2") == .mayChange("known after b@h1 applies"))
        #expect(plan.status("h", "h1") == .wouldChange)
        #expect(plan.nodes[1]?.actions.first?.status == .mayChange)
        #expect(!t.log.contains { $0.command.hasPrefix("set") })
        let apply = await execute(g, t)
        #expect(apply.status("c", "h2") == .changed)
        #expect(t.has("cmade", on: "h2"))
    }

    @Test(arguments: 0..<40) func afterWaitsForEveryHost(_ round: Int) async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "set a" }
            step b on all_hosts after a { action check: "test b", apply: "set b" }
            step c on h1 after b { action check: "test c", apply: "set c" }
            """, hosts: 4)
        let t = MemoryTransport()
        let r = await execute(g, t, forks: 1 + round % 4)
        #expect(!r.hasFailures)
        let log = t.log.map { "\($0.command)@\($0.host)" }
        let lastA = log.lastIndex { $0.hasPrefix("set a") }!
        let firstB = log.firstIndex { $0.hasPrefix("set b") }!
        let lastB = log.lastIndex { $0.hasPrefix("set b") }!
        let firstC = log.firstIndex { $0.hasPrefix("set c") }!
        #expect(lastA < firstB)
        #expect(lastB < firstC)
    }

    @Test(arguments: 0..<20) func dataReferenceWaitsForExactlyItsNode(_ round: Int) async throws {
        // c@h1 reads what b printed on h2; b@h3 is slow to converge (flaky)
        // but c must not wait for it: the data edge is to b@h2 only.
        let (g, _) = try graph("""
            step b on all_hosts { action check: "test b", apply: "say from-${host.name}\\nset b" }
            step c on h1 { action check: "test c", apply: "set c\\nsay ${trim(output(b, h2))}" }
            """)
        let t = MemoryTransport()
        let r = await execute(g, t)
        #expect(!r.hasFailures)
        let log = t.log
        let bOnH2 = log.firstIndex { $0.host == "h2" && $0.command.hasPrefix("say from") }!
        let c = log.firstIndex { $0.command.hasPrefix("set c") }!
        #expect(bOnH2 < c)
        let said = log.first { $0.host == "h1" && $0.command.contains("say") && $0.command.contains("set c") }
        #expect(said?.command == "set c\nsay from-h2")
    }

    @Test(arguments: [1, 2, 3]) func forksBoundsHostsAtOnce(_ forks: Int) async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "hold x\\nset a" }
            step b on all_hosts { action check: "test b", apply: "hold y\\nset b" }
            """, hosts: 6)
        let t = MemoryTransport()
        let r = await execute(g, t, forks: forks)
        #expect(!r.hasFailures)
        #expect(t.state.withLock { $0.peakHosts } <= forks)
        #expect(t.state.withLock { $0.peakHosts } >= 1)
    }

    @Test(arguments: 0..<30) func actionsSharingALockNeverOverlapOnAHost(_ round: Int) async throws {
        let (g, _) = try graph("""
            step p1 on all_hosts { action check: "test p1", apply: "hold pkg\\nset p1", lock: "pkg" }
            step p2 on all_hosts { action check: "test p2", apply: "hold pkg\\nset p2", lock: "pkg" }
            step p3 on all_hosts { action check: "test p3", apply: "hold pkg\\nset p3", lock: "pkg" }
            """, hosts: 2)
        let t = MemoryTransport()
        let r = await execute(g, t)
        #expect(!r.hasFailures)
        #expect(r.nodes.allSatisfy { $0?.status == .changed })
        for h in ["h1", "h2"] { #expect(t.state.withLock { $0.peakHeld["\(h)/pkg"] } == 1) }
    }

    @Test func failureSkipsDependentsOnlyAndIndependentBranchesFinish() async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "set a" }
            step broken on h2 after a { action check: "test x", apply: "fail" }
            step after_broken on all_hosts after broken { action check: "test d", apply: "set d" }
            step later on h3 after after_broken { action check: "test l", apply: "set l" }
            step independent on all_hosts after a { action check: "test i", apply: "set i" }
            """)
        let t = MemoryTransport()
        let r = await execute(g, t)
        guard case .failed(let why)? = r.status("broken", "h2") else {
            Issue.record("broken@h2 should fail")
            return
        }
        #expect(why.contains("status 1") && why.contains("boom"))
        for h in ["h1", "h2", "h3"] {
            #expect(r.status("after_broken", h) == .skipped("broken@h2 did not succeed"))
            #expect(r.status("independent", h) == .changed)
        }
        #expect(r.status("later", "h3") == .skipped("after_broken@h1 did not succeed"))
        #expect(r.hasFailures)
        // The re-run resumes: checks pass where the work was done.
        let again = await execute(g, t)
        #expect(again.status("a", "h1") == .ok)
        #expect(again.status("independent", "h3") == .ok)
    }

    @Test func didNotConverge() async throws {
        let (g, _) = try graph(#"step a on h1 { action check: "test never", apply: "say applied" }"#, hosts: 1)
        let r = await execute(g, MemoryTransport())
        guard case .failed(let why)? = r.status("a", "h1") else {
            Issue.record("should fail")
            return
        }
        #expect(why.hasPrefix("did not converge"))
        #expect(r.nodes[0]?.actions[0].commands.map(\.role) == [.check, .apply, .verify])
    }

    @Test func retriesUntilItConverges() async throws {
        let ok = try graph(#"step a on h1, retries: 2, delay: 1ms { action check: "test k", apply: "flaky k 2" }"#, hosts: 1).0
        #expect(await execute(ok, MemoryTransport()).status("a", "h1") == .changed)
        let short = try graph(#"step a on h1, retries: 1, delay: 1ms { action check: "test k", apply: "flaky k 2" }"#, hosts: 1).0
        let r = await execute(short, MemoryTransport())
        guard case .failed(let why)? = r.status("a", "h1") else {
            Issue.record("should fail")
            return
        }
        #expect(why.contains("after 2 attempts"))
    }

    @Test func unreachableHostFailsOnlyItsOwnNodes() async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "set a" }
            step b on all_hosts { action check: "test b", apply: "set b" }
            step c on h1 after a { action check: "test c", apply: "set c" }
            """)
        let t = MemoryTransport(unreachable: ["h2"])
        let r = await execute(g, t)
        for step in ["a", "b"] {
            guard case .unreachable? = r.status(step, "h2") else {
                Issue.record("\(step)@h2 should be unreachable, is \(String(describing: r.status(step, "h2")))")
                continue
            }
            #expect(r.status(step, "h1") == .changed)
            #expect(r.status(step, "h3") == .changed)
        }
        #expect(r.status("c", "h1") == .skipped("a@h2 did not succeed"))
        #expect(r.hasUnreachable)
        // Back up: a re-run converges.
        t.setUnreachable("h2", false)
        let again = await execute(g, t)
        #expect(!again.hasFailures)
        #expect(again.status("a", "h2") == .changed)
        #expect(again.status("a", "h1") == .ok)
    }

    @Test func failFastStartsNothingNew() async throws {
        let (g, _) = try graph("""
            step a on h1 { action check: "test x", apply: "fail" }
            step b on h1 after a { action check: "test b", apply: "set b" }
            step c on all_hosts after a { action check: "test c", apply: "set c" }
            step d on h2 { action check: "test d", apply: "set d" }
            step e on h2 after d { action check: "test e", apply: "set e" }
            """, hosts: 2)
        let r = await execute(g, MemoryTransport(), forks: 1, failFast: true)
        #expect(r.hasFailures)
        #expect(r.interrupted)
        #expect(!r.nodes.contains { $0?.status == .changed && $0?.ref.step == "e" })
        #expect(r.nodes.contains { if case .cancelled? = $0?.status { true } else { false } })
    }

    @Test(arguments: 0..<20) func handlersRunOnlyWhenNotified(_ round: Int) async throws {
        let (g, _) = try graph("""
            step config on all_hosts { action check: "test conf", apply: "set conf", notify: restart }
            step other on all_hosts { action check: "test o", apply: "set o", notify: restart }
            step broken on h3 { action check: "test x", apply: "fail" }
            handler restart on all_hosts { run "set restarted" }
            """)
        let t = MemoryTransport()
        // h2 already has its config: nothing there notifies.
        t.state.withLock { $0.keys["h2"] = ["conf", "o"] }
        let r = await execute(g, t)
        #expect(r.status("restart", "h1") == .changed)
        #expect(r.status("restart", "h2") == .notNotified)
        // A failure elsewhere on h3 does not stop h3's notified handler.
        #expect(r.status("restart", "h3") == .changed)
        #expect(!t.has("restarted", on: "h2"))
        // After the change that notified it.
        let log = t.log.filter { $0.host == "h1" }.map(\.command)
        #expect(log.lastIndex(of: "set conf")! < log.firstIndex(of: "set restarted")!)
        #expect(log.lastIndex(of: "set o")! < log.firstIndex(of: "set restarted")!)
        // Nothing changes the second time: the handler is not notified.
        let again = await execute(g, t)
        #expect(again.keys("restart") == ["not_notified", "not_notified", "not_notified"])
    }

    @Test func handlerOfAFailedNotifierDoesNotRun() async throws {
        let (g, _) = try graph("""
            step config on h1 {
              action check: "test conf", apply: "set conf", notify: restart
              action check: "test x", apply: "fail"
            }
            handler restart on h1 { run "set restarted" }
            """, hosts: 1)
        let r = await execute(g, MemoryTransport())
        #expect(r.status("restart", "h1") == .skipped("config@h1 did not succeed"))
    }

    @Test(arguments: 0..<20) func serialBatchesRollInOrder(_ round: Int) async throws {
        let (g, _) = try graph(#"step roll on all_hosts, serial: 2 { action check: "test r", apply: "hold roll\nset r" }"#, hosts: 5)
        let t = MemoryTransport()
        let r = await execute(g, t)
        #expect(!r.hasFailures)
        let order = t.log.filter { $0.command.hasPrefix("hold") }.map(\.host)
        let batchOf = ["h1": 0, "h2": 0, "h3": 1, "h4": 1, "h5": 2]
        #expect(order.map { batchOf[$0]! } == order.map { batchOf[$0]! }.sorted())
        #expect(Set(order) == Set(batchOf.keys))
    }

    @Test func onceRunsOnTheFirstHost() async throws {
        let (g, _) = try graph(#"step init on all_hosts, once: true { action check: "test i", apply: "set i" }"#)
        let t = MemoryTransport()
        let r = await execute(g, t)
        #expect(r.nodes.compactMap { $0?.ref.host } == ["h1"])
        #expect(t.has("i", on: "h1") && !t.has("i", on: "h2"))
    }

    @Test func firstChecksOfAHostGoOutAsOneCommand() async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "set a" }
            step b on all_hosts { action check: "test b", apply: "set b" }
            step c on all_hosts {
              action check: "test c1", apply: "set c1"
              action check: "test c2", apply: "set c2"
            }
            """)
        let t = MemoryTransport()
        t.state.withLock { for h in ["h1", "h2", "h3"] { $0.keys[h] = ["a", "b", "c1", "c2"] } }
        let r = await execute(g, t)
        #expect(r.nodes.allSatisfy { $0?.status == .ok })
        // One remote command per host: every check of every node at once.
        #expect(t.execs.count == 3)
        #expect(t.execs.allSatisfy { $0.command == "/bin/sh -s" })
        // Without batching: one command per check.
        let t2 = MemoryTransport()
        t2.state.withLock { for h in ["h1", "h2", "h3"] { $0.keys[h] = ["a", "b", "c1", "c2"] } }
        _ = await execute(g, t2, batch: false)
        #expect(t2.execs.count == 3 * 3)
    }

    @Test func aNoOpChainCostsOneCommandPerHost() async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "set a" }
            step b on all_hosts after a { action check: "test b", apply: "set b" }
            step c on all_hosts after b {
              action check: "test c", apply: "set c"
              action check: "test c2", apply: "set c2"
            }
            step d on h1 after c { action check: "test d", apply: "set d" }
            """)
        let t = MemoryTransport()
        _ = await execute(g, t)
        let before = t.execs.count
        let again = await execute(g, t)
        #expect(again.nodes.allSatisfy { $0?.status == .ok })
        // The later nodes' checks went out with each host's first batch.
        #expect(t.execs.count - before == 3, "\(t.execs.dropFirst(before).map(\.command))")
        #expect(again.remoteCommands == 3)
    }

    @Test(arguments: 0..<10) func anApplyAnywhereMakesChecksTakenAheadStale(_ round: Int) async throws {
        // x on h1 changes h2 (as a volume created from one peer does); y on
        // h2 was checked ahead, before x ran: that result must not be used.
        let (g, _) = try graph("""
            step w on h2 { action check: "test w", apply: "set w" }
            step x on h1 { action check: "test done", apply: "remote-set h2 flag\\nset done" }
            step y on h2 after x, w { action check: "test flag", apply: "fail" }
            """, hosts: 2)
        let t = MemoryTransport()
        let r = await execute(g, t)
        #expect(r.status("x", "h1") == .changed)
        #expect(r.status("y", "h2") == .ok)
    }

    // MARK: regressions found in review

    @Test func limitPastStepsWithNoSelectedNode() async throws {
        // a and b run on h2 only; --limit h1 leaves them empty: c@h1 must run.
        let (g, _) = try graph("""
            step a on h2 { action check: "test a", apply: "set a" }
            step b on h2 after a { action check: "test b", apply: "set b" }
            step c on all_hosts after b { action check: "test c", apply: "set c" }
            """, hosts: 2)
        let r = await execute(g, MemoryTransport(), selection: try Selection.hosts(["h1"], in: g))
        #expect(r.status("c", "h1") == .changed)
        #expect(r.nodes.compactMap { $0 }.count == 1)
    }

    @Test func anEmptyStepDoesNotLetItsUsersPassAFailure() async throws {
        let (g, _) = try graph("""
            step a on h1 { action check: "test a", apply: "set a" }
            step b on h2 after a { action check: "test b", apply: "set b" }
            step x on h1 { action check: "test x", apply: "fail" }
            step c on h1 after b, x { action check: "test c", apply: "set c" }
            """, hosts: 2)
        let t = MemoryTransport()
        let r = await execute(g, t, selection: try Selection.hosts(["h1"], in: g))
        #expect(r.status("c", "h1") == .skipped("x@h1 did not succeed"))
        #expect(!t.has("c", on: "h1"))
    }

    @Test func checksRunUnderTheirOwnStepsTimeout() async throws {
        let (g, _) = try graph("""
            step a on h1 { action check: "test a", apply: "set a" }
            step b on h1, timeout: 2s { action check: "test b", apply: "set b" }
            step c on h1 after a, timeout: 3s { action check: "test c", apply: "set c" }
            """, hosts: 1)
        let t = MemoryTransport()
        t.state.withLock { $0.keys["h1"] = ["a", "b", "c"] }
        _ = await execute(g, t)
        let s = t.state.withLock { $0 }
        for (i, e) in s.execs.enumerated() {
            let text = e.command == "/bin/sh -s" ? "" : e.command
            if text.contains("test b") { #expect(s.timeouts[i] == 2000) }
            if text.contains("test c") { #expect(s.timeouts[i] == 3000) }
        }
        // a's batch carries neither b's nor c's check (other timeouts).
        #expect(s.execs.count == 3)
    }

    @Test func aValueReadWithASecretStaysOutOfMessages() async throws {
        let (g, redactor) = try graph("""
            secret tok from env "TOK"
            step a on h1 { action check: "test x", apply: "say ${int(trim(read(h1, cmd: "say DBPASS-9f8e7d\\nunset ${tok}")))}" }
            """, hosts: 1, environment: ["TOK": "token-value-1234"])
        let r = await execute(g, MemoryTransport(), secrets: redactor)
        guard case .failed(let why)? = r.status("a", "h1") else {
            Issue.record("should fail: \(String(describing: r.status("a", "h1")))")
            return
        }
        #expect(!why.contains("DBPASS"), "\(why)")
    }

    @Test func rerunFollowsDataAllTheWayBack() throws {
        let (g, _) = try graph("""
            step q on h1 { action check: "test q", apply: "say q" }
            step p on h1 { action check: "test p${trim(output(q, h1))}", apply: "say p" }
            step n on h1 { action check: "test n${trim(output(p, h1))}", apply: "say n" }
            """, hosts: 1)
        let again = Selection.rerun(last: [NodeRef(step: "n", host: "h1"): "failed"], in: g)
        #expect(Set(again.map { g.nodes[$0].ref.step }) == ["n", "p", "q"])
    }

    @Test func aHandlerNotifiedRunsWhenAnotherPossibleNotifierFailed() async throws {
        let (g, _) = try graph("""
            step a on h1 { action check: "test a", apply: "set a", notify: restart }
            step b on h1 { action check: "test b", apply: "fail", notify: restart }
            handler restart on h1 { run "set restarted" }
            """, hosts: 1)
        let t = MemoryTransport()
        let r = await execute(g, t)
        #expect(r.status("b", "h1")?.isFailure == true)
        #expect(r.status("restart", "h1") == .changed)
        // Nothing notified it: not run, and not "skipped", whatever failed.
        _ = t.state.withLock { $0.keys["h1"]?.remove("restarted") }
        let again = await execute(g, t)
        #expect(again.status("restart", "h1") == .notNotified)
    }

    @Test func nodesWaitingForASlotDoNotStartAfterAnInterrupt() async throws {
        let (g, _) = try graph(#"step a on all_hosts { action check: "test a", apply: "set a" }"#, hosts: 6)
        let control = RunControl()
        // Interrupted during the first host's check: with one fork, the
        // other five wait for the slot, and must not start once they get it.
        let t = MemoryTransport(onExec: { control.interrupt() })
        let r = await execute(g, t, mode: .plan, forks: 1, control: control)
        #expect(r.nodes.compactMap { $0 }.filter { if case .cancelled = $0.status { true } else { false } }.count == 5)
        #expect(t.execs.count == 1)
        // Who interrupted is kept: the first reason wins.
        let c = RunControl()
        c.interrupt("--fail-fast: x failed", byUser: false)
        c.interrupt()
        #expect(c.isInterrupted && !c.interruptedByUser && c.reason == "--fail-fast: x failed")
    }

    @Test func aChangeInANodeRechecksTheRest() async throws {
        // c2's check depends on c1's apply: its first check is stale.
        let (g, _) = try graph("""
            step c on h1 {
              action check: "test c1", apply: "set c1"
              action check: "test c1", apply: "fail"
            }
            """, hosts: 1)
        let r = await execute(g, MemoryTransport())
        #expect(r.status("c", "h1") == .changed)
        #expect(r.nodes[0]?.actions.map(\.status) == [.changed, .ok])
    }

    @Test func interruptedRunCancelsWhatHasNotStarted() async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "set a" }
            step b on all_hosts after a { action check: "test b", apply: "set b" }
            """)
        let control = RunControl()
        let finishedA = Mutex(0)
        let t = MemoryTransport()
        // Interrupted once every `a` is done: no `b` may start.
        let r = await execute(g, t, control: control) { e in
            if case .nodeFinished(let n) = e, n.ref.step == "a", finishedA.withLock({ $0 += 1; return $0 }) == 3 {
                control.interrupt()
            }
        }
        #expect(r.interrupted)
        #expect(r.keys("a") == ["changed", "changed", "changed"])
        #expect(r.keys("b") == ["cancelled", "cancelled", "cancelled"])
        #expect(!t.log.contains { $0.command.hasPrefix("set b") })

        // Interrupted while `a` runs: an `a` that had not reached its action
        // is cancelled, and every `b` is cancelled or skipped — never run.
        let control2 = RunControl()
        let t2 = MemoryTransport()
        let r2 = await execute(g, t2, control: control2) { e in
            if case .nodeStarted(_, let ref, _) = e, ref.step == "a" { control2.interrupt() }
        }
        #expect(r2.keys("b").allSatisfy { $0 == "cancelled" || $0 == "skipped" })
        #expect(!t2.log.contains { $0.command.hasPrefix("set b") })
    }

    @Test func whenUsesFactsGatheredOncePerHost() async throws {
        let (g, _) = try graph("""
            step deb on all_hosts, when: host.facts.os_family == "debian" { action check: "test d", apply: "set d" }
            step rh on all_hosts, when: host.facts.os_family == "redhat" { action check: "test r", apply: "set r" }
            """)
        let t = MemoryTransport()
        let r = await execute(g, t)
        #expect(r.keys("deb") == ["changed", "changed", "changed"])
        #expect(r.keys("rh") == ["condition_false", "condition_false", "condition_false"])
        #expect(t.execs.filter { $0.command == FactScript.command }.count == 3)
    }

    @Test func selectionRunsOnlyChosenNodesAndTreatsOthersAsDone() async throws {
        let (g, _) = try graph("""
            step a on all_hosts { action check: "test a", apply: "set a" }
            step b on all_hosts after a { action check: "test b", apply: "set b" }
            step c on all_hosts after b { action check: "test c", apply: "set c" }
            """)
        let sel = try Selection.steps(["b"], in: g)
        #expect(Set(sel.map { g.nodes[$0].ref.step }) == ["a", "b"])
        let limited = try Selection.hosts(["h1,h3"], in: g)
        #expect(Set(limited.map { g.nodes[$0].ref.host }) == ["h1", "h3"])
        let t = MemoryTransport()
        let r = await execute(g, t, selection: sel.intersection(limited))
        #expect(t.has("b", on: "h1") && !t.has("b", on: "h2") && !t.has("c", on: "h1"))
        #expect(r.nodes.compactMap { $0 }.count == 4)
        #expect(throws: Selection.Failure.self) { try Selection.hosts(["h9"], in: g) }
        #expect(throws: Selection.Failure.self) { try Selection.steps(["bb"], in: g) }
        // Re-run what failed: the failed node, its dependents, nothing else.
        let again = Selection.rerun(last: [NodeRef(step: "b", host: "h2"): "failed", NodeRef(step: "c", host: "h1"): "skipped"], in: g)
        #expect(Set(again.map { g.nodes[$0].ref.description }) == ["b@h2", "c@h1", "c@h2", "c@h3"])
    }

    @Test func secretsNeverReachAReport() async throws {
        let secret = "hunter2-very-secret"
        let (g, redactor) = try graph("""
            secret token from env "TOKEN"
            step a on all_hosts { action check: "test a", apply: "say ${token}\\nfail" }
            step b on all_hosts { write_file "/etc/app.conf", content: "token=${token}\\n" }
            """, environment: ["TOKEN": secret])
        let t = MemoryTransport()
        var events: [String] = []
        let box = Mutex<[String]>([])
        let r = await execute(g, t, secrets: redactor) { e in box.withLock { $0.append(EventJSON.event(e)) } }
        events = box.withLock { $0 }
        #expect(t.log.contains { $0.command.contains(secret) })  // the host does get it
        var everything = events.joined() + EventJSON.summary(r, hosts: g.hosts, playbook: "p")
        for case let n? in r.nodes {
            everything += "\(n)"
        }
        #expect(!everything.contains(secret))
        #expect(everything.contains("***"))
    }
}
