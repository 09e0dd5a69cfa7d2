/// Line-based unified diff, as `diff -u` prints it, for showing what a file change would do.
///
/// The hunks are byte-identical to GNU diff's (`diff -u`, or `diff -U n` for another
/// `context`), because the steps are the ones GNU diff takes, in the same order:
///
/// 1. Trim the identical head and tail of the two texts, keeping `context` lines of each
///    in the compared region (GNU's "horizon").
/// 2. Number the remaining lines by equivalence class (byte equality; an incomplete last
///    line only equals the other side's incomplete last line).
/// 3. Set aside lines that match nothing on the other side, and lines that match very
///    many while sitting among such lines ("confusing" lines): they are changes anyway.
/// 4. Find the edit script of the rest with Myers' O(ND) divide-and-conquer (linear
///    space), including GNU's "too expensive" cut-off that bounds the search cost.
/// 5. Slide each run of changes so that runs merge, and otherwise as far down as possible.
/// 6. Group the changes into hunks: two changes share a hunk when at most `2 * context`
///    unchanged lines separate them.
///
/// Lines are compared as bytes, never with `String`'s canonical equivalence: a precomposed
/// "é" and "e" + U+0301 differ, as they do on disk.
public enum UnifiedDiff {
    /// Beyond this many changed lines the search stops and the compared region is
    /// reported as removed in full and added in full: still a correct diff, cheaply.
    static let maxEditDistance = 20_000

    /// Returns "" when old == new. Otherwise the header lines
    /// `--- oldName` and `+++ newName`, then hunks `@@ -a,b +c,d @@` with `context` lines of context,
    /// lines prefixed with " ", "-", "+". A side that does not end with a newline gets the line
    /// `\ No newline at end of file` after its last line, as GNU diff prints it.
    /// Ranges follow GNU diff: a count of 1 is written without ",1"; an empty side is written "0,0".
    public static func render(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let oldBytes = Array(old.utf8)
        let newBytes = Array(new.utf8)
        if oldBytes == newBytes { return "" }
        let context = max(0, context)
        let files = (LineTable(oldBytes), LineTable(newBytes))
        let changes = editScript(files.0, files.1, horizon: context)
        if changes.isEmpty { return "" }

        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: Array("--- \(oldName)\n+++ \(newName)\n".utf8))
        var start = 0
        while start < changes.count {
            // Extend the hunk while the next change is close enough that the context
            // after one and before the other would touch or overlap.
            var end = start
            while end + 1 < changes.count
                && changes[end + 1].line0 - (changes[end].line0 + changes[end].deleted) <= 2 * context
            {
                end += 1
            }
            writeHunk(changes[start...end], files.0, files.1, context: context, into: &out)
            start = end + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True when the bytes look binary (contain a NUL byte or are not valid UTF-8).
    public static func isBinary(_ bytes: [UInt8]) -> Bool {
        if bytes.contains(0) { return true }
        if !bytes.contains(where: { $0 >= 0x80 }) { return false }
        var iterator = bytes.makeIterator()
        var decoder = Unicode.UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return false
            case .error: return true
            }
        }
    }
}

// MARK: - Lines

