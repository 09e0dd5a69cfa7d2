/// How many hosts are worked on at once, and which actions on a host must
/// not overlap. The walker decides *when* a node may start; the limiter
/// decides *how many* run.
///
/// A host holds one of `forks` slots while any of its nodes runs: the
/// second node of a busy host starts at once, a node of an idle host waits
/// for a free slot (first come, first served). Named locks (`lock: "pkg"`)
/// are per host: two actions holding the same lock on one host never run at
/// the same time.
public actor Limiter {
    public let forks: Int
    private var active: [Int: Int] = [:]
    private var waiting: [(host: Int, resume: CheckedContinuation<Void, Never>)] = []
    private var busyHosts = 0
    private var held: Set<LockKey> = []
    private var lockWaiters: [LockKey: [CheckedContinuation<Void, Never>]] = [:]

    struct LockKey: Hashable {
        let host: Int
        let name: String
    }

    public init(forks: Int) {
        self.forks = max(1, forks)
    }

    public func acquireHost(_ host: Int) async {
        if let n = active[host], n > 0 {
            active[host] = n + 1
            return
        }
        if busyHosts < forks {
            grant(host)
            return
        }
        await withCheckedContinuation { waiting.append((host, $0)) }
    }

    private func grant(_ host: Int) {
        busyHosts += 1
        active[host] = 1
    }

    public func releaseHost(_ host: Int) {
        let n = (active[host] ?? 1) - 1
        if n > 0 {
            active[host] = n
            return
        }
        active[host] = nil
        busyHosts -= 1
        guard !waiting.isEmpty else { return }
        let next = waiting.removeFirst()
        grant(next.host)
        next.resume.resume()
        // Every other waiter for that host joins it without a slot of its own.
        var rest: [(host: Int, resume: CheckedContinuation<Void, Never>)] = []
        for w in waiting {
            if w.host == next.host {
                active[next.host, default: 0] += 1
                w.resume.resume()
            } else {
                rest.append(w)
            }
        }
        waiting = rest
    }

    /// Takes a named lock on a host; returns true when it had to wait
    /// (what the lock guards may have changed meanwhile).
    public func lock(_ name: String, host: Int) async -> Bool {
        let key = LockKey(host: host, name: name)
        if !held.contains(key) {
            held.insert(key)
            return false
        }
        await withCheckedContinuation { lockWaiters[key, default: []].append($0) }
        return true
    }

    public func unlock(_ name: String, host: Int) {
        let key = LockKey(host: host, name: name)
        if var ws = lockWaiters[key], !ws.isEmpty {
            // Hand the lock over directly: it stays held.
            let next = ws.removeFirst()
            lockWaiters[key] = ws.isEmpty ? nil : ws
            next.resume()
        } else {
            held.remove(key)
        }
    }
}
