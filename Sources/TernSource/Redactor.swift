/// Masks the text of secrets in text meant for people: diagnostics, logs,
/// reports. Secrets carried as secret values are masked where they are
/// rendered; this is the second line of defence for text that quotes a
/// value (an error message, a command's output).
///
/// Secrets shorter than `minimumLength` are left alone: masking a one-letter
/// secret would replace that letter everywhere and hide everything else.
public struct Redactor: Sendable {
    public static let minimumLength = 4
    public static let mask = "***"
    /// Longest first, so a secret that contains another is masked whole.
    private let secrets: [String]

    public init(secrets: some Sequence<String>) {
        self.secrets = Set(secrets).filter { $0.utf8.count >= Redactor.minimumLength }
            .sorted { $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1 }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    /// This redactor with more secrets to mask.
    public func adding(_ more: some Sequence<String>) -> Redactor {
        Redactor(secrets: secrets + Array(more))
    }

    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for s in secrets where out.contains(s) {
            out = out.replacing(s, with: Redactor.mask)
        }
        return out
    }

    public func redact(_ d: Diagnostic) -> Diagnostic {
        guard !secrets.isEmpty else { return d }
        return Diagnostic(
            d.severity, id: d.id, redact(d.message), at: d.span, label: d.label.map(redact),
            notes: d.notes.map { .init(redact($0.message), at: $0.span) }, help: d.help.map(redact))
    }
}
