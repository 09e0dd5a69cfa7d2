import Synchronization
import TernPlan

/// Runs one node: fills in its run-time values, checks every action (the
/// first checks in the host's batch), and in apply mode applies what is not
/// satisfied and checks again.
struct NodeRunner: Sendable {
    let graph: StepGraph
    let nodeIndex: Int
    let mode: EngineMode
    let transport: any Transport
    let limiter: Limiter
    let memory: RunMemory
    let facts: FactCache
    let secrets: SecretBook
    let control: RunControl
    let hostsByName: [String: PlanHost]
    let batch: CheckBatch?
    let prechecks: Prechecks
    /// Read the old content of a file to show a diff in apply mode too.
    let applyDiffs: Bool
    let clock: ContinuousClock.Instant

    /// The node's report, and the standard output of its last command action.
    struct Outcome: Sendable {
        var report: NodeReport
        var output: String?
    }

    private var node: StepGraph.Node { graph.nodes[nodeIndex] }
    private var options: StepOptions { graph.steps[node.step].options }
    private var host: PlanHost { graph.hosts[node.host] }

    func run() async -> Outcome {
        let started = millisSinceStart()
        await limiter.acquireHost(node.host)
        let records = RecordLog()
        var outcome = await body(records: records)
        await limiter.releaseHost(node.host)
        outcome.report.startMillis = started
        outcome.report.durationMillis = millisSinceStart() - started
        if case .unreachable(let reason) = outcome.report.status { memory.markDown(host.name, reason: reason) }
        return outcome
    }

    private func millisSinceStart() -> Int {
        let d = ContinuousClock.now - clock
        return d.millis
    }

    private func report(_ status: NodeStatus, _ actions: [ActionReport] = []) -> Outcome {
        Outcome(report: NodeReport(node: nodeIndex, ref: node.ref, status: status, actions: actions))
    }

    private func failure(_ f: ResolveFailure) -> NodeStatus {
        if let t = f.transport, t.isUnreachable { return .unreachable(secrets.redact(t.description)) }
        return .failed(secrets.redact(f.message))
    }

    private func resolver(records: RecordLog) -> RuntimeResolver {
        RuntimeResolver(
            mode: mode, hosts: hostsByName, transport: transport, facts: facts, memory: memory, secrets: secrets,
            become: options.become, timeoutMillis: options.timeoutMillis, onCommand: { records.append($0) })
    }

    private func body(records: RecordLog) async -> Outcome {
        // Interrupted while this node waited for a host slot: it does not start.
        if control.isInterrupted {
            await batch?.withdraw()
            return report(.cancelled(control.reason), node.actions.map { ActionReport(label: $0.label, status: .notRun) })
        }
        if let reason = memory.downReason(host.name) {
            await batch?.withdraw()
            return report(.unreachable("\(host.name) is unreachable: \(reason)"))
        }
        let resolver = resolver(records: records)

        // 1. when:
        if case .deferred(let e) = node.condition {
            do {
                switch try await resolver.condition(e) {
                case .known(false):
                    await batch?.withdraw()
                    return report(.conditionFalse)
                case .known(true): break
                case .unknown(let why):
                    await batch?.withdraw()
                    return report(.mayChange("when: " + why), [])
                }
            } catch {
                await batch?.withdraw()
                return report(failure(error))
            }
        }

        // 2. run-time values
        var resolved: [Resolution<ResolvedAction>] = []
        for a in node.actions {
            do {
                resolved.append(try await resolve(a, resolver))
            } catch {
                await batch?.withdraw()
                var reports = node.actions.map { ActionReport(label: $0.label, status: .notRun) }
                reports[resolved.count] = ActionReport(label: a.label, status: .failed, message: secrets.redact(error.message), commands: records.take())
                return report(failure(error), reports)
            }
        }

        // 3. the first checks, batched with the host's other ready nodes
        let checkable = resolved.indices.filter { if case .known(let r) = resolved[$0], r.check != nil { true } else { false } }
        let scripts = checkable.map { i -> String in
            guard case .known(let r) = resolved[i] else { return "" }
            return r.check ?? ""
        }
        var first: [Int: CheckOutcome] = [:]
        let batchResult: Result<[CheckOutcome?], TransportError>
        if !scripts.isEmpty, let ahead = prechecks.take(node: nodeIndex, scripts: Dictionary(uniqueKeysWithValues: zip(checkable, scripts))) {
            // Checked ahead, and nothing applied since: no round trip.
            await batch?.withdraw()
            batchResult = .success(checkable.map { ahead[$0] })
        } else if let batch, !scripts.isEmpty {
            batchResult = await batch.submit(id: nodeIndex, checks: scripts)
        } else {
            await batch?.withdraw()
            batchResult = await CheckRunner.run(scripts, on: host, become: options.become, timeoutMillis: options.timeoutMillis, transport: transport)
        }
        switch batchResult {
        case .failure(let e):
            let status: NodeStatus = e.isUnreachable ? .unreachable(secrets.redact(e.description)) : .failed(secrets.redact(e.description))
            return report(status, node.actions.map { ActionReport(label: $0.label, status: .notRun) })
        case .success(let outcomes):
            for (i, o) in zip(checkable, outcomes) { if let o { first[i] = o } }
        }

        return mode == .plan
            ? await plan(resolved, first: first, records: records)
            : await apply(resolved, first: first, records: records)
    }

