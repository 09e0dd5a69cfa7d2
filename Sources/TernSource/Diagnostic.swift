/// The one type for every problem Tern reports to a user.
///
/// A diagnostic has a stable `id` (a short kebab-case name such as
/// `unknown-name`) that tests and documentation can refer to, a one-line
/// message, an optional primary span with a label shown under the caret,
/// secondary notes (each possibly pointing elsewhere), and an optional help
/// line. Diagnostics are declared as static factory members next to the code
/// that emits them (see `Diagnostic+Lang.swift` and friends), never built from
/// string literals at call sites.
public struct Diagnostic: Error, Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning, note
        private var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public struct Note: Sendable, Hashable {
        public let message: String
        public let span: SourceSpan?
        public init(_ message: String, at span: SourceSpan? = nil) {
            self.message = message
            self.span = span
        }
    }

    public var severity: Severity
    public let id: String
    public let message: String
    public let span: SourceSpan?
    /// Short text printed after the caret underline.
    public let label: String?
    public var notes: [Note]
    public var help: String?

    public init(
        _ severity: Severity = .error, id: String, _ message: String, at span: SourceSpan? = nil,
        label: String? = nil, notes: [Note] = [], help: String? = nil
    ) {
        self.severity = severity
        self.id = id
        self.message = message
        self.span = span
        self.label = label
        self.notes = notes
        self.help = help
    }

    public func with(help: String?) -> Diagnostic {
        var copy = self
        copy.help = help
        return copy
    }

    public func with(note: Note) -> Diagnostic {
        var copy = self
        copy.notes.append(note)
        return copy
    }

    public func asWarning() -> Diagnostic {
        var copy = self
        copy.severity = .warning
        return copy
    }
}

/// Several diagnostics thrown at once (e.g. everything the parser found).
public struct DiagnosticList: Error, Sendable {
    public let diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}

/// Collects diagnostics during a phase, in the order they were found, and
/// drops exact duplicates so that one mistake is reported once.
public struct DiagnosticBag: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []
    private var seen: Set<Diagnostic> = []

    public init() {}

    public mutating func add(_ d: Diagnostic) {
        if seen.insert(d).inserted { diagnostics.append(d) }
    }

    public mutating func add(contentsOf ds: [Diagnostic]) { ds.forEach { add($0) } }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }

    /// Diagnostics in source order (file, then offset), errors before
    /// warnings at the same place; unlocated ones last.
    public var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            switch (a.element.span, b.element.span) {
            case let (x?, y?):
                if x.file.path != y.file.path { return x.file.path < y.file.path }
                if x.start != y.start { return x.start < y.start }
                if a.element.severity != b.element.severity { return a.element.severity < b.element.severity }
                return a.offset < b.offset
            case (nil, .some): return false
            case (.some, nil): return true
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
    }
}
