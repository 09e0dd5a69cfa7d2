import TernPlan

/// What one check said.
public struct CheckOutcome: Sendable, Hashable {
    public var stdout: String
    public var stderr: String
    public var exitStatus: Int32
    public var signal: String?
    public var durationMillis: Int

    public var satisfied: Bool { signal == nil && exitStatus == 0 }
}

/// Several read-only checks as one remote command: the fewest round trips.
///
/// The script goes to `/bin/sh -s` on standard input (no limit on its
/// length, unlike a command line). Each check runs through `eval` of one
/// quoted word in a subshell with standard input closed, so an `exit` or a
/// syntax error ends only that check; after it, a
/// marker line with a random token, the check's index and its status goes to
/// standard output, and one with the index to standard error, so each
/// stream splits back into one part per check. A single check is sent as it
/// is, with no wrapping.
public enum CheckScript {
    public static func script(_ checks: [String], token: String) -> String {
        var s = ""
        for (i, c) in checks.enumerated() {
            // `eval` of one quoted word: a check with a syntax error fails
            // alone instead of swallowing the rest of the script.
            s += "( eval \(ShellQuote.quote(c)) ) </dev/null\n"
            s += "tern_rc=$?; printf '\\n%s %d %d\\n' \(token) \(i) \"$tern_rc\"; printf '\\n%s %d\\n' \(token) \(i) >&2\n"
        }
        return s
    }

    /// Splits a batch's output back into one outcome per check; nil for a
    /// check whose marker never came (the batch was killed or timed out).
    public static func split(_ result: CommandResult, count: Int, token: String) -> [CheckOutcome?] {
        let out = Array(result.stdout), err = Array(result.stderr)
        var outPos = 0, errPos = 0
        var outcomes: [CheckOutcome?] = []
        for i in 0..<count {
            let outMarker = Array("\n\(token) \(i) ".utf8)
            let errMarker = Array("\n\(token) \(i)\n".utf8)
            guard let o = find(outMarker, in: out, from: outPos) else {
                outcomes += Array(repeating: nil, count: count - i)
                break
            }
            let stdout = out[outPos..<o]
            var p = o + outMarker.count
            var status: Int32 = 0
            var negative = false
            if p < out.count, out[p] == UInt8(ascii: "-") {
                negative = true
                p += 1
            }
            while p < out.count, out[p] != UInt8(ascii: "\n") {
                status = status &* 10 &+ Int32(out[p] &- 48)
                p += 1
            }
            outPos = min(p + 1, out.count)
            var stderr: ArraySlice<UInt8> = []
            if let e = find(errMarker, in: err, from: errPos) {
                stderr = err[errPos..<e]
                errPos = e + errMarker.count
            }
            outcomes.append(
                CheckOutcome(
                    stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
                    exitStatus: negative ? -status : status, signal: nil, durationMillis: result.durationMillis))
        }
        return outcomes
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from start: Int) -> Int? {
        guard needle.count <= hay.count - start else { return nil }
        var i = start
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == needle[0] {
                var j = 1
                while j < needle.count, hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    public static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        let v = g.next() as UInt64
        return "TERN-" + String(v, radix: 36)
    }
}

/// The checks of the nodes of one host that became ready together, sent as
/// one command. The walker says how many nodes belong to the batch; each
/// either submits its checks or withdraws, and the command goes out when
/// the last one has.
actor CheckBatch {
    let host: PlanHost
    let become: String?
    let timeoutMillis: Int?
    let transport: any Transport
    /// Checks of the host's later nodes, sent along (see `Prechecks`).
    let lookahead: [(node: Int, checks: [(action: Int, script: String)])]
    let prechecks: Prechecks?
    private var expected: Int
    private var parts: [(id: Int, checks: [String])] = []
    private var waiters: [Int: CheckedContinuation<Result<[CheckOutcome?], TransportError>, Never>] = [:]

    init(
        host: PlanHost, become: String?, timeoutMillis: Int?, transport: any Transport, expected: Int,
        lookahead: [(node: Int, checks: [(action: Int, script: String)])] = [], prechecks: Prechecks? = nil
    ) {
        self.host = host
        self.become = become
        self.timeoutMillis = timeoutMillis
        self.transport = transport
        self.expected = expected
        self.lookahead = lookahead
        self.prechecks = prechecks
    }

    func submit(id: Int, checks: [String]) async -> Result<[CheckOutcome?], TransportError> {
        await withCheckedContinuation { c in
            parts.append((id, checks))
            waiters[id] = c
            fireIfComplete()
        }
    }

    func withdraw() {
        expected -= 1
        fireIfComplete()
    }

    private func fireIfComplete() {
        guard parts.count >= expected, !parts.isEmpty else { return }
        let batch = parts
        let resumes = waiters
        parts = []
        waiters = [:]
        let ahead = lookahead
        let all = batch.flatMap(\.checks) + ahead.flatMap { $0.checks.map(\.script) }
        let (host, become, timeout, transport, prechecks) = (self.host, self.become, self.timeoutMillis, self.transport, self.prechecks)
        let generation = prechecks?.generation ?? 0
        Task {
            let result = await CheckRunner.run(all, on: host, become: become, timeoutMillis: timeout, transport: transport)
            // The results taken ahead are stored before any member goes on:
            // a member's dependent on this host may start right after it.
            if let prechecks, case .success(let outcomes) = result {
                var offset = batch.reduce(0) { $0 + $1.checks.count }
                for node in ahead {
                    var got: [Int: (script: String, outcome: CheckOutcome)] = [:]
                    for (action, script) in node.checks {
                        if let o = outcomes[offset] { got[action] = (script, o) }
                        offset += 1
                    }
                    if got.count == node.checks.count { prechecks.store(node: node.node, .init(generation: generation, outcomes: got)) }
                }
            }
            var offset = 0
            for part in batch {
                let slice = result.map { Array($0[offset..<(offset + part.checks.count)]) }
                offset += part.checks.count
                resumes[part.id]?.resume(returning: slice)
            }
        }
    }
}

/// Runs checks on a host: one as it is, several as one batch script.
enum CheckRunner {
    static func run(
        _ checks: [String], on host: PlanHost, become: String?, timeoutMillis: Int?, transport: any Transport
    ) async -> Result<[CheckOutcome?], TransportError> {
        if checks.isEmpty { return .success([]) }
        do {
            if checks.count == 1 {
                let r = try await transport.exec(CommandRequest(checks[0], become: become, timeoutMillis: timeoutMillis), on: host)
                return .success([
                    CheckOutcome(stdout: r.stdoutText, stderr: r.stderrText, exitStatus: r.exitStatus, signal: r.signal, durationMillis: r.durationMillis)
                ])
            }
            let token = CheckScript.randomToken()
            let script = CheckScript.script(checks, token: token)
            let request = CommandRequest("/bin/sh -s", become: become, stdin: Array(script.utf8), timeoutMillis: timeoutMillis)
            let r = try await transport.exec(request, on: host)
            return .success(CheckScript.split(r, count: checks.count, token: token))
        } catch {
            return .failure(error)
        }
    }
}
