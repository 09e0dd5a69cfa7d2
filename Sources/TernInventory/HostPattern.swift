/// Host patterns: the first word of an INI host line, or a key under `hosts:`
/// in YAML. A pattern names one host, or many through ranges, and may carry a
/// port:
///
///     node[01:03].example.com:2222   node01 .. node03, port 2222
///     db-[a:c]                       db-a, db-b, db-c
///     node[1:9:4]                    node1, node5, node9
///     [fe80::1]:2222                 fe80::1, port 2222
///
/// The port is whatever follows the only colon outside brackets. Two or more
/// such colons make a bare IPv6 address, which (as in Ansible) can carry a
/// port only when written in brackets.
///
/// A range is `[begin:end]` or `[begin:end:step]` over whole numbers or over
/// single letters (a..z then A..Z, Python's `ascii_letters`, which is what
/// Ansible indexes). An empty begin means 0. A begin with a leading zero fixes
/// the width (`[01:10]` gives `01`..`10`) and must be as wide as the end.
/// Several ranges expand to every combination, the leftmost range outermost.
///
/// Ansible silently expands a backwards range such as `[5:1]` to no hosts and
/// crashes on a zero step; both are reported here instead.
enum HostPattern {
    struct Expansion: Equatable, Sendable {
        var names: [String]
        var port: Int?
    }

    /// What went wrong, and where: `range` is a range of UTF-8 offsets into
    /// the pattern, for the caller to turn into a span.
    struct Failure: Error, Equatable, Sendable {
        var problem: Problem
        var range: Range<Int>
    }

    enum Problem: Equatable, Sendable, CustomStringConvertible {
        case missingPort
        case notAPort(String)
        case portOutOfRange(String)
        case emptyName
        case unclosedRange
        case notARange(String)
        case missingEnd
        case unequalWidth(String, String)
        case descending(String, String)
        case badStep(String)
        case tooManyHosts

        var isPortProblem: Bool {
            switch self {
            case .missingPort, .notAPort, .portOutOfRange: true
            default: false
            }
        }

        var description: String {
            switch self {
            case .missingPort: "':' in a host pattern must be followed by a port number"
            case .notAPort(let s): "'\(s)' is not a port number"
            case .portOutOfRange(let s): "port \(s) is out of range"
            case .emptyName: "the host pattern has no name before ':'"
            case .unclosedRange: "'[' starts a host range that is never closed"
            case .notARange(let s): "'[\(s)]' is not a host range"
            case .missingEnd: "the host range has no end value"
            case .unequalWidth(let b, let e): "zero-padded range bounds '\(b)' and '\(e)' differ in width"
            case .descending(let b, let e): "the host range runs backwards, from '\(b)' to '\(e)'"
            case .badStep(let s): "range step '\(s)' is not a positive whole number"
            case .tooManyHosts: "the host pattern expands to more than \(HostPattern.maxHosts) hosts"
            }
        }
    }

    /// A guard against a typo such as `node[1:10000000]`.
    static let maxHosts = 100_000

    static let validPorts = 1...65535

    /// Python's `string.ascii_letters`.
    private static let letters: [String] = (Array("abcdefghijklmnopqrstuvwxyz") + Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        .map(String.init)

    static func expand(_ pattern: String) -> Result<Expansion, Failure> {
        let b = Array(pattern.utf8)
        do throws(Failure) {
            if let bracketed = try bracketedIPv6(b) { return .success(bracketed) }
            var depth = 0
            var colons: [Int] = []
            for (i, c) in b.enumerated() {
                switch c {
                case UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "]"): depth = max(0, depth - 1)
                case UInt8(ascii: ":") where depth == 0: colons.append(i)
                default: break
                }
            }
            if colons.count >= 2, !b.contains(UInt8(ascii: "[")) {
                return .success(Expansion(names: [pattern], port: nil))  // a bare IPv6 address
            }
            var nameEnd = b.count
            var port: Int?
            if colons.count == 1, let colon = colons.first {
                nameEnd = colon
                port = try parsePort(b, from: colon + 1, colon: colon)
                if colon == 0 { throw Failure(problem: .emptyName, range: 0..<1) }
            }
            return .success(Expansion(names: try expandRanges(b, upTo: nameEnd), port: port))
        } catch {
            return .failure(error)
        }
    }