    private func resolve(_ a: Action, _ resolver: RuntimeResolver) async throws(ResolveFailure) -> Resolution<ResolvedAction> {
        switch a.kind {
        case .command(let check, let apply):
            var c: ResolvedText?
            if let check {
                switch try await resolver.command(check) {
                case .unknown(let why): return .unknown(why)
                case .known(let t): c = t
                }
            }
            switch try await resolver.command(apply) {
            case .unknown(let why): return .unknown(why)
            case .known(let t): return .known(ResolvedAction(label: a.label, lock: a.lock, kind: .command(check: c, apply: t)))
            }
        case .file(let f):
            switch try await resolver.text(f.content) {
            case .unknown(let why): return .unknown(why)
            case .known(let t):
                return .known(ResolvedAction(label: a.label, lock: a.lock, kind: .file(path: f.path, content: t, mode: f.mode, owner: f.owner, group: f.group)))
            }
        }
    }

    // MARK: plan

    private func plan(_ actions: [Resolution<ResolvedAction>], first: [Int: CheckOutcome], records: RecordLog) async -> Outcome {
        var reports: [ActionReport] = []
        var pending: String?
        var output: String?
        for (i, r) in actions.enumerated() {
            let label = node.actions[i].label
            guard case .known(let a) = r else {
                if case .unknown(let why) = r { pending = pending ?? why }
                reports.append(ActionReport(label: label, status: .mayChange, message: pending))
                continue
            }
            var commands = records.take()
            guard a.check != nil else {
                reports.append(ActionReport(label: label, status: .wouldChange, message: "has no check: runs every time", commands: commands))
                continue
            }
            guard let o = first[i] else {
                reports.append(ActionReport(label: label, status: .failed, message: "the check did not finish", commands: commands))
                continue
            }
            commands.append(record(.check, a.checkShown ?? "", o))
            if case .command = a.kind { output = o.stdout }
            if o.satisfied {
                reports.append(ActionReport(label: label, status: .ok, commands: commands))
            } else {
                let diff = await fileDiff(a)
                reports.append(ActionReport(label: label, status: .wouldChange, diff: diff.text, commands: commands + diff.commands))
            }
        }
        let status: NodeStatus
        if reports.contains(where: { $0.status == .failed }) {
            status = .failed(reports.first { $0.status == .failed }?.message ?? "a check failed")
        } else if reports.contains(where: { $0.status == .wouldChange }) {
            status = .wouldChange
        } else if let pending {
            status = .mayChange(pending)
        } else {
            status = .ok
        }
        return Outcome(report: NodeReport(node: nodeIndex, ref: node.ref, status: status, actions: reports), output: output)
    }

    // MARK: apply

