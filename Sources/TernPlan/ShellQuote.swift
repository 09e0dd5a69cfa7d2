/// The one function that turns a value into shell syntax.
///
/// Every value Tern interpolates into a command passes through `quote`, which
/// yields exactly one POSIX shell word whatever the input: quotes of both
/// kinds, `$(...)`, backticks, newlines, `;`, `&&`, globs and non-ASCII text
/// all arrive as literal characters. Words made only of characters that no
/// shell treats specially are left bare, so commands stay readable.
///
/// A leading `-` is still one word, but the command receiving it may read it
/// as an option; recipes pass `--` before operands where commands support it.
public enum ShellQuote {
    public static func quote(_ s: String) -> String {
        if s.isEmpty { return "''" }
        if s.utf8.allSatisfy(isSafe) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Several words, each quoted, separated by spaces.
    public static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    private static func isSafe(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"),
            UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"),
            UInt8(ascii: "="), UInt8(ascii: ","):
            return true
        default:
            return false
        }
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        let t = Array(target.utf8)
        let u = self.utf8
        var i = u.startIndex
        while i != u.endIndex {
            var j = i
            var k = 0
            while k < t.count, j != u.endIndex, u[j] == t[k] {
                j = u.index(after: j)
                k += 1
            }
            if k == t.count { return i..<j }
            i = u.index(after: i)
        }
        return nil
    }
}
