import Testing

@testable import TernPlan

/// JSON as Tern writes and reads it: the `json` and `parse_json` builtins.
@Suite struct JSONCodecTests {
    static let nested: PlanValue = .map([
        PlanEntry("name", .string("web")),
        PlanEntry("replicas", .int(3)),
        PlanEntry("ports", .list([.int(80), .int(443)])),
        PlanEntry("labels", .map([])),
        PlanEntry("args", .list([])),
        PlanEntry("debug", .bool(false)),
        PlanEntry("owner", .null),
    ])

    /// value, compact form, pretty form.
    static let encodings: [(PlanValue, String, String)] = [
        (.null, "null", "null"),
        (.bool(true), "true", "true"),
        (.int(-42), "-42", "-42"),
        (.int(Int.min), "-9223372036854775808", "-9223372036854775808"),
        (.string(""), #""""#, #""""#),
        (.string("plain"), #""plain""#, #""plain""#),
        (.string("say \"hi\"\\"), #""say \"hi\"\\""#, #""say \"hi\"\\""#),
        (.string("a\nb\tc\rd\u{8}e\u{C}f"), #""a\nb\tc\rd\be\ff""#, #""a\nb\tc\rd\be\ff""#),
        (.string("\u{0}\u{1}\u{1F}"), #""\u0000\u0001\u001f""#, #""\u0000\u0001\u001f""#),
        // Only what RFC 8259 requires is escaped: not '/', DEL or non-ASCII.
        (.string("/ \u{7F} é 日本 😀"), "\"/ \u{7F} é 日本 😀\"", "\"/ \u{7F} é 日本 😀\""),
        (.secret("hunter2"), #""hunter2""#, #""hunter2""#),
        (.list([]), "[]", "[]"),
        (.map([]), "{}", "{}"),
        (.list([.int(1), .list([.int(2), .list([])])]), "[1,[2,[]]]", "[\n  1,\n  [\n    2,\n    []\n  ]\n]"),
        (
            nested,
            #"{"name":"web","replicas":3,"ports":[80,443],"labels":{},"args":[],"debug":false,"owner":null}"#,
            """
            {
              "name": "web",
              "replicas": 3,
              "ports": [
                80,
                443
              ],
              "labels": {},
              "args": [],
              "debug": false,
              "owner": null
            }
            """
        ),
        // Keys are escaped like strings and keep their written order.
        (.map([PlanEntry("z\"", .int(1)), PlanEntry("a", .int(2))]), #"{"z\"":1,"a":2}"#, "{\n  \"z\\\"\": 1,\n  \"a\": 2\n}"),
    ]

    @Test(arguments: encodings)
    func encodes(value: PlanValue, compact: String, pretty: String) throws {
        #expect(try JSONCodec.encode(value, pretty: false) == compact)
        #expect(try JSONCodec.encode(value, pretty: true) == pretty)
    }

    @Test func redactedEncodingHidesSecretsAndStaysJSON() throws {
        let value: PlanValue = .map([PlanEntry("user", .string("admin")), PlanEntry("key", .secret("s3cr3t"))])
        #expect(try JSONCodec.encode(value, pretty: false, redacted: true) == #"{"user":"admin","key":"***"}"#)
        #expect(try JSONCodec.encode(value, pretty: false, redacted: false) == #"{"user":"admin","key":"s3cr3t"}"#)
    }

    /// text, value.
    static let decodings: [(String, PlanValue)] = [
        ("null", .null),
        (" \t\r\n true \n", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("1234567890", .int(1_234_567_890)),
        ("9223372036854775807", .int(Int.max)),
        ("-9223372036854775808", .int(Int.min)),
        (#""""#, .string("")),
        (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")),
        (#""\u0041\u00e9\u65E5\u0000""#, .string("Aé日\u{0}")),
        (#""\ud83d\ude00 \uD834\uDD1E""#, .string("😀 𝄞")),
        ("\"日本 😀\"", .string("日本 😀")),
        ("\u{FEFF}[1]", .list([.int(1)])),
        ("[]", .list([])),
        ("[ 1 , [ ] , { } ]", .list([.int(1), .list([]), .map([])])),
        (#"{"b":1,"a":{"c":[true,null]}}"#, .map([PlanEntry("b", .int(1)), PlanEntry("a", .map([PlanEntry("c", .list([.bool(true), .null]))]))])),
        // A repeated key: the last value, at the first key's position.
        (#"{"a":1,"b":2,"a":3}"#, .map([PlanEntry("a", .int(3)), PlanEntry("b", .int(2))])),
        // Keys differ by scalars, not by canonical equivalence.
        ("{\"é\":1,\"e\u{301}\":2}", .map([PlanEntry("é", .int(1)), PlanEntry("e\u{301}", .int(2))])),
    ]

    @Test(arguments: decodings)
    func decodes(text: String, value: PlanValue) throws {
        #expect(try JSONCodec.decode(text) == value)
    }

    /// text, message fragment, line, column (of the offending character).
    static let errors: [(String, String, Int, Int)] = [
        ("", "found the end of the input", 1, 1),
        ("   ", "found the end of the input", 1, 4),
        ("nul", "expected 'null'", 1, 4),
        ("True", "expected a JSON value", 1, 1),
        ("'a'", "double quotes", 1, 1),
        ("[1,]", "no trailing comma", 1, 4),
        (#"{"a":1,}"#, "no trailing comma", 1, 8),
        ("[1 2]", "expected ',' or ']'", 1, 4),
        (#"{"a" 1}"#, "expected ':'", 1, 6),
        (#"{"a":1 "b":2}"#, "expected ',' or '}'", 1, 8),
        ("{a:1}", "member name in double quotes", 1, 2),
        ("[1]\n x", "unexpected text after the JSON value", 2, 2),
        ("{\n  \"a\": [1,\n        2,\n        x]}", "expected a JSON value", 4, 9),
        ("\"abc", "not closed", 1, 1),
        ("[\"a\nb\"]", "control character", 1, 4),
        (#""\x""#, "unknown escape", 1, 2),
        (#""\u12G4""#, "4 hexadecimal digits", 1, 6),
        (#""\ud83d""#, "followed by one of a low surrogate", 1, 2),
        (#""\ud83d\u0041""#, "followed by one of a low surrogate", 1, 8),
        (#""\ude00""#, "low surrogate must follow", 1, 2),
        ("01", "leading zero", 1, 2),
        ("-", "digit after '-'", 1, 2),
        ("-a", "digit after '-'", 1, 2),
        ("1.5", "integers", 1, 2),
        ("[2e3]", "integers", 1, 3),
        ("9223372036854775808", "64-bit", 1, 1),
        ("[-9223372036854775809]", "64-bit", 1, 2),
        ("+1", "expected a JSON value", 1, 1),
        // Columns count scalars, not bytes.
        ("[\"日本\", x]", "expected a JSON value", 1, 8),
    ]

    @Test(arguments: errors)
    func rejects(text: String, fragment: String, line: Int, column: Int) {
        #expect {
            try JSONCodec.decode(text)
        } throws: { error in
            guard let e = error as? DataError else { return false }
            return e.message.contains(fragment) && e.line == line && e.column == column
        }
    }

    @Test func nestingIsLimitedInBothDirections() throws {
        let deepest = String(repeating: "[", count: JSONCodec.maxDepth) + String(repeating: "]", count: JSONCodec.maxDepth)
        let value = try JSONCodec.decode(deepest)
        #expect(try JSONCodec.encode(value, pretty: false) == deepest)

        let tooDeep = "[" + deepest + "]"
        #expect(throws: DataError("lists and maps are nested more than 512 levels deep", line: 1, column: 513)) {
            try JSONCodec.decode(tooDeep)
        }
        #expect(throws: DataError.tooDeep) { try JSONCodec.encode(.list([value]), pretty: true) }
        // A hostile document fails cleanly instead of overflowing the stack.
        #expect(throws: DataError.self) { try JSONCodec.decode(String(repeating: "{\"a\":", count: 100_000)) }
    }

    @Test(arguments: encodings.map(\.0) + decodings.map(\.1))
    func roundTripsThroughTernAndPython(value: PlanValue) throws {
        let plain = Self.revealed(value)
        for pretty in [false, true] {
            let text = try JSONCodec.encode(value, pretty: pretty)
            #expect(try JSONCodec.decode(text) == plain)
            #expect(try JSONCodec.decode(try PythonProcess.jsonRoundTrip(text)) == plain)
        }
    }

    /// What a secret becomes once written: its text.
    static func revealed(_ v: PlanValue) -> PlanValue {
        switch v {
        case .secret(let s): .string(s)
        case .list(let xs): .list(xs.map(revealed))
        case .map(let es): .map(es.map { PlanEntry($0.key, revealed($0.value)) })
        default: v
        }
    }
}