    private func apply(_ actions: [Resolution<ResolvedAction>], first: [Int: CheckOutcome], records: RecordLog) async -> Outcome {
        var reports: [ActionReport] = []
        var known = first
        var output: String?
        var status: NodeStatus = .ok
        for (i, r) in actions.enumerated() {
            let label = node.actions[i].label
            guard case .known(let a) = r else {
                // Only plan mode leaves values unknown.
                reports.append(ActionReport(label: label, status: .failed, message: "a value is not known"))
                status = .failed("a value is not known")
                break
            }
            if control.isInterrupted {
                status = .cancelled(control.reason)
                break
            }
            var commands = records.take()
            if a.check != nil, known[i] == nil {
                // A change earlier in this node made the first checks stale:
                // check the rest again, in one command.
                let rest = (i..<actions.count).compactMap { j -> (Int, String)? in
                    if case .known(let b) = actions[j], let c = b.check { (j, c) } else { nil }
                }
                switch await CheckRunner.run(rest.map(\.1), on: host, become: options.become, timeoutMillis: options.timeoutMillis, transport: transport) {
                case .failure(let e):
                    reports.append(ActionReport(label: label, status: .failed, message: secrets.redact(e.description), commands: commands))
                    status = e.isUnreachable ? .unreachable(secrets.redact(e.description)) : .failed(secrets.redact(e.description))
                case .success(let outcomes):
                    for ((j, _), o) in zip(rest, outcomes) { if let o { known[j] = o } }
                }
                if status.isFailure { break }
            }
            var satisfied = false
            if a.check != nil {
                guard let o = known[i] else {
                    reports.append(ActionReport(label: label, status: .failed, message: "the check did not finish", commands: commands))
                    status = .failed("the check of \(label) did not finish")
                    break
                }
                commands.append(record(.check, a.checkShown ?? "", o))
                satisfied = o.satisfied
                if case .command = a.kind { output = o.stdout }
            }
            if satisfied {
                reports.append(ActionReport(label: label, status: .ok, commands: commands))
                continue
            }
            let result = await applyWithRetries(a, commands: commands)
            reports.append(result.report)
            if let out = result.output { output = out }
            for j in (i + 1)..<max(i + 1, actions.count) { known[j] = nil }
            switch result.report.status {
            case .changed: status = .changed
            case .ok: break
            default:
                status = result.unreachable.map { .unreachable($0) } ?? .failed(result.report.message ?? "failed")
            }
            if case .failed = status { break }
            if case .unreachable = status { break }
        }
        // Actions not reached
        for j in reports.count..<node.actions.count {
            reports.append(ActionReport(label: node.actions[j].label, status: .notRun))
        }
        return Outcome(report: NodeReport(node: nodeIndex, ref: node.ref, status: status, actions: reports), output: output)
    }

    private struct Applied {
        var report: ActionReport
        var output: String?
        var unreachable: String?
    }

    private func applyWithRetries(_ a: ResolvedAction, commands start: [CommandRecord]) async -> Applied {
        var commands = start
        if let lock = a.lock {
            let waited = await limiter.lock(lock, host: node.host)
            if waited, let check = a.check {
                // Another action held the lock: what it guards may be done now.
                if case .success(let o) = await CheckRunner.run([check], on: host, become: options.become, timeoutMillis: options.timeoutMillis, transport: transport), let o = o.first ?? nil {
                    commands.append(record(.check, a.checkShown ?? "", o))
                    if o.satisfied {
                        await limiter.unlock(lock, host: node.host)
                        return Applied(report: ActionReport(label: a.label, status: .ok, commands: commands))
                    }
                }
            }
        }
        var diff: String?
        if applyDiffs, case .file = a.kind {
            let d = await fileDiff(a)
            diff = d.text
            commands += d.commands
        }
        var result = Applied(report: ActionReport(label: a.label, status: .failed, diff: diff))
        let attempts = 1 + max(0, options.retries)
        for attempt in 1...attempts {
            if attempt > 1 {
                if control.isInterrupted { break }
                if options.delayMillis > 0 { await control.pause(millis: options.delayMillis) }
                if control.isInterrupted { break }
            }
            let step = await applyOnce(a)
            commands += step.commands
            result.output = step.output ?? result.output
            result.report.message = step.message
            result.unreachable = step.unreachable
            if step.converged {
                result.report.status = .changed
                result.report.message = nil
                break
            }
            if step.unreachable != nil { break }
        }
        result.report.commands = commands
        if result.report.status == .failed, attempts > 1, let m = result.report.message, result.unreachable == nil {
            result.report.message = m + " (after \(attempts) attempts)"
        }
        if let lock = a.lock { await limiter.unlock(lock, host: node.host) }
        return result
    }

    private struct Attempt {
        var commands: [CommandRecord] = []
        var converged = false
        var message: String?
        var output: String?
        var unreachable: String?
    }

