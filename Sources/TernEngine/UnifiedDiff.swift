/// Line-based unified diffs, in the format `diff -u` and `patch` use, for
/// showing what a file change would do.
///
/// The edit script is a shortest one, found with Myers' O((N+M)·D) greedy
/// algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986)
/// after trimming the lines both sides share at the start and the end.
/// Lines compare as bytes, newline included: a last line without a newline
/// differs from the same line with one, and is marked
/// `\ No newline at end of file` as `diff` marks it. Past
/// `maxEditDistance` differing lines the search stops and the differing
/// middle is shown as removed and added whole: still a correct diff, only
/// not a shortest one.
public enum UnifiedDiff {
    public static let maxEditDistance = 1_000

    enum Op: Equatable {
        case keep, delete, insert
    }

    public static func render(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        if a == b { return "" }
        var pre = 0
        while pre < a.count, pre < b.count, a[pre] == b[pre] { pre += 1 }
        var suf = 0
        while suf < a.count - pre, suf < b.count - pre, a[a.count - 1 - suf] == b[b.count - 1 - suf] { suf += 1 }
        let ops = Array(repeating: Op.keep, count: pre)
            + script(Array(a[pre..<(a.count - suf)]), Array(b[pre..<(b.count - suf)]))
            + Array(repeating: Op.keep, count: suf)
        return "--- \(oldName)\n+++ \(newName)\n" + hunks(ops, a, b, context: max(0, context))
    }

    /// True when the bytes are not text: a NUL byte, or not valid UTF-8.
    public static func isBinary(_ bytes: [UInt8]) -> Bool {
        if bytes.contains(0) { return true }
        return String(validating: bytes, as: UTF8.self) == nil
    }

    /// Lines with their newline; the last may have none.
    static func lines(_ s: String) -> [ArraySlice<UInt8>] {
        let bytes = Array(s.utf8)
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        for (i, c) in bytes.enumerated() where c == UInt8(ascii: "\n") {
            out.append(bytes[start...i])
            start = i + 1
        }
        if start < bytes.count { out.append(bytes[start...]) }
        return out
    }

    /// A shortest edit script turning `a` into `b`.
    static func script(_ a: [ArraySlice<UInt8>], _ b: [ArraySlice<UInt8>]) -> [Op] {
        let n = a.count, m = b.count
        if n == 0 { return Array(repeating: .insert, count: m) }
        if m == 0 { return Array(repeating: .delete, count: n) }
        let limit = min(n + m, maxEditDistance)
        let offset = n + m + 1
        var v = Array(repeating: 0, count: 2 * offset + 1)
        // trace[d] holds v[-d...d] as it was when round d began.
        var trace: [[Int]] = []
        for d in 0...limit {
            trace.append(Array(v[(offset - d)...(offset + d)]))
            var k = -d
            while k <= d {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m { return backtrack(trace, n: n, m: m) }
                k += 2
            }
        }
        return Array(repeating: .delete, count: n) + Array(repeating: .insert, count: m)
    }

    private static func backtrack(_ trace: [[Int]], n: Int, m: Int) -> [Op] {
        var ops: [Op] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, to: 0, by: -1) {
            let v = trace[d]
            func at(_ k: Int) -> Int { v[k + d] }
            let k = x - y
            let prevK = k == -d || (k != d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1
            let prevX = at(prevK), prevY = prevX - prevK
            while x > prevX, y > prevY {
                ops.append(.keep)
                x -= 1
                y -= 1
            }
            ops.append(prevK == k + 1 ? .insert : .delete)
            x = prevX
            y = prevY
        }
        while x > 0, y > 0 {
            ops.append(.keep)
            x -= 1
            y -= 1
        }
        return ops.reversed()
    }

    /// The hunks: changes with `context` lines around them; two changes
    /// share a hunk when at most 2 × context unchanged lines part them.
    static func hunks(_ ops: [Op], _ a: [ArraySlice<UInt8>], _ b: [ArraySlice<UInt8>], context: Int) -> String {
        // Where each op stands in the old and the new file.
        var oldAt = [Int](), newAt = [Int]()
        var i = 0, j = 0
        for op in ops {
            oldAt.append(i)
            newAt.append(j)
            if op != .insert { i += 1 }
            if op != .delete { j += 1 }
        }
        oldAt.append(i)
        newAt.append(j)

        var out = ""
        var p = 0
        while p < ops.count {
            guard let first = ops[p...].firstIndex(where: { $0 != .keep }) else { break }
            var last = first
            var q = first
            // Extend over changes separated by at most 2 × context keeps.
            while q < ops.count {
                if ops[q] != .keep {
                    last = q
                    q += 1
                    continue
                }
                var r = q
                while r < ops.count, ops[r] == .keep { r += 1 }
                if r == ops.count || r - q > 2 * context { break }
                q = r
            }
            let start = max(0, first - context), end = min(ops.count, last + 1 + context)
            let oldStart = oldAt[start], oldCount = oldAt[end] - oldAt[start]
            let newStart = newAt[start], newCount = newAt[end] - newAt[start]
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            var s = start
            while s < end {
                if ops[s] == .keep {
                    out += line(" ", a[oldAt[s]])
                    s += 1
                    continue
                }
                // A run of changes: every removed line, then every added one.
                var e = s
                while e < end, ops[e] != .keep { e += 1 }
                for t in s..<e where ops[t] == .delete { out += line("-", a[oldAt[t]]) }
                for t in s..<e where ops[t] == .insert { out += line("+", b[newAt[t]]) }
                s = e
            }
            p = end
        }
        return out
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        switch count {
        case 0: "\(start),0"
        case 1: "\(start + 1)"
        default: "\(start + 1),\(count)"
        }
    }

    private static func line(_ mark: String, _ text: ArraySlice<UInt8>) -> String {
        let s = mark + String(decoding: text, as: UTF8.self)
        return text.last == UInt8(ascii: "\n") ? s : s + "\n\\ No newline at end of file\n"
    }
}
