import Foundation
import Synchronization
import TernPlan

/// What the nodes of a run have produced so far, shared by the walker and
/// the nodes that read values from earlier nodes.
final class RunMemory: Sendable {
    private struct State {
        var outputs: [NodeRef: String] = [:]
        var statuses: [NodeRef: NodeStatus] = [:]
        var down: [String: String] = [:]
    }

    private let state = Mutex(State())

    func finished(_ ref: NodeRef, status: NodeStatus, output: String?) {
        state.withLock {
            $0.statuses[ref] = status
            if let output { $0.outputs[ref] = output }
        }
    }

    func status(of ref: NodeRef) -> NodeStatus? { state.withLock { $0.statuses[ref] } }
    func output(of ref: NodeRef) -> String? { state.withLock { $0.outputs[ref] } }

    /// Marks a host unreachable: its later nodes fail without trying.
    func markDown(_ host: String, reason: String) {
        state.withLock { if $0.down[host] == nil { $0.down[host] = reason } }
    }

    func downReason(_ host: String) -> String? { state.withLock { $0.down[host] } }
}

/// A value, or the reason it is known only after an apply (plan mode).
enum Resolution<T: Sendable>: Sendable {
    case known(T)
    case unknown(String)
}

/// Why a run-time value could not be computed.
struct ResolveFailure: Error {
    let message: String
    let transport: TransportError?

    init(_ message: String, transport: TransportError? = nil) {
        self.message = message
        self.transport = transport
    }
}

/// A command or file body with every run-time value filled in.
struct ResolvedText: Sendable {
    /// What the host receives.
    var real: String
    /// What people see: secrets masked.
    var shown: String
}

/// Computes values known only at run time (`RuntimeExpr`) for one node.
struct RuntimeResolver {
    let mode: EngineMode
    let hosts: [String: PlanHost]
    let transport: any Transport
    let facts: FactCache
    let memory: RunMemory
    let secrets: SecretBook
    let become: String?
    let timeoutMillis: Int?
    /// Commands run to read values, for the node's report.
    let onCommand: @Sendable (CommandRecord) -> Void

    func value(_ e: RuntimeExpr) async throws(ResolveFailure) -> Resolution<PlanValue> {
        switch e {
        case .value(let v):
            return .known(v)
        case .fact(let hostName, let name):
            let host = try self.host(hostName)
            switch await facts.facts(of: host) {
            case .success(let f): return .known(.string(f[name] ?? ""))
            case .failure(let err): throw ResolveFailure("gathering facts on \(hostName) failed: \(err)", transport: err)
            }
        case .stepOutput(let step, let hostName):
            let ref = NodeRef(step: step, host: hostName)
            guard let status = memory.status(of: ref) else {
                throw ResolveFailure("output(\(step), \(hostName)) has no value: \(ref) is not part of this run")
            }
            if mode == .plan, status.isChange { return .unknown("known after \(ref) applies") }
            guard let out = memory.output(of: ref) else {
                throw ResolveFailure("output(\(step), \(hostName)) has no value: \(ref) ran no command (\(status.word))")
            }
            return .known(.string(out))
        case .readFile(let hostName, let path, let after):
            if let pending = pendingAfter(after, host: hostName) { return .unknown("known after \(pending) applies") }
            let host = try self.host(hostName)
            let out = try await run("cat -- " + ShellQuote.quote(path), on: host, what: "reading \(path)")
            return .known(.string(out))
        case .output(let hostName, let command, let after):
            if let pending = pendingAfter(after, host: hostName) { return .unknown("known after \(pending) applies") }
            let host = try self.host(hostName)
            switch try await self.command(command) {
            case .unknown(let why): return .unknown(why)
            case .known(let c):
                let out = try await run(c.real, on: host, what: "running \(c.shown)")
                // Output of a command built from a secret is secret, from
                // the moment it exists: no message may quote it.
                if command.containsSecret {
                    secrets.add(out)
                    secrets.add(out.trimmingCharacters(in: .whitespacesAndNewlines))
                    return .known(.secret(out))
                }
                return .known(.string(out))
            }
        case .call(let f, let args):
            var values: [PlanValue] = []
            for a in args {
                switch try await value(a) {
                case .unknown(let why): return .unknown(why)
                case .known(let v): values.append(v)
                }
            }
            do {
                return .known(try RuntimeFunctions.apply(f, values))
            } catch {
                throw ResolveFailure(secrets.redact(error.description))
            }
        }
    }

