import TernSource

/// The plan: nodes are (step, host) pairs, edges mean "must finish before".
///
/// Edges come in two sizes. `after S` makes every node of a step wait for
/// every node of S; stored per node that would be |S| × |T| edges (10,000 for
/// two steps over 100 hosts), so it is stored once per step (`stepAfter`) and
/// expanded only when asked (`dependencies(of:)`). Data references and serial
/// batches are instance-level and stored per node (`extraDependencies`).
public struct StepGraph: Sendable {
    public struct Node: Sendable {
        public let ref: NodeRef
        public let step: Int
        public let host: Int
        public let actions: [Action]
        public let condition: Condition
        /// Node indices this node waits for beyond its step's `after`
        /// (data references and serial batches), sorted.
        public let extraDependencies: [Int]
    }

    public let hosts: [PlanHost]
    public let steps: [StepDecl]
    public let nodes: [Node]
    /// Node indices of each step, in the order the nodes were given (the
    /// evaluator gives them in target order, which serial batches follow).
    public let stepNodes: [[Int]]
    /// Step indices each step waits for, sorted.
    public let stepAfter: [[Int]]
    let nodeIndex: [NodeRef: Int]

    public func index(of ref: NodeRef) -> Int? { nodeIndex[ref] }

    /// Every node this node waits for, sorted and without repeats.
    public func dependencies(of node: Int) -> [Int] {
        let n = nodes[node]
        var deps = Set(n.extraDependencies)
        for s in stepAfter[n.step] { deps.formUnion(stepNodes[s]) }
        return deps.sorted()
    }

    public var edgeCount: Int {
        nodes.indices.reduce(0) { acc, i in
            acc + nodes[i].extraDependencies.count + stepAfter[nodes[i].step].reduce(0) { $0 + stepNodes[$1].count }
        }
    }

    /// Steps in an order that respects every edge (the graph has no cycle);
    /// ties broken by declaration order.
    public var stepOrder: [Int] {
        var indegree = Array(repeating: 0, count: steps.count)
        var users = Array(repeating: [Int](), count: steps.count)
        for (s, deps) in stepLevelEdges.enumerated() {
            indegree[s] = deps.count
            for d in deps { users[d].append(s) }
        }
        var ready = (0..<steps.count).filter { indegree[$0] == 0 }
        var order: [Int] = []
        while !ready.isEmpty {
            ready.sort(by: >)
            let s = ready.removeLast()
            order.append(s)
            for u in users[s] {
                indegree[u] -= 1
                if indegree[u] == 0 { ready.append(u) }
            }
        }
        return order
    }

    /// Step-level view of every edge (after + data), for ordering and cycles.
    public var stepLevelEdges: [[Int]] {
        var edges = stepAfter.map(Set.init)
        for n in nodes {
            for d in n.extraDependencies where nodes[d].step != n.step { edges[n.step].insert(nodes[d].step) }
        }
        return edges.map { $0.sorted() }
    }
}