    private func applyOnce(_ a: ResolvedAction) async -> Attempt {
        var at = Attempt()
        // Checks taken ahead of their nodes are stale from here on.
        prechecks.bump()
        defer { prechecks.bump() }
        do {
            switch a.kind {
            case .command(_, let apply):
                let r = try await transport.exec(CommandRequest(apply.real, become: options.become, timeoutMillis: options.timeoutMillis), on: host)
                at.commands.append(record(.apply, apply.shown, r))
                at.output = r.stdoutText
                guard r.succeeded else {
                    at.message = r.signal.map { "the apply was killed by SIG\($0)" } ?? "the apply failed with status \(r.exitStatus)" + lastLine(r.stderrText)
                    return at
                }
            case .file(let path, let content, let mode, let owner, let group):
                let startTime = ContinuousClock.now
                try await transport.upload(
                    Array(content.real.utf8), to: path, options: UploadOptions(mode: mode, owner: owner, group: group, become: options.become), on: host)
                let d = ContinuousClock.now - startTime
                at.commands.append(
                    CommandRecord(role: .upload, command: "upload \(path)", stdout: "", stderr: "", exitStatus: 0,
                        durationMillis: d.millis))
            }
            guard let check = a.check else {
                at.converged = true
                return at
            }
            let v = try await transport.exec(CommandRequest(check, become: options.become, timeoutMillis: options.timeoutMillis), on: host)
            at.commands.append(record(.verify, a.checkShown ?? "", v))
            if v.succeeded {
                at.converged = true
            } else {
                at.message = "did not converge: the check still fails after the apply (status \(v.exitStatus))" + lastLine(v.stdoutText + v.stderrText)
            }
        } catch {
            at.message = secrets.redact(error.description)
            if error.isUnreachable { at.unreachable = at.message }
        }
        return at
    }

    private func lastLine(_ text: String) -> String {
        guard let line = text.split(separator: "\n").last(where: { !$0.allSatisfy(\.isWhitespace) }) else { return "" }
        return ": " + secrets.redact(String(line))
    }

    /// A unified diff of a file action's content against the file on the
    /// host, secrets masked on both sides.
    private func fileDiff(_ a: ResolvedAction) async -> (text: String?, commands: [CommandRecord]) {
        guard case .file(let path, let content, _, _, _) = a.kind else { return (nil, []) }
        let r: CommandResult
        do {
            r = try await transport.exec(CommandRequest(FileCheck.readScript(path: path), become: options.become, timeoutMillis: options.timeoutMillis), on: host)
        } catch {
            return (nil, [])
        }
        let rec = CommandRecord(role: .read, command: "read \(path) for a diff", stdout: "(\(r.stdout.count) bytes)", stderr: secrets.redact(r.stderrText), exitStatus: r.exitStatus, signal: r.signal, durationMillis: r.durationMillis)
        let new = Array(content.real.utf8)
        let old: [UInt8]
        if r.exitStatus == 3 {
            old = []
        } else if r.succeeded {
            old = r.stdout
        } else {
            return (nil, [rec])
        }
        if old.count > FileCheck.diffLimit || new.count > FileCheck.diffLimit {
            return ("(file larger than \(FileCheck.diffLimit) bytes: no diff shown)\n", [rec])
        }
        if UnifiedDiff.isBinary(old) || UnifiedDiff.isBinary(new) {
            return (old == new ? nil : "Binary files differ\n", [rec])
        }
        // The new side is shown as the plan shows it (secrets as ***); the
        // old side through the redactor, which knows every secret by now.
        let diff = UnifiedDiff.render(
            old: secrets.redact(String(decoding: old, as: UTF8.self)),
            new: secrets.redact(content.shown),
            oldName: r.exitStatus == 3 ? "/dev/null" : path, newName: path)
        return (diff.isEmpty ? nil : diff, [rec])
    }

    private func record(_ role: CommandRecord.Role, _ shown: String, _ o: CheckOutcome) -> CommandRecord {
        CommandRecord(
            role: role, command: secrets.redact(shown), stdout: secrets.redact(o.stdout), stderr: secrets.redact(o.stderr),
            exitStatus: o.exitStatus, signal: o.signal, durationMillis: o.durationMillis)
    }

    private func record(_ role: CommandRecord.Role, _ shown: String, _ r: CommandResult) -> CommandRecord {
        CommandRecord(
            role: role, command: secrets.redact(shown), stdout: secrets.redact(r.stdoutText), stderr: secrets.redact(r.stderrText),
            exitStatus: r.exitStatus, signal: r.signal, durationMillis: r.durationMillis)
    }
}

/// Commands a node ran while reading values, handed to the next action's report.
final class RecordLog: Sendable {
    private let records = Mutex<[CommandRecord]>([])
    func append(_ r: CommandRecord) { records.withLock { $0.append(r) } }
    func take() -> [CommandRecord] { records.withLock { let r = $0; $0 = []; return r } }
}
