/// "Did you mean ...?" for unknown names.
///
/// Candidates are ranked by Damerau–Levenshtein distance (a swap of two
/// adjacent letters counts as one edit, the most common typo). A candidate is
/// offered only when the distance is small relative to the length of the
/// name, so that `x` does not suggest `y`.
public enum Suggestions {
    public static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let target = Array(name.lowercased().unicodeScalars)
        let limit = max(1, min(3, (target.count + 2) / 3))
        var best: (String, Int)?
        for c in candidates where c != name {
            let candidate = Array(c.lowercased().unicodeScalars)
            var d = distance(target, candidate)
            // `retry` for `retries`, `str` for `string`: a prefix of three or
            // more letters is as good as one typo.
            if min(target.count, candidate.count) >= 3,
                candidate.starts(with: target) || target.starts(with: candidate)
            {
                d = min(d, limit)
            }
            guard d <= limit else { continue }
            if let (bestName, bestDistance) = best, bestDistance < d || (bestDistance == d && bestName <= c) {
                continue
            }
            best = (c, d)
        }
        return best?.0
    }

    /// A help line, or nil when nothing is close.
    public static func didYouMean(_ name: String, among candidates: some Sequence<String>) -> String? {
        closest(to: name, among: candidates).map { "did you mean '\($0)'?" }
    }

    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
