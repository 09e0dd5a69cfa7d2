/// The text operations behind `trim`, `lines` and `split`, on Unicode
/// scalars and UTF-8 bytes rather than on `Character`s, so that a combining
/// mark or a `\r\n` pair never hides a separator.
extension RuntimeFunctions {
    /// `text` without leading and trailing Unicode white space.
    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// The lines of command output: split at `\n`, a `\r` before it dropped,
    /// and no empty last line for the final newline (`"a\nb\n"` is two lines,
    /// `""` is none).
    static func lines(_ text: String) -> [String] {
        var pieces = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        return pieces.map { piece in
            String(decoding: piece.last == UInt8(ascii: "\r") ? piece.dropLast() : piece[...], as: UTF8.self)
        }
    }

    /// Every piece between occurrences of `separator`, empty ones included
    /// (`split("a,,b", ",")` is `["a", "", "b"]`, `split("", ",")` is `[""]`).
    static func split(_ text: String, by separator: String) -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        while let r = rest.range(of: separator) {
            pieces.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        pieces.append(String(rest))
        return pieces
    }
}
