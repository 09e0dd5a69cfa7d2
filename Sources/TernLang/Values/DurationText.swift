/// Durations as text: `500ms`, `30s`, `2m`, `1h30m`, `1d`. One table of
/// units for the lexer, `-p` values and command-line options.
public enum DurationText {
    /// Milliseconds per unit.
    public static let units: [String: Int] = ["ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]

    /// Milliseconds, or nil for text that is not a duration (or overflows).
    public static func millis(_ text: String) -> Int? {
        var total = 0
        var number = ""
        var unit = ""
        func flush() -> Bool {
            guard let n = Int(number), let f = units[unit] else { return false }
            let (part, o1) = n.multipliedReportingOverflow(by: f)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return false }
            total = sum
            number = ""
            unit = ""
            return true
        }
        for c in text {
            if c.isASCII, c.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(c)
            } else if c.isASCII, c.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(c)
            } else {
                return nil
            }
        }
        guard !number.isEmpty, flush() else { return nil }
        return total
    }
}
