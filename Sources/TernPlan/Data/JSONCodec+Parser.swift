/// A recursive-descent reader of RFC 8259 JSON over UTF-8 bytes.
///
/// The grammar is written above the function that reads each production.
/// Deviations from the RFC are deliberate and few:
///
/// - numbers must be integers that fit in `Int` (Tern has no other numbers);
/// - a byte order mark at the very start is skipped, as RFC 8259 §8.1 allows;
/// - nesting deeper than `JSONCodec.maxDepth` is an error, not a crash;
/// - when an object repeats a key, the last value wins and stays at the
///   position where the key was first written (what JavaScript and Python
///   do). Keys are compared by Unicode scalars, not by canonical
///   equivalence, so `"é"` and `"e\u0301"` are two keys, as in JSON itself.
///
/// Errors point at the offending byte and never quote the input, which may
/// be a secret; every message the reader can give is a `Problem` below.
extension JSONCodec {
    struct Parser {
        private let text: String
        private let bytes: [UInt8]
        private var i = 0

        init(_ text: String) {
            self.text = text
            self.bytes = Array(text.utf8)
        }

        // document = BOM? ws value ws
        mutating func parseDocument() throws(DataError) -> PlanValue {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
            skipWhitespace()
            let value = try parseValue(depth: 0)
            skipWhitespace()
            if i < bytes.count { throw error(.trailingText) }
            return value
        }

        // value = object / array / string / number / "true" / "false" / "null"
        private mutating func parseValue(depth: Int) throws(DataError) -> PlanValue {
            guard let b = peek else { throw error(.endOfInput) }
            switch b {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try parseNumber())
            case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
            case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
            case UInt8(ascii: "n"): return try parseLiteral("null", .null)
            case UInt8(ascii: "'"): throw error(.singleQuote)
            default: throw error(.expectedValue)
            }
        }

        private mutating func parseLiteral(_ word: String, _ value: PlanValue) throws(DataError) -> PlanValue {
            for expected in word.utf8 {
                guard peek == expected else { throw error(.expectedLiteral(word)) }
                i += 1
            }
            return value
        }

