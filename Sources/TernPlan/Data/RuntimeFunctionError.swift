import TernSource

/// Why a runtime function refused its arguments.
///
/// Messages name values by kind ("a list", "a secret string") and quote them
/// only through `PlanValueFormat.inline`, which prints secrets as `***`, so
/// an error can be shown and logged as it is.
public struct RuntimeFunctionError: Error, Sendable, Hashable, CustomStringConvertible {
    public let function: RuntimeFunction
    public let message: String

    public init(_ function: RuntimeFunction, _ message: String) {
        self.function = function
        self.message = message
    }

    public var description: String { "\(function.rawValue): \(message)" }
}

extension RuntimeFunctionError {
    static func argumentCount(_ f: RuntimeFunction, expected: String, got: Int) -> Self {
        Self(f, "takes \(expected), got \(got)")
    }

    static func argumentType(_ f: RuntimeFunction, position: Int, expected: String, got: PlanValue) -> Self {
        Self(f, "argument \(position) must be \(expected), got \(RuntimeFunctions.kind(of: got))")
    }

    static func elementType(_ f: RuntimeFunction, index: Int, expected: String, got: PlanValue, help: String) -> Self {
        Self(f, "element \(index) of the list must be \(expected), got \(RuntimeFunctions.kind(of: got)); \(help)")
    }

    /// A JSON or base64 error; its position is kept, its text was never quoted.
    static func data(_ f: RuntimeFunction, _ error: DataError, what: String) -> Self {
        Self(f, "\(what): \(error)")
    }

    static func indexOutOfRange(_ index: Int, count: Int) -> Self {
        Self(.index, "index \(index) is out of range for a list of \(count) element\(count == 1 ? "" : "s")")
    }

    static func missingKey(_ f: RuntimeFunction, _ key: PlanValue, keys: [String]) -> Self {
        guard case .string(let name) = key else { return Self(f, "the map has no such key (the key is secret)") }
        let known =
            keys.isEmpty ? "the map is empty" : "keys: " + keys.map(PlanValueFormat.quoted).joined(separator: ", ")
        let hint = Suggestions.didYouMean(name, among: keys).map { "; " + $0 } ?? ""
        return Self(f, "the map has no key \(PlanValueFormat.quoted(name)) (\(known))\(hint)")
    }

    static func notAnInteger(_ text: String) -> Self {
        let help = text.unicodeScalars.contains { $0.properties.isWhitespace } ? "; trim() it first" : ""
        return Self(.int, "\(PlanValueFormat.quoted(text)) is not a decimal integer\(help)")
    }

    static let secretToInt = Self(
        .int, "a secret string cannot become an int, because an int cannot stay secret")

    static let emptySeparator = Self(.split, "the separator must not be empty")

    static func mixedComparison(_ f: RuntimeFunction, _ a: PlanValue, _ b: PlanValue) -> Self {
        Self(
            f,
            "compares two ints or two strings, got \(RuntimeFunctions.kind(of: a)) and \(RuntimeFunctions.kind(of: b))"
        )
    }

    static let notUTF8 = Self(.base64_decode, "the decoded bytes are not UTF-8 text")
}
