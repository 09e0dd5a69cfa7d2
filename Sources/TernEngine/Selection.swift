import Foundation
import TernPlan
import TernSource

/// Which nodes a run takes: `--limit`, `--step` and `--rerun-failed`.
public enum Selection {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Nodes on the hosts named by comma-separated names or shell-style
    /// patterns (`lab*`, `glfs-?`).
    public static func hosts(_ patterns: [String], in graph: StepGraph) throws(Failure) -> Set<Int> {
        var chosen = Set<Int>()
        for pattern in names(patterns) {
            let matches = graph.hosts.indices.filter { glob(pattern, graph.hosts[$0].name) }
            guard !matches.isEmpty else {
                var message = "--limit: no host of the playbook matches '\(pattern)'"
                if let s = Suggestions.closest(to: pattern, among: graph.hosts.map(\.name)) { message += "; did you mean '\(s)'?" }
                throw Failure(description: message)
            }
            chosen.formUnion(matches)
        }
        return Set(graph.nodes.indices.filter { chosen.contains(graph.nodes[$0].host) })
    }

    /// The nodes of the named steps with everything they depend on, and
    /// the handlers they may notify.
    public static func steps(_ names: [String], in graph: StepGraph) throws(Failure) -> Set<Int> {
        var nodes = Set<Int>()
        let known = graph.steps.map(\.name)
        for name in Self.names(names) {
            guard let s = known.firstIndex(of: name) else {
                var message = "--step: the playbook has no step '\(name)'"
                if let c = Suggestions.closest(to: name, among: known) { message += "; did you mean '\(c)'?" }
                throw Failure(description: message)
            }
            nodes.formUnion(graph.stepNodes[s])
        }
        return withHandlers(withDependencies(nodes, in: graph), in: graph)
    }

    /// What failed, was skipped or was cancelled last time, with its
    /// dependents, the nodes whose data or batches they wait for, and the
    /// handlers they may notify.
    public static func rerun(last: [NodeRef: String], in graph: StepGraph) -> Set<Int> {
        let again: Set<String> = ["failed", "unreachable", "skipped", "cancelled"]
        var start = Set<Int>()
        for (i, n) in graph.nodes.enumerated() {
            if let s = last[n.ref], again.contains(s) { start.insert(i) }
        }
        var chosen = withDependents(start, in: graph)
        // The nodes whose data they read, and the nodes those read, ...
        var stack = Array(chosen)
        while let i = stack.popLast() {
            for d in graph.nodes[i].extraDependencies where chosen.insert(d).inserted { stack.append(d) }
        }
        return withHandlers(chosen, in: graph)
    }

    public static func withDependencies(_ nodes: Set<Int>, in graph: StepGraph) -> Set<Int> {
        var seen = nodes
        var stack = Array(nodes)
        var stepsSeen = Set<Int>()
        while let i = stack.popLast() {
            let n = graph.nodes[i]
            for d in n.extraDependencies where seen.insert(d).inserted { stack.append(d) }
            for s in graph.stepAfter[n.step] where stepsSeen.insert(s).inserted {
                for d in graph.stepNodes[s] where seen.insert(d).inserted { stack.append(d) }
            }
        }
        return seen
    }

    public static func withDependents(_ nodes: Set<Int>, in graph: StepGraph) -> Set<Int> {
        var stepUsers = Array(repeating: [Int](), count: graph.steps.count)
        for (t, deps) in graph.stepAfter.enumerated() { for s in deps { stepUsers[s].append(t) } }
        var extraUsers = Array(repeating: [Int](), count: graph.nodes.count)
        for (i, n) in graph.nodes.enumerated() { for d in n.extraDependencies { extraUsers[d].append(i) } }
        var seen = nodes
        var stack = Array(nodes)
        var stepsSeen = Set<Int>()
        while let i = stack.popLast() {
            for u in extraUsers[i] where seen.insert(u).inserted { stack.append(u) }
            for t in stepUsers[graph.nodes[i].step] where stepsSeen.insert(t).inserted {
                for u in graph.stepNodes[t] where seen.insert(u).inserted { stack.append(u) }
            }
        }
        return seen
    }

    static func withHandlers(_ nodes: Set<Int>, in graph: StepGraph) -> Set<Int> {
        var out = nodes
        for i in nodes {
            for a in graph.nodes[i].actions {
                for name in a.notify {
                    if let h = graph.index(of: NodeRef(step: name, host: graph.nodes[i].ref.host)) { out.insert(h) }
                }
            }
        }
        return out
    }

    /// Repeated options of comma-separated names (`--step a,b --step c`).
    static func names(_ options: [String]) -> [String] {
        options.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    /// Shell-style matching of `*` and `?`.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