    /// A command with its run-time values as quoted words.
    func command(_ t: Template) async throws(ResolveFailure) -> Resolution<ResolvedText> {
        try await fill(t, asCommand: true)
    }

    /// A file body with its run-time values as plain text.
    func text(_ t: Template) async throws(ResolveFailure) -> Resolution<ResolvedText> {
        try await fill(t, asCommand: false)
    }

    private func fill(_ t: Template, asCommand: Bool) async throws(ResolveFailure) -> Resolution<ResolvedText> {
        var out = ResolvedText(real: "", shown: "")
        for s in t.segments {
            switch s {
            case .text(let x), .raw(let x), .word(let x), .secret(let x):
                // Known text: quoted (in a command) as Template itself does it,
                // so a check known at plan time reads the same both ways.
                let isSecret = if case .secret = s { true } else { false }
                if isSecret { secrets.add(x) }
                out.real += asCommand ? s.shell(redacted: false) : x
                out.shown += asCommand ? s.shell(redacted: true) : (isSecret ? "***" : x)
            case .deferred(let e, let secret):
                switch try await value(e) {
                case .unknown(let why): return .unknown(why)
                case .known(let v):
                    let isSecret = secret || v.isSecret
                    let words = Self.words(v)
                    if isSecret { for w in words { secrets.add(w) } }
                    let real = asCommand ? words.map(ShellQuote.quote).joined(separator: " ") : words.joined(separator: " ")
                    out.real += real
                    out.shown += isSecret ? "***" : real
                }
            }
        }
        return .known(out)
    }

    /// A value as the words it becomes in a command (a list is several).
    static func words(_ v: PlanValue) -> [String] {
        switch v {
        case .null: return [""]
        case .bool(let b): return [b ? "true" : "false"]
        case .int(let i): return [String(i)]
        case .string(let s), .secret(let s): return [s]
        case .list(let xs): return xs.flatMap(words)
        case .map: return [(try? JSONCodec.encode(v, pretty: false)) ?? ""]
        }
    }

    /// A `when:` condition.
    func condition(_ e: RuntimeExpr) async throws(ResolveFailure) -> Resolution<Bool> {
        switch try await value(e) {
        case .unknown(let why): return .unknown(why)
        case .known(.bool(let b)): return .known(b)
        case .known(let v): throw ResolveFailure("when: must be a bool, got \(PlanValueFormat.inline(v))")
        }
    }

    private func host(_ name: String) throws(ResolveFailure) -> PlanHost {
        guard let h = hosts[name] else { throw ResolveFailure("unknown host \(name)") }
        if let reason = memory.downReason(name) {
            throw ResolveFailure("\(name) is unreachable: \(reason)", transport: .unreachable(host: name, reason: reason))
        }
        return h
    }

    /// In plan mode, the first of `after` on `host` that has a change pending.
    private func pendingAfter(_ after: [String], host: String) -> NodeRef? {
        guard mode == .plan else { return nil }
        return after.map { NodeRef(step: $0, host: host) }.first { memory.status(of: $0)?.isChange == true }
    }

    private func run(_ command: String, on host: PlanHost, what: String) async throws(ResolveFailure) -> String {
        let r: CommandResult
        do {
            r = try await transport.exec(CommandRequest(command, become: become, timeoutMillis: timeoutMillis), on: host)
        } catch {
            throw ResolveFailure("\(what) on \(host.name) failed: \(error)", transport: error)
        }
        onCommand(
            CommandRecord(
                // The output is a value that may be secret (known only once
                // the caller marks it): its size is recorded, not its text.
                role: .read, command: secrets.redact(command), stdout: "(\(r.stdout.count) bytes, used as a value)",
                stderr: secrets.redact(r.stderrText), exitStatus: r.exitStatus, signal: r.signal, durationMillis: r.durationMillis))
        guard r.succeeded else {
            let detail = r.stderrText.split(separator: "\n").last.map { ": " + secrets.redact(String($0)) } ?? ""
            throw ResolveFailure("\(what) on \(host.name) failed with status \(r.exitStatus)\(detail)")
        }
        return r.stdoutText
    }
}
