extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Python's `strip()` for
    /// the whitespace inventories contain).
    var trimmingSpaces: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        return String(drop(while: blank).reversed().drop(while: blank).reversed())
    }
}

/// Byte classes for the scanners, which work on UTF-8.
extension UInt8 {
    var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }

    /// Python's `\w`, near enough: ASCII letters and digits, `_`, and any
    /// byte of a non-ASCII character.
    var isWordCharacter: Bool {
        isDigit || self == UInt8(ascii: "_") || self >= 0x80 || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }

    /// Space, tab, carriage return, vertical tab, form feed: what Python's
    /// `strip()` removes from a line.
    var isBlank: Bool {
        self == UInt8(ascii: " ") || self == UInt8(ascii: "\t") || self == 0x0D || self == 0x0B || self == 0x0C
    }
}
