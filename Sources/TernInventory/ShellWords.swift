/// Splits an INI host line into words as Python's
/// `shlex.split(line, comments=True)` does, which is what Ansible uses:
/// words are separated by blanks; `'...'` quotes everything literally; in
/// `"..."` a backslash escapes only `"` and `\`; outside quotes a backslash
/// escapes any character; a `#` outside quotes ends the line, even in the
/// middle of a word. Quotes may sit inside a word (`motd="hi there"`).
///
/// Each word keeps the byte range it was written in and the position of its
/// first unquoted `=`, so that a `key=value` word can be split and the value
/// read again as written (see `INIValue`).
enum ShellWords {
    /// The first `=` outside quotes in a word: its index in the unquoted
    /// text and its offset in the source.
    struct Equals: Equatable {
        var textIndex: Int
        var offset: Int
    }

    struct Word: Equatable {
        /// The word with quoting removed, as UTF-8.
        var text: [UInt8]
        /// Where the word was written, as byte offsets.
        var range: Range<Int>
        var equals: Equals?

        var string: String { String(decoding: text, as: UTF8.self) }
    }

    enum Failure: Error, Equatable {
        /// The offset of the opening quote.
        case unclosedQuote(Int)
        /// The offset of the backslash.
        case danglingBackslash(Int)
    }

    static func split(_ b: [UInt8], _ range: Range<Int>) -> Result<[Word], Failure> {
        var words: [Word] = []
        var i = range.lowerBound
        let end = range.upperBound
        while true {
            while i < end, b[i].isBlank { i += 1 }
            if i >= end || b[i] == UInt8(ascii: "#") { return .success(words) }
            let start = i
            var text: [UInt8] = []
            var equals: Equals?
            word: while i < end {
                let c = b[i]
                switch c {
                case _ where c.isBlank, UInt8(ascii: "#"):
                    break word
                case UInt8(ascii: "\\"):
                    guard i + 1 < end else { return .failure(.danglingBackslash(i)) }
                    text.append(b[i + 1])
                    i += 2
                case UInt8(ascii: "'"):
                    guard let close = b[(i + 1)..<end].firstIndex(of: UInt8(ascii: "'")) else {
                        return .failure(.unclosedQuote(i))
                    }
                    text += b[(i + 1)..<close]
                    i = close + 1
                case UInt8(ascii: "\""):
                    let open = i
                    i += 1
                    while true {
                        guard i < end else { return .failure(.unclosedQuote(open)) }
                        if b[i] == UInt8(ascii: "\"") { break }
                        let escapes = i + 1 < end && (b[i + 1] == UInt8(ascii: "\"") || b[i + 1] == UInt8(ascii: "\\"))
                        if b[i] == UInt8(ascii: "\\"), escapes { i += 1 }
                        text.append(b[i])
                        i += 1
                    }
                    i += 1
                default:
                    if c == UInt8(ascii: "="), equals == nil { equals = Equals(textIndex: text.count, offset: i) }
                    text.append(c)
                    i += 1
                }
            }
            words.append(Word(text: text, range: start..<i, equals: equals))
        }
    }
}
