/// One file of Tern source (or any text Tern reports errors about), with its
/// line table.
///
/// Text is kept as UTF-8 bytes: the lexer scans bytes, and spans are byte
/// offsets. Line and column numbers are computed only when a diagnostic is
/// rendered, from a table of line starts built once.
public final class SourceFile: Sendable, Hashable, CustomStringConvertible {
    /// The path as messages show it (or a label such as `<repl>`).
    public let path: String
    /// The path to resolve relative paths against (a file's own location).
    public let realPath: String
    public let bytes: [UInt8]
    /// Byte offset at which each line starts; `lineStarts[0] == 0`.
    public let lineStarts: [Int]

    public init(path: String, text: String, realPath: String? = nil) {
        self.path = path
        self.realPath = realPath ?? path
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            starts.append(i + 1)
        }
        self.lineStarts = starts
    }

    public var description: String { path }
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// 1-based line and column of a byte offset. Columns count Unicode
    /// scalars, so a caret lines up under non-ASCII text in a terminal.
    public func location(of offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let column = String(decoding: bytes[start..<clamped], as: UTF8.self).unicodeScalars.count + 1
        return SourceLocation(path: path, line: lo + 1, column: column)
    }

    /// The text of a 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    public func text(of span: SourceSpan) -> String {
        String(decoding: bytes[max(0, span.start)..<min(span.end, bytes.count)], as: UTF8.self)
    }

    public static func == (a: SourceFile, b: SourceFile) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}

/// A resolved position, for display.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let column: Int
    public init(path: String, line: Int, column: Int) {
        self.path = path
        self.line = line
        self.column = column
    }
    public var description: String { "\(path):\(line):\(column)" }
}

/// A half-open byte range `[start, end)` in one source file.
public struct SourceSpan: Sendable, Hashable, CustomStringConvertible {
    public let file: SourceFile
    public let start: Int
    public let end: Int

    public init(file: SourceFile, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    public var location: SourceLocation { file.location(of: start) }
    public var text: String { file.text(of: self) }
    public var description: String { location.description }

    /// The smallest span that covers both.
    public func to(_ other: SourceSpan) -> SourceSpan {
        guard other.file === file else { return self }
        return SourceSpan(file: file, start: min(start, other.start), end: max(end, other.end))
    }
}
