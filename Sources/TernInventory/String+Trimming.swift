extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Python's `strip()` for
    /// the whitespace inventories contain).
    var trimmingSpaces: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        return String(drop(while: blank).reversed().drop(while: blank).reversed())
    }
}
