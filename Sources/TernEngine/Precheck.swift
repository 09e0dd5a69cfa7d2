import Synchronization
import TernPlan

/// Checks run ahead of their node: when a host's first batch goes out, the
/// checks of the host's later nodes that are known at plan time ride along.
/// A result stays good only while nothing has been applied anywhere since it
/// was taken (an apply on one host can change another: a volume created from
/// one peer makes bricks on all), so a run that changes nothing costs about
/// one round trip per host, and a run that changes things falls back to
/// checking each node when it starts.
final class Prechecks: Sendable {
    struct Result: Sendable {
        let generation: Int
        /// By action index: the script that ran and what it said.
        let outcomes: [Int: (script: String, outcome: CheckOutcome)]
    }

    private struct State {
        var generation = 0
        var results: [Int: Result] = [:]
    }

    private let state = Mutex(State())

    /// Called before and after every apply or upload.
    func bump() { state.withLock { $0.generation += 1 } }

    var generation: Int { state.withLock { $0.generation } }

    func store(node: Int, _ result: Result) { state.withLock { $0.results[node] = result } }

    /// The outcomes for exactly these scripts (by action index), if they
    /// were taken ahead and nothing was applied since; used at most once.
    func take(node: Int, scripts: [Int: String]) -> [Int: CheckOutcome]? {
        state.withLock { s in
            guard let r = s.results.removeValue(forKey: node), r.generation == s.generation,
                r.outcomes.count == scripts.count
            else { return nil }
            var out: [Int: CheckOutcome] = [:]
            for (i, script) in scripts {
                guard let hit = r.outcomes[i], hit.script == script else { return nil }
                out[i] = hit.outcome
            }
            return out
        }
    }
}

extension Action {
    /// The check command when it is known at plan time (no run-time value
    /// in it): what the engine will run, quoted the same way.
    var staticCheck: String? {
        switch kind {
        case .command(let check?, _):
            return check.isKnown ? check.shellCommand(redacted: false) : nil
        case .command(nil, _):
            return nil
        case .file(let f):
            guard let text = f.content.plainText else { return nil }
            return FileCheck.script(path: f.path, content: Array(text.utf8), mode: f.mode, owner: f.owner, group: f.group)
        }
    }
}