        // object = "{" ws [ member *( ws "," ws member ) ] ws "}"
        // member = string ws ":" ws value
        private mutating func parseObject(depth: Int) throws(DataError) -> PlanValue {
            if depth > JSONCodec.maxDepth { throw error(.tooDeep) }
            i += 1
            skipWhitespace()
            if peek == UInt8(ascii: "}") {
                i += 1
                return .map([])
            }
            var entries: [PlanEntry] = []
            var positions: [[UInt8]: Int] = [:]
            while true {
                guard peek == UInt8(ascii: "\"") else {
                    throw error(peek == UInt8(ascii: "}") ? .trailingComma : .expectedMemberName)
                }
                let key = try parseString()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw error(.expectedColon) }
                i += 1
                skipWhitespace()
                let value = try parseValue(depth: depth)
                if let at = positions[Array(key.utf8)] {
                    entries[at] = PlanEntry(key, value)
                } else {
                    positions[Array(key.utf8)] = entries.count
                    entries.append(PlanEntry(key, value))
                }
                skipWhitespace()
                switch peek {
                case UInt8(ascii: ","):
                    i += 1
                    skipWhitespace()
                case UInt8(ascii: "}"):
                    i += 1
                    return .map(entries)
                default:
                    throw error(.unfinishedObject)
                }
            }
        }

        // array = "[" ws [ value *( ws "," ws value ) ] ws "]"
        private mutating func parseArray(depth: Int) throws(DataError) -> PlanValue {
            if depth > JSONCodec.maxDepth { throw error(.tooDeep) }
            i += 1
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                i += 1
                return .list([])
            }
            var elements: [PlanValue] = []
            while true {
                if peek == UInt8(ascii: "]") {
                    throw error(.trailingComma)
                }
                elements.append(try parseValue(depth: depth))
                skipWhitespace()
                switch peek {
                case UInt8(ascii: ","):
                    i += 1
                    skipWhitespace()
                case UInt8(ascii: "]"):
                    i += 1
                    return .list(elements)
                default:
                    throw error(.unfinishedArray)
                }
            }
        }

        // string = '"' *char '"'
        // char   = unescaped / "\" ( '"' / "\" / "/" / "b" / "f" / "n" / "r" / "t" / "u" 4HEXDIG )
        // unescaped = any scalar except '"', "\" and U+0000...U+001F
        //
        // A "\u" escape of a UTF-16 high surrogate must be followed by one of a
        // low surrogate; together they are one scalar. A lone surrogate is an
        // error, since no Swift string (and no UTF-8 text) can hold one.
        private mutating func parseString() throws(DataError) -> String {
            let open = i
            i += 1
            var out: [UInt8] = []
            while true {
                guard let b = peek else { throw error(.unclosedString, at: open) }
                switch b {
                case UInt8(ascii: "\""):
                    i += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    out.append(contentsOf: try parseEscape())
                case 0..<0x20:
                    throw error(.controlCharacter)
                default:
                    out.append(b)
                    i += 1
                }
            }
        }

        /// Reads one escape sequence starting at the backslash; returns its UTF-8.
        private mutating func parseEscape() throws(DataError) -> [UInt8] {
            let start = i
            i += 1
            guard let b = peek else { throw error(.unclosedString) }
            i += 1
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [b]
            case UInt8(ascii: "b"): return [0x08]
            case UInt8(ascii: "f"): return [0x0C]
            case UInt8(ascii: "n"): return [0x0A]
            case UInt8(ascii: "r"): return [0x0D]
            case UInt8(ascii: "t"): return [0x09]
            case UInt8(ascii: "u"): break
            default: throw error(.unknownEscape, at: start)
            }
            var code = try parseHex4()
            if (0xDC00...0xDFFF).contains(code) {
                throw error(.loneLowSurrogate, at: start)
            }
            if (0xD800...0xDBFF).contains(code) {
                let low = i
                guard bytes[i...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else {
                    throw error(.loneHighSurrogate, at: start)
                }
                i += 2
                let next = try parseHex4()
                guard (0xDC00...0xDFFF).contains(next) else {
                    throw error(.loneHighSurrogate, at: low)
                }
                code = 0x10000 + ((code - 0xD800) << 10) + (next - 0xDC00)
            }
            // Not a surrogate any more, so always a valid scalar.
            guard let scalar = Unicode.Scalar(code) else { throw error(.loneHighSurrogate, at: start) }
            return Array(String(Character(scalar)).utf8)
        }

        private mutating func parseHex4() throws(DataError) -> UInt32 {
            var code: UInt32 = 0
            for _ in 0..<4 {
                guard let b = peek, let digit = hexValue(b) else {
                    throw error(.badHexDigits)
                }
                code = code << 4 | digit
                i += 1
            }
            return code
        }

        // number = [ "-" ] int [ frac ] [ exp ]
        // int    = "0" / ( %x31-39 *DIGIT )
        //
        // `frac` and `exp` are valid JSON but have no Tern value, so they are
        // reported rather than rounded. The digits are accumulated as a negative
        // number so that `Int.min` itself can be read.
        private mutating func parseNumber() throws(DataError) -> Int {
            let start = i
            let negative = peek == UInt8(ascii: "-")
            if negative { i += 1 }
            guard let first = peek, isDigit(first) else { throw error(.expectedDigit) }
            var value = 0
            var overflow = false
            if first == UInt8(ascii: "0") {
                i += 1
                if let b = peek, isDigit(b) { throw error(.leadingZero) }
            } else {
                while let b = peek, isDigit(b) {
                    let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                    let (next, o2) = times10.subtractingReportingOverflow(Int(b - UInt8(ascii: "0")))
                    overflow = overflow || o1 || o2
                    value = next
                    i += 1
                }
            }
            if let b = peek, b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                throw error(.notAnInteger)
            }
            if negative {
                guard !overflow else { throw error(.outOfRange, at: start) }
                return value
            }
            guard !overflow, value != Int.min else {
                throw error(.outOfRange, at: start)
            }
            return -value
        }

        // ws = *( %x20 / %x09 / %x0A / %x0D )
        private mutating func skipWhitespace() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
        }

        private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        private func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }

        private func hexValue(_ b: UInt8) -> UInt32? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
            default: nil
            }
        }

        private func error(_ problem: Problem, at offset: Int? = nil) -> DataError {
            DataError(problem.message, in: text, at: offset ?? i)
        }

        /// Everything the reader can object to.
        enum Problem {
            case endOfInput, expectedValue, expectedLiteral(String), singleQuote, trailingText, tooDeep
            case expectedMemberName, expectedColon, trailingComma, unfinishedObject, unfinishedArray
            case unclosedString, controlCharacter, unknownEscape, badHexDigits, loneHighSurrogate, loneLowSurrogate
            case expectedDigit, leadingZero, notAnInteger, outOfRange

            var message: String {
                switch self {
                case .endOfInput: "expected a JSON value, found the end of the input"
                case .expectedValue: "expected a JSON value"
                case .expectedLiteral(let word): "expected '\(word)'"
                case .singleQuote: "JSON strings are written in double quotes"
                case .trailingText: "unexpected text after the JSON value"
                case .tooDeep: DataError.tooDeep.message
                case .expectedMemberName: "expected a member name in double quotes"
                case .expectedColon: "expected ':' after the member name"
                case .trailingComma: "expected another value after ','; JSON allows no trailing comma"
                case .unfinishedObject: "expected ',' or '}' after an object member"
                case .unfinishedArray: "expected ',' or ']' after an array element"
                case .unclosedString: "this string is not closed"
                case .controlCharacter:
                    "a control character inside a string must be written as an escape such as \\n or \\u0009"
                case .unknownEscape: "unknown escape sequence; JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"
                case .badHexDigits: "expected 4 hexadecimal digits after \\u"
                case .loneHighSurrogate: "a \\u escape of a high surrogate must be followed by one of a low surrogate"
                case .loneLowSurrogate: "a \\u escape of a low surrogate must follow one of a high surrogate"
                case .expectedDigit: "expected a digit after '-'"
                case .leadingZero: "a JSON number may not have a leading zero"
                case .notAnInteger: "Tern numbers are integers; a fraction or an exponent cannot be read"
                case .outOfRange: "this number does not fit in a 64-bit integer"
                }
            }
        }
    }
}