    /// `[v6]` or `[v6]:port`, recognised by two or more colons in brackets.
    private static func bracketedIPv6(_ b: [UInt8]) throws(Failure) -> Expansion? {
        guard b.first == UInt8(ascii: "["), let close = b.firstIndex(of: UInt8(ascii: "]")),
            b[1..<close].filter({ $0 == UInt8(ascii: ":") }).count >= 2
        else { return nil }
        let address = String(decoding: b[1..<close], as: UTF8.self)
        guard close + 1 < b.count else { return Expansion(names: [address], port: nil) }
        guard b[close + 1] == UInt8(ascii: ":") else {
            throw Failure(
                problem: .notAPort(String(decoding: b[(close + 1)...], as: UTF8.self)), range: (close + 1)..<b.count)
        }
        return Expansion(names: [address], port: try parsePort(b, from: close + 2, colon: close + 1))
    }

    private static func parsePort(_ b: [UInt8], from start: Int, colon: Int) throws(Failure) -> Int {
        guard start < b.count else { throw Failure(problem: .missingPort, range: colon..<(colon + 1)) }
        let text = String(decoding: b[start...], as: UTF8.self)
        let range = start..<b.count
        guard b[start...].allSatisfy(\.isDigit) else {
            throw Failure(problem: .notAPort(text), range: range)
        }
        guard let port = Int(text), validPorts.contains(port) else {
            throw Failure(problem: .portOutOfRange(text), range: range)
        }
        return port
    }

    private static func expandRanges(_ b: [UInt8], upTo end: Int) throws(Failure) -> [String] {
        var segments: [[String]] = []
        var literal: [UInt8] = []
        var count = 1
        var i = 0
        while i < end {
            guard b[i] == UInt8(ascii: "[") else {
                literal.append(b[i])
                i += 1
                continue
            }
            guard let close = b[(i + 1)..<end].firstIndex(of: UInt8(ascii: "]")) else {
                throw Failure(problem: .unclosedRange, range: i..<end)
            }
            segments.append([String(decoding: literal, as: UTF8.self)])
            literal = []
            let values = try rangeValues(String(decoding: b[(i + 1)..<close], as: UTF8.self), at: i..<(close + 1))
            count = count.multipliedReportingOverflow(by: values.count).overflow ? Int.max : count * values.count
            if count > maxHosts { throw Failure(problem: .tooManyHosts, range: 0..<end) }
            segments.append(values)
            i = close + 1
        }
        segments.append([String(decoding: literal, as: UTF8.self)])
        return segments.reduce([""]) { names, segment in
            names.flatMap { name in segment.map { name + $0 } }
        }
    }

    private static func rangeValues(_ text: String, at range: Range<Int>) throws(Failure) -> [String] {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else { throw Failure(problem: .notARange(text), range: range) }
        let begin = parts[0].isEmpty ? "0" : parts[0]
        let end = parts[1]
        guard !end.isEmpty else { throw Failure(problem: .missingEnd, range: range) }
        var step = 1
        if parts.count == 3 {
            guard isDigits(parts[2]), let s = Int(parts[2]), s > 0 else {
                throw Failure(problem: .badStep(parts[2]), range: range)
            }
            step = s
        }
        if let first = letters.firstIndex(of: begin), let last = letters.firstIndex(of: end) {
            guard first <= last else { throw Failure(problem: .descending(begin, end), range: range) }
            return stride(from: first, through: last, by: step).map { letters[$0] }
        }
        guard isDigits(begin), isDigits(end), let first = Int(begin), let last = Int(end) else {
            throw Failure(problem: .notARange(text), range: range)
        }
        var width = 0
        if begin.hasPrefix("0"), begin.count > 1 {
            guard begin.count == end.count else { throw Failure(problem: .unequalWidth(begin, end), range: range) }
            width = begin.count
        }
        guard first <= last else { throw Failure(problem: .descending(begin, end), range: range) }
        guard (last - first) / step < maxHosts else { throw Failure(problem: .tooManyHosts, range: range) }
        return stride(from: first, through: last, by: step).map { n in
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
    }

    private static func isDigits(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy(\.isDigit)
    }
}