/// A text split into lines. Each line keeps its "\n"; only the last line can lack it.
private struct LineTable {
    let bytes: [UInt8]
    /// Start offset of each line, then `bytes.count`.
    let starts: [Int]
    let missingNewline: Bool

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        if bytes.isEmpty {
            missingNewline = false
        } else {
            for (offset, byte) in bytes.enumerated() where byte == newline && offset + 1 < bytes.count {
                starts.append(offset + 1)
            }
            starts.append(bytes.count)
            missingNewline = bytes[bytes.count - 1] != newline
        }
        self.starts = starts
    }

    var count: Int { starts.count - 1 }

    subscript(line: Int) -> ArraySlice<UInt8> { bytes[starts[line]..<starts[line + 1]] }

    /// Whether the line has its newline (false only for an incomplete last line).
    func isComplete(_ line: Int) -> Bool { bytes[starts[line + 1] - 1] == newline }

    /// The byte at `offset` of the text as GNU diff buffers it: with a newline
    /// appended when the text lacks one.
    func byte(_ offset: Int) -> UInt8 { offset < bytes.count ? bytes[offset] : newline }

    /// Length of the text as GNU diff buffers it.
    var bufferedCount: Int { bytes.count + (missingNewline ? 1 : 0) }

    /// The number of the line that starts at `offset`, a line boundary.
    func line(startingAt offset: Int) -> Int {
        if offset >= bytes.count { return count }
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] < offset { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

private let newline = UInt8(ascii: "\n")

/// One change: `deleted` lines of the old text from `line0` replaced by `inserted` lines
/// of the new text from `line1` (0-based). With nothing deleted, `line0` is the line the
/// insertion goes before; likewise for `line1`.
private struct Change {
    var line0: Int
    var line1: Int
    var deleted: Int
    var inserted: Int
}

// MARK: - Output

private func writeHunk(
    _ hunk: ArraySlice<Change>, _ old: LineTable, _ new: LineTable, context: Int, into out: inout [UInt8]
) {
    let first = hunk[hunk.startIndex]
    let last = hunk[hunk.endIndex - 1]
    let first0 = max(first.line0 - context, 0)
    let first1 = max(first.line1 - context, 0)
    let last0 = min(last.line0 + last.deleted - 1 + context, old.count - 1)
    let last1 = min(last.line1 + last.inserted - 1 + context, new.count - 1)

    out.append(contentsOf: Array("@@ -\(range(first0, last0)) +\(range(first1, last1)) @@\n".utf8))

    var i = first0
    var j = first1
    var next = hunk.startIndex
    while i <= last0 || j <= last1 {
        if next == hunk.endIndex || i < hunk[next].line0 {
            writeLine(UInt8(ascii: " "), old, i, into: &out)
            i += 1
            j += 1
        } else {
            let change = hunk[next]
            for k in 0..<change.deleted { writeLine(UInt8(ascii: "-"), old, i + k, into: &out) }
            for k in 0..<change.inserted { writeLine(UInt8(ascii: "+"), new, j + k, into: &out) }
            i += change.deleted
            j += change.inserted
            next += 1
        }
    }
}

/// A hunk range as GNU diff prints it, from 0-based inclusive line numbers: "a,count",
/// just "a" for one line, and "b,0" (the line before) for none.
private func range(_ a: Int, _ b: Int) -> String {
    let start = a + 1
    let end = b + 1
    if end < start { return "\(end),0" }
    if end == start { return "\(end)" }
    return "\(start),\(end - start + 1)"
}

private func writeLine(_ mark: UInt8, _ table: LineTable, _ line: Int, into out: inout [UInt8]) {
    out.append(mark)
    out.append(contentsOf: table[line])
    if !table.isComplete(line) {
        out.append(contentsOf: Array("\n\\ No newline at end of file\n".utf8))
    }
}

// MARK: - Edit script

/// The changes that turn `old` into `new`, in order, as GNU diff finds them.
private func editScript(_ old: LineTable, _ new: LineTable, horizon: Int) -> [Change] {
    let region = comparedRegion(old, new, horizon: horizon)
    let lower = region.prefixLines
    let count0 = region.suffix0 - lower
    let count1 = region.suffix1 - lower

    // Equivalence classes of the compared lines.
    var classes: [ArraySlice<UInt8>: Int] = [:]
    var equivs0 = [Int](repeating: 0, count: count0)
    var equivs1 = [Int](repeating: 0, count: count1)
    for i in 0..<count0 {
        let line = old[lower + i]
        if let id = classes[line] {
            equivs0[i] = id
        } else {
            equivs0[i] = classes.count
            classes[line] = classes.count
        }
    }
    for i in 0..<count1 {
        let line = new[lower + i]
        if let id = classes[line] {
            equivs1[i] = id
        } else {
            equivs1[i] = classes.count
            classes[line] = classes.count
        }
    }

    var analysis = Analysis(equivs0: equivs0, equivs1: equivs1, classCount: classes.count)
    analysis.run()

    var changes: [Change] = []
    var i0 = 0
    var i1 = 0
    while i0 < count0 || i1 < count1 {
        if analysis.changed0[i0 + 1] || analysis.changed1[i1 + 1] {
            let line0 = i0
            let line1 = i1
            while analysis.changed0[i0 + 1] { i0 += 1 }
            while analysis.changed1[i1 + 1] { i1 += 1 }
            changes.append(
                Change(line0: lower + line0, line1: lower + line1, deleted: i0 - line0, inserted: i1 - line1))
        }
        i0 += 1
        i1 += 1
    }
    return changes
}

/// The region GNU diff compares line by line: the texts less their identical head and
/// tail, each trimmed short by `horizon` lines. The head ends at the same line in both
/// texts; the tail starts at `suffix0` in the old text and `suffix1` in the new.
private func comparedRegion(
    _ a: LineTable, _ b: LineTable, horizon: Int
) -> (prefixLines: Int, suffix0: Int, suffix1: Int) {
    let n0 = a.bufferedCount
    let n1 = b.bufferedCount
    let missing0 = a.missingNewline ? 1 : 0
    let missing1 = b.missingNewline ? 1 : 0

    // Identical head: up to the first differing byte...
    var p = 0
    let limit = min(n0, n1)
    while p < limit && a.byte(p) == b.byte(p) { p += 1 }
    // ...not counting a newline that only one side had to have appended...
    if (n0 - missing0 < p) != (n1 - missing1 < p) { p -= 1 }
    // ...back to the start of its line, and `horizon` lines more.
    var lines = horizon
    while p != 0 {
        if a.byte(p - 1) != newline {
            p -= 1
        } else if lines > 0 {
            lines -= 1
            p -= 1
        } else {
            break
        }
    }
    let prefixEnd = p

    // Identical tail, only when both sides end alike.
    var suffix0 = n0
    var suffix1 = n1
    if missing0 == missing1 {
        var p0 = n0
        var p1 = n1
        var begin0 = prefixEnd + max(0, n0 - n1)
        while p0 != begin0 {
            p0 -= 1
            p1 -= 1
            if a.byte(p0) != b.byte(p1) {
                p0 += 1
                p1 += 1
                begin0 = p0
                break
            }
        }
        // Forward to a line start in both texts, and `horizon` lines more.
        let atLineStart =
            (p0 == 0 || a.byte(p0 - 1) == newline) && (p1 == 0 || b.byte(p1 - 1) == newline)
        var skip = horizon + (atLineStart ? 0 : 1)
        while skip > 0 && p0 != n0 {
            skip -= 1
            while a.byte(p0) != newline { p0 += 1 }
            p0 += 1
        }
        suffix0 = p0
        suffix1 = p1 + (p0 - begin0)
    }
    return (a.line(startingAt: prefixEnd), a.line(startingAt: suffix0), b.line(startingAt: suffix1))
}

/// The comparison proper, over lines given as equivalence-class numbers. Its results are
/// `changed0` and `changed1`: per line, whether it is deleted (old) or inserted (new).
/// Both carry a false sentinel before the first line and after the last, so line `i` is
/// at index `i + 1`.
private struct Analysis {
    let equivs0: [Int]
    let equivs1: [Int]
    let classCount: Int
    var changed0: [Bool]
    var changed1: [Bool]

    init(equivs0: [Int], equivs1: [Int], classCount: Int) {
        self.equivs0 = equivs0
        self.equivs1 = equivs1
        self.classCount = classCount
        changed0 = [Bool](repeating: false, count: equivs0.count + 2)
        changed1 = [Bool](repeating: false, count: equivs1.count + 2)
    }

    mutating func run() {
        let (kept0, kept1, discarded) = discardConfusingLines()
        let completed: Bool
        if discarded > UnifiedDiff.maxEditDistance
            || abs(kept0.count - kept1.count) + discarded > UnifiedDiff.maxEditDistance
        {
            completed = false
        } else {
            var search = Search(
                xv: kept0.map { equivs0[$0] }, yv: kept1.map { equivs1[$0] },
                budget: UnifiedDiff.maxEditDistance - discarded)
            completed = search.compare()
            if completed {
                for x in search.deletedX { changed0[kept0[x] + 1] = true }
                for y in search.insertedY { changed1[kept1[y] + 1] = true }
            }
        }
        if completed {
            shiftBoundaries()
        } else {
            // Everything between the matching head and tail of the region.
            var head = 0
            while head < equivs0.count && head < equivs1.count && equivs0[head] == equivs1[head] { head += 1 }
            var tail = 0
            while tail < equivs0.count - head && tail < equivs1.count - head
                && equivs0[equivs0.count - 1 - tail] == equivs1[equivs1.count - 1 - tail]
            {
                tail += 1
            }
            for i in 0..<equivs0.count { changed0[i + 1] = i >= head && i < equivs0.count - tail }
            for i in 0..<equivs1.count { changed1[i + 1] = i >= head && i < equivs1.count - tail }
        }
    }

    /// Marks as changed the lines that match nothing in the other text, and the lines that
    /// match very many while surrounded by such lines, and returns the other lines
    /// (by number) and how many were marked.
    private mutating func discardConfusingLines() -> ([Int], [Int], Int) {
        var counts0 = [Int](repeating: 0, count: classCount)
        var counts1 = [Int](repeating: 0, count: classCount)
        for e in equivs0 { counts0[e] += 1 }
        for e in equivs1 { counts1[e] += 1 }

        // 0: keep; 1: discard; 2: discard provisionally (matches many lines).
        var discards0 = Self.markDiscards(equivs0, otherCounts: counts1)
        var discards1 = Self.markDiscards(equivs1, otherCounts: counts0)
        Self.settleProvisional(&discards0)
        Self.settleProvisional(&discards1)

        var kept0: [Int] = []
        var kept1: [Int] = []
        var discarded = 0
        for i in 0..<equivs0.count {
            if discards0[i] == 0 { kept0.append(i) } else { changed0[i + 1] = true; discarded += 1 }
        }
        for i in 0..<equivs1.count {
            if discards1[i] == 0 { kept1.append(i) } else { changed1[i + 1] = true; discarded += 1 }
        }
        return (kept0, kept1, discarded)
    }

    private static func markDiscards(_ equivs: [Int], otherCounts: [Int]) -> [UInt8] {
        let end = equivs.count
        // About the square root of the number of lines, times 5.
        let many = end < 64 ? 5 : 5 << ((floorLog2(end) >> 1) - 3)
        var discards = [UInt8](repeating: 0, count: end)
        for i in 0..<end {
            let matches = otherCounts[equivs[i]]
            if matches == 0 {
                discards[i] = 1
            } else if matches > many {
                discards[i] = 2
            }
        }
        return discards
    }

    /// Keeps a provisional discard only inside a run of discards that starts and ends with
    /// a definite one, and not where provisionals crowd the run.
    private static func settleProvisional(_ discards: inout [UInt8]) {
        let end = discards.count
        var i = 0
        while i < end {
            defer { i += 1 }
            if discards[i] == 2 {
                discards[i] = 0
                continue
            }
            if discards[i] == 0 { continue }

            // A definite discard starts a run: find its end, counting provisionals.
            var provisional = 0
            var j = i
            while j < end && discards[j] != 0 {
                if discards[j] == 2 { provisional += 1 }
                j += 1
            }
            // Provisionals at the end of the run are kept.
            while j > i && discards[j - 1] == 2 {
                j -= 1
                discards[j] = 0
                provisional -= 1
            }
            let length = j - i

            if length >> 2 < provisional {
                // More than a quarter provisional: keep them all.
                while j > i {
                    j -= 1
                    if discards[j] == 2 { discards[j] = 0 }
                }
                continue
            }

            // Keep any subrun of `minimum` or more provisionals (about the square root
            // of length / 4).
            let minimum = length < 4 ? 2 : (1 << ((floorLog2(length) >> 1) - 1)) + 1
            var consecutive = 0
            j = 0
            while j < length {
                if discards[i + j] != 2 {
                    consecutive = 0
                } else {
                    consecutive += 1
                    if consecutive == minimum {
                        // Back up to the start of the subrun to keep all of it.
                        j -= consecutive
                    } else if consecutive > minimum {
                        discards[i + j] = 0
                    }
                }
                j += 1
            }

            // From the start of the run until three definite discards in a row, or a
            // definite one at least 8 lines in, keep the provisionals.
            consecutive = 0
            j = 0
            while j < length {
                if j >= 8 && discards[i + j] == 1 { break }
                if discards[i + j] == 2 {
                    consecutive = 0
                    discards[i + j] = 0
                } else if discards[i + j] == 0 {
                    consecutive = 0
                } else {
                    consecutive += 1
                }
                if consecutive == 3 { break }
                j += 1
            }

            // Likewise from the end of the run, where scanning resumes.
            i += length - 1
            consecutive = 0
            j = 0
            while j < length {
                if j >= 8 && discards[i - j] == 1 { break }
                if discards[i - j] == 2 {
                    consecutive = 0
                    discards[i - j] = 0
                } else if discards[i - j] == 0 {
                    consecutive = 0
                } else {
                    consecutive += 1
                }
                if consecutive == 3 { break }
                j += 1
            }
        }
    }

    /// Slides each run of changes so that runs merge where they can, and otherwise as far
    /// down as they go, then back up to line up with a run in the other text if that is
    /// possible.
    private mutating func shiftBoundaries() {
        changed0.withUnsafeMutableBufferPointer { buffer0 in
            changed1.withUnsafeMutableBufferPointer { buffer1 in
                // Both pointers address line 0, so index -1 is the leading sentinel.
                let flags0 = buffer0.baseAddress! + 1
                let flags1 = buffer1.baseAddress! + 1
                Self.shift(flags0, other: flags1, equivs: equivs0)
                Self.shift(flags1, other: flags0, equivs: equivs1)
            }
        }
    }

    private static func shift(
        _ changed: UnsafeMutablePointer<Bool>, other otherChanged: UnsafeMutablePointer<Bool>, equivs: [Int]
    ) {
        let end = equivs.count
        var i = 0
        var j = 0
        while true {
            // Find the start of the next run, keeping j at the matching line of the other text.
            while i < end && !changed[i] {
                while otherChanged[j] { j += 1 }
                j += 1
                i += 1
            }
            if i == end { break }
            var start = i

            // Find the end of the run.
            i += 1
            while changed[i] { i += 1 }
            while otherChanged[j] { j += 1 }

            var runLength = 0
            var corresponding = 0
            repeat {
                runLength = i - start

                // Move the run up while the line before it equals its last line,
                // merging with runs above.
                while start > 0 && equivs[start - 1] == equivs[i - 1] {
                    start -= 1
                    changed[start] = true
                    i -= 1
                    changed[i] = false
                    while changed[start - 1] { start -= 1 }
                    j -= 1
                    while otherChanged[j] { j -= 1 }
                }

                // The end of the run where it last lined up with a run in the other text
                // (`end` for nowhere).
                corresponding = otherChanged[j - 1] ? i : end

                // Move the run down while its first line equals the line after it,
                // merging with runs below.
                while i != end && equivs[start] == equivs[i] {
                    changed[start] = false
                    start += 1
                    changed[i] = true
                    i += 1
                    while changed[i] { i += 1 }
                    j += 1
                    while otherChanged[j] {
                        j += 1
                        corresponding = i
                    }
                }
            } while runLength != i - start

            // Move the merged run back up to where it lines up with the other text.
            while corresponding < i {
                start -= 1
                changed[start] = true
                i -= 1
                changed[i] = false
                j -= 1
                while otherChanged[j] { j -= 1 }
            }
        }
    }
}

private func floorLog2(_ n: Int) -> Int { Int.bitWidth - 1 - n.leadingZeroBitCount }

/// Myers' O(ND) search for the middle snake, applied divide-and-conquer in linear space
/// (Myers 1986, section 4.2), with GNU diff's cut-off: once the search costs more than
/// `tooExpensive` it settles for the furthest-reaching diagonal found so far.
private struct Search {
    let xv: [Int]
    let yv: [Int]
    /// Lines (by index into xv / yv) found deleted / inserted.
    var deletedX: [Int] = []
    var insertedY: [Int] = []
    /// Changes allowed before giving up.
    let budget: Int
    let tooExpensive: Int

    init(xv: [Int], yv: [Int], budget: Int) {
        self.xv = xv
        self.yv = yv
        self.budget = budget
        let diagonals = xv.count + yv.count + 3
        tooExpensive = max(4096, 1 << ((floorLog2(diagonals) >> 1) + 1))
    }

    /// Fills `deletedX` and `insertedY`; false if the changes exceeded the budget.
    mutating func compare() -> Bool {
        let diagonals = xv.count + yv.count + 3
        let offset = yv.count + 1
        var forward = [Int](repeating: 0, count: diagonals)
        var backward = [Int](repeating: 0, count: diagonals)
        let xv = self.xv
        let yv = self.yv
        var deleted: [Int] = []
        var inserted: [Int] = []
        let budget = self.budget
        let tooExpensive = self.tooExpensive
        let completed = xv.withUnsafeBufferPointer { x in
            yv.withUnsafeBufferPointer { y in
                forward.withUnsafeMutableBufferPointer { f in
                    backward.withUnsafeMutableBufferPointer { b in
                        let state = SearchState(
                            xv: x.baseAddress, yv: y.baseAddress,
                            fd: f.baseAddress! + offset, bd: b.baseAddress! + offset,
                            tooExpensive: tooExpensive)
                        // Pending subproblems: (xoff, xlim, yoff, ylim, findMinimal).
                        var stack: [(Int, Int, Int, Int, Bool)] = [(0, x.count, 0, y.count, false)]
                        while let part = stack.popLast() {
                            var (xoff, xlim, yoff, ylim) = (part.0, part.1, part.2, part.3)
                            // Skip the matching head and tail of this part.
                            while xoff < xlim && yoff < ylim && x[xoff] == y[yoff] {
                                xoff += 1
                                yoff += 1
                            }
                            while xoff < xlim && yoff < ylim && x[xlim - 1] == y[ylim - 1] {
                                xlim -= 1
                                ylim -= 1
                            }
                            if xoff == xlim {
                                inserted.append(contentsOf: yoff..<ylim)
                            } else if yoff == ylim {
                                deleted.append(contentsOf: xoff..<xlim)
                            } else {
                                let mid = state.diag(xoff, xlim, yoff, ylim, findMinimal: part.4)
                                stack.append((mid.xmid, xlim, mid.ymid, ylim, mid.hiMinimal))
                                stack.append((xoff, mid.xmid, yoff, mid.ymid, mid.loMinimal))
                            }
                            if deleted.count + inserted.count > budget { return false }
                        }
                        return true
                    }
                }
            }
        }
        deletedX = deleted
        insertedY = inserted
        return completed
    }
}

private struct Partition {
    var xmid: Int
    var ymid: Int
    var loMinimal: Bool
    var hiMinimal: Bool
}

private struct SearchState {
    let xv: UnsafePointer<Int>?
    let yv: UnsafePointer<Int>?
    /// Indexed by diagonal (x - y), which may be negative: the furthest x reached
    /// on each diagonal going forward, and going backward.
    let fd: UnsafeMutablePointer<Int>
    let bd: UnsafeMutablePointer<Int>
    let tooExpensive: Int

    /// Finds the midpoint of the shortest edit script for xv[xoff..<xlim] against
    /// yv[yoff..<ylim], whose first and last lines differ, searching from both ends
    /// at once until the searches meet.
    func diag(_ xoff: Int, _ xlim: Int, _ yoff: Int, _ ylim: Int, findMinimal: Bool) -> Partition {
        let xv = self.xv!
        let yv = self.yv!
        let dmin = xoff - ylim
        let dmax = xlim - yoff
        let fmid = xoff - yoff
        let bmid = xlim - ylim
        var fmin = fmid
        var fmax = fmid
        var bmin = bmid
        var bmax = bmid
        let odd = (fmid - bmid) & 1 != 0

        fd[fmid] = xoff
        bd[bmid] = xlim

        var c = 1
        while true {
            defer { c += 1 }
            // One more edit forward on each diagonal.
            if fmin > dmin {
                fmin -= 1
                fd[fmin - 1] = -1
            } else {
                fmin += 1
            }
            if fmax < dmax {
                fmax += 1
                fd[fmax + 1] = -1
            } else {
                fmax -= 1
            }
            var d = fmax
            while d >= fmin {
                let low = fd[d - 1]
                let high = fd[d + 1]
                var x = low < high ? high : low + 1
                var y = x - d
                while x < xlim && y < ylim && xv[x] == yv[y] {
                    x += 1
                    y += 1
                }
                fd[d] = x
                if odd && bmin <= d && d <= bmax && bd[d] <= x {
                    return Partition(xmid: x, ymid: y, loMinimal: true, hiMinimal: true)
                }
                d -= 2
            }

            // One more edit backward on each diagonal.
            if bmin > dmin {
                bmin -= 1
                bd[bmin - 1] = Int.max
            } else {
                bmin += 1
            }
            if bmax < dmax {
                bmax += 1
                bd[bmax + 1] = Int.max
            } else {
                bmax -= 1
            }
            d = bmax
            while d >= bmin {
                let low = bd[d - 1]
                let high = bd[d + 1]
                var x = low < high ? low : high - 1
                var y = x - d
                while xoff < x && yoff < y && xv[x - 1] == yv[y - 1] {
                    x -= 1
                    y -= 1
                }
                bd[d] = x
                if !odd && fmin <= d && d <= fmax && x <= fd[d] {
                    return Partition(xmid: x, ymid: y, loMinimal: true, hiMinimal: true)
                }
                d -= 2
            }

            if findMinimal || c < tooExpensive { continue }

            // Too expensive: settle for the better of the forward diagonal that got
            // furthest (max x + y) and the backward one that did (min x + y).
            var fxybest = -1
            var fxbest = 0
            d = fmax
            while d >= fmin {
                var x = min(fd[d], xlim)
                var y = x - d
                if ylim < y {
                    x = ylim + d
                    y = ylim
                }
                if fxybest < x + y {
                    fxybest = x + y
                    fxbest = x
                }
                d -= 2
            }
            var bxybest = Int.max
            var bxbest = 0
            d = bmax
            while d >= bmin {
                var x = max(xoff, bd[d])
                var y = x - d
                if y < yoff {
                    x = yoff + d
                    y = yoff
                }
                if x + y < bxybest {
                    bxybest = x + y
                    bxbest = x
                }
                d -= 2
            }
            if (xlim + ylim) - bxybest < fxybest - (xoff + yoff) {
                return Partition(xmid: fxbest, ymid: fxybest - fxbest, loMinimal: true, hiMinimal: false)
            } else {
                return Partition(xmid: bxbest, ymid: bxybest - bxbest, loMinimal: false, hiMinimal: true)
            }
        }
    }
}
