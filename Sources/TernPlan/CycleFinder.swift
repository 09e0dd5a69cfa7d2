import TernSource

/// Finds dependency cycles at step level with Tarjan's strongly connected
/// components. A component of two or more steps, or a step that waits for
/// itself, is a cycle. For each one, a concrete loop is traced from the
/// component's first-declared step, always taking the earliest-declared next
/// step, so the message is the same on every run.
enum CycleFinder {
    /// Cycles among the hosts of one step (a step whose instances read each
    /// other), which the step-level search cannot see. Kahn's algorithm over
    /// the step's own nodes: whatever it cannot order lies on or behind a
    /// cycle; one loop through the first such node is named.
    static func instanceCycles(in graph: StepGraph) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (s, members) in graph.stepNodes.enumerated() {
            let inStep = Set(members)
            var deps: [Int: [Int]] = [:]
            for n in members {
                let same = graph.nodes[n].extraDependencies.filter { inStep.contains($0) }
                if !same.isEmpty { deps[n] = same }
            }
            guard !deps.isEmpty else { continue }
            var remaining = deps.mapValues { Set($0) }
            var progress = true
            while progress {
                progress = false
                for (n, ds) in remaining {
                    let open = ds.filter { remaining[$0] != nil }
                    if open.isEmpty { remaining[n] = nil; progress = true } else if open.count != ds.count { remaining[n] = open }
                }
            }
            guard let start = remaining.keys.min() else { continue }
            // Walk dependencies until a node repeats: that stretch is a loop.
            var path = [start]
            var cur = start
            while true {
                guard let next = remaining[cur]?.min() else { break }
                if let i = path.firstIndex(of: next) { path = Array(path[i...]); break }
                path.append(next)
                cur = next
            }
            let names = path.map { graph.nodes[$0].ref.description }
            out.append(Diagnostic.dependencyCycle(
                names + [names[0]], at: graph.steps[s].span,
                notes: [.init("the hosts of step '\(graph.steps[s].name)' read each other's results")]))
        }
        return out
    }

    static func cycles(in graph: StepGraph) -> [Diagnostic] {
        let edges = graph.stepLevelEdges
        let n = edges.count
        var index = 0
        var indices = Array(repeating: -1, count: n)
        var low = Array(repeating: 0, count: n)
        var onStack = Array(repeating: false, count: n)
        var stack: [Int] = []
        var components: [[Int]] = []

        // Iterative Tarjan: a playbook may have thousands of steps in a chain.
        for root in 0..<n where indices[root] < 0 {
            var work: [(v: Int, next: Int)] = [(root, 0)]
            indices[root] = index; low[root] = index; index += 1
            stack.append(root); onStack[root] = true
            while let top = work.last {
                let v = top.v
                if top.next < edges[v].count {
                    work[work.count - 1].next += 1
                    let w = edges[v][top.next]
                    if indices[w] < 0 {
                        indices[w] = index; low[w] = index; index += 1
                        stack.append(w); onStack[w] = true
                        work.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], indices[w])
                    }
                } else {
                    work.removeLast()
                    if let parent = work.last { low[parent.v] = min(low[parent.v], low[v]) }
                    if low[v] == indices[v] {
                        var component: [Int] = []
                        while let w = stack.popLast() {
                            onStack[w] = false
                            component.append(w)
                            if w == v { break }
                        }
                        if component.count > 1 || edges[v].contains(v) { components.append(component.sorted()) }
                    }
                }
            }
        }

        return components.sorted { $0[0] < $1[0] }.map { component in
            let members = Set(component)
            let start = component[0]
            // Trace a loop start -> ... -> start inside the component (BFS for the shortest).
            var previous: [Int: Int] = [:]
            var queue = [start]
            var found = false
            var head = 0
            while head < queue.count, !found {
                let v = queue[head]; head += 1
                for w in edges[v] where members.contains(w) {
                    if w == start { previous[start] = v; found = true; break }
                    if previous[w] == nil { previous[w] = v; queue.append(w) }
                }
            }
            // previous[w] = v: w was reached from v (v waits for w). Walk back
            // from the step that closes the loop to recover start -> ... -> start.
            var path: [Int] = []
            var cur = previous[start] ?? start
            while cur != start, path.count < component.count {
                path.append(cur)
                cur = previous[cur] ?? start
            }
            let ordered = [start] + path.reversed()
            let names = ordered.map { graph.steps[$0].name }
            let others = component.filter { !ordered.contains($0) }.map { graph.steps[$0].name }
            var notes: [Diagnostic.Note] = []
            for (i, s) in ordered.enumerated() {
                let next = ordered[(i + 1) % ordered.count]
                let decl = graph.steps[s]
                let span = zip(decl.after, decl.afterSpans).first { $0.0 == graph.steps[next].name }?.1 ?? decl.span
                let how = decl.after.contains(graph.steps[next].name) ? "waits for" : "depends on"
                notes.append(.init("'\(decl.name)' \(how) '\(graph.steps[next].name)'", at: span))
            }
            if !others.isEmpty {
                notes.append(.init("also caught in this cycle: \(others.joined(separator: ", "))"))
            }
            return Diagnostic.dependencyCycle(
                names + [names[0]], at: graph.steps[start].span, notes: notes)
        }
    }
}
