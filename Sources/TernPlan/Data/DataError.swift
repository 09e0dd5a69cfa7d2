import TernSource

/// A problem found while reading or writing a data format (JSON, base64).
///
/// `line` and `column` are 1-based and point at the offending character, so
/// that an error in a 300-line document read from a host can be found without
/// counting; columns count Unicode scalars, like `SourceFile.location(of:)`.
/// Both are 0 when no position applies (a value too deeply nested to write).
///
/// Messages never quote the input: the input may be a secret, and the
/// position is enough to find the mistake.
public struct DataError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int

    public init(_ message: String, line: Int = 0, column: Int = 0) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// An error at a UTF-8 byte offset of `text`.
    init(_ message: String, in text: String, at offset: Int) {
        let location = SourceFile(path: "", text: text).location(of: offset)
        self.init(message, line: location.line, column: location.column)
    }

    public var description: String {
        line == 0 ? message : "line \(line), column \(column): \(message)"
    }
}
