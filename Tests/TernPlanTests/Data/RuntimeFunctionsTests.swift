import Testing

@testable import TernPlan

/// The builtins' semantics, one row per rule: function, arguments, result.
@Suite struct RuntimeFunctionsTests {
    typealias Case = (RuntimeFunction, [PlanValue], PlanValue)

    static let config: PlanValue = .map([
        PlanEntry("host", .string("db1")),
        PlanEntry("port", .int(5432)),
        PlanEntry("password", .secret("pw")),
    ])

    static let results: [Case] = [
        (.concat, [], .string("")),
        (.concat, [.string("a"), .string("b"), .string("c")], .string("abc")),
        (.base64, [.string("foobar")], .string("Zm9vYmFy")),
        (.base64, [.string("é")], .string("w6k=")),
        (.base64_decode, [.string("w6k=")], .string("é")),
        (.base64_decode, [.string("Zm9vYmFy\n")], .string("foobar")),
        (.sha256, [.string("abc")], .string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")),
        (.json, [.map([PlanEntry("host", .string("db1")), PlanEntry("port", .int(5432))])], .string(#"{"host":"db1","port":5432}"#)),
        (.json, [.list([.null, .bool(true)])], .string("[null,true]")),
        (.parse_json, [.string(#"{"a": [1, "x"]}"#)], .map([PlanEntry("a", .list([.int(1), .string("x")]))])),
        (.yaml, [.map([PlanEntry("a", .list([.int(1)]))])], .string("a:\n  - 1\n")),
        (.trim, [.string(" \t\n x y \r\n\u{A0}")], .string("x y")),
        (.trim, [.string(" \n ")], .string("")),
        (.lines, [.string("")], .list([])),
        (.lines, [.string("a")], .list([.string("a")])),
        (.lines, [.string("a\nb\n")], .list([.string("a"), .string("b")])),
        (.lines, [.string("a\r\n\r\nb")], .list([.string("a"), .string(""), .string("b")])),
        (.lines, [.string("a\n\n")], .list([.string("a"), .string("")])),
        (.upper, [.string("straße é")], .string("STRASSE É")),
        (.lower, [.string("ÀB")], .string("àb")),
        (.len, [.string("e\u{301}日")], .int(3)),
        (.len, [.list([.null, .null])], .int(2)),
        (.len, [config], .int(3)),
        (.join, [.list([.string("a"), .string("b")]), .string(", ")], .string("a, b")),
        (.join, [.list([]), .string(",")], .string("")),
        (.split, [.string("a,,b"), .string(",")], .list([.string("a"), .string(""), .string("b")])),
        (.split, [.string(""), .string(",")], .list([.string("")])),
        (.split, [.string("a::b::"), .string("::")], .list([.string("a"), .string("b"), .string("")])),
        (.split, [.string("a\u{301}b"), .string("\u{301}")], .list([.string("a"), .string("b")])),
        (.index, [.list([.int(10), .int(20), .int(30)]), .int(0)], .int(10)),
        (.index, [.list([.int(10), .int(20), .int(30)]), .int(-1)], .int(30)),
        (.index, [config, .string("port")], .int(5432)),
        (.field, [config, .string("host")], .string("db1")),
        (.field, [.map([PlanEntry("a", .int(1)), PlanEntry("a", .int(2))]), .string("a")], .int(2)),
        (.contains, [.string("hello world"), .string("o w")], .bool(true)),
        (.contains, [.string("hello"), .string("")], .bool(true)),
        (.contains, [.string(""), .string("")], .bool(true)),
        (.contains, [.string("e\u{301}"), .string("e")], .bool(true)),
        (.contains, [.string("hello"), .string("x")], .bool(false)),
        (.contains, [.list([.int(1), .map([PlanEntry("a", .null)])]), .map([PlanEntry("a", .null)])], .bool(true)),
        (.contains, [.list([.int(1)]), .string("1")], .bool(false)),
        (.contains, [config, .string("port")], .bool(true)),
        (.contains, [config, .string("Port")], .bool(false)),
        (.eq, [.int(1), .int(1)], .bool(true)),
        (.eq, [.int(1), .string("1")], .bool(false)),
        (.eq, [.null, .null], .bool(true)),
        (.eq, [.string("é"), .string("e\u{301}")], .bool(false)),
        (.eq, [.list([.int(1), .int(2)]), .list([.int(2), .int(1)])], .bool(false)),
        (
            .eq,
            [.map([PlanEntry("a", .int(1)), PlanEntry("b", .int(2))]), .map([PlanEntry("b", .int(2)), PlanEntry("a", .int(1))])],
            .bool(true)
        ),
        (.eq, [.map([PlanEntry("a", .int(1))]), .map([PlanEntry("a", .int(2))])], .bool(false)),
        (.eq, [.map([PlanEntry("a", .int(1))]), .map([PlanEntry("b", .int(1))])], .bool(false)),
        (.eq, [.secret("x"), .string("x")], .bool(true)),
        (.ne, [.bool(true), .bool(false)], .bool(true)),
        (.ne, [.list([]), .list([])], .bool(false)),
        (.lt, [.int(-2), .int(1)], .bool(true)),
        (.lt, [.string("Z"), .string("a")], .bool(true)),
        (.lt, [.string("ab"), .string("abc")], .bool(true)),
        (.lt, [.string("é"), .string("e\u{301}")], .bool(false)),
        (.le, [.int(3), .int(3)], .bool(true)),
        (.gt, [.string("b"), .string("a")], .bool(true)),
        (.gt, [.int(3), .int(3)], .bool(false)),
        (.ge, [.int(3), .int(3)], .bool(true)),
        (.not, [.bool(false)], .bool(true)),
        (.and, [.bool(true), .bool(true), .bool(false)], .bool(false)),
        (.and, [.bool(true), .bool(true)], .bool(true)),
        (.or, [.bool(false), .bool(true)], .bool(true)),
        (.or, [.bool(false), .bool(false)], .bool(false)),
        (.str, [.int(-5)], .string("-5")),
        (.str, [.bool(true)], .string("true")),
        (.str, [.string("x")], .string("x")),
        (.int, [.string("-42")], .int(-42)),
        (.int, [.string("+7")], .int(7)),
        (.int, [.int(7)], .int(7)),
    ]

    @Test(arguments: results)
    func computes(function: RuntimeFunction, args: [PlanValue], result: PlanValue) throws {
        #expect(try RuntimeFunctions.apply(function, args) == result)
    }

    @Test func everyFunctionHasARow() {
        let covered = Set(Self.results.map(\.0))
        #expect(Set(RuntimeFunction.allCases).subtracting(covered).isEmpty)
    }

    /// Secrets taint what is computed from them; selecting a value keeps
    /// that value's own secrecy.
    static let taint: [Case] = [
        (.concat, [.string("user:"), .secret("pw")], .secret("user:pw")),
        (.base64, [.secret("pw")], .secret("cHc=")),
        (.base64_decode, [.secret("cHc=")], .secret("pw")),
        (.sha256, [.secret("abc")], .secret("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")),
        (.json, [config], .secret(#"{"host":"db1","port":5432,"password":"pw"}"#)),
        (.yaml, [config], .secret("host: db1\nport: 5432\npassword: pw\n")),
        (.parse_json, [.secret(#"{"user":"u","ids":[1]}"#)], .map([PlanEntry("user", .secret("u")), PlanEntry("ids", .list([.int(1)]))])),
        (.trim, [.secret(" pw ")], .secret("pw")),
        (.upper, [.secret("pw")], .secret("PW")),
        (.lines, [.secret("a\nb")], .list([.secret("a"), .secret("b")])),
        (.split, [.string("a,b"), .secret(",")], .list([.secret("a"), .secret("b")])),
        (.join, [.list([.string("a"), .secret("b")]), .string(",")], .secret("a,b")),
        (.str, [.secret("pw")], .secret("pw")),
        (.len, [.secret("pw")], .int(2)),
        (.eq, [.secret("pw"), .string("pw")], .bool(true)),
        (.field, [config, .string("host")], .string("db1")),
        (.field, [config, .string("password")], .secret("pw")),
        (.index, [.list([.string("a"), .secret("b")]), .int(0)], .string("a")),
        (.index, [.map([PlanEntry("k", .string("v"))]), .secret("k")], .secret("v")),
    ]

    @Test(arguments: taint)
    func secretsTaintDerivedValues(function: RuntimeFunction, args: [PlanValue], result: PlanValue) throws {
        #expect(try RuntimeFunctions.apply(function, args) == result)
    }

    /// function, arguments, the whole message (after "function: ").
    static let errors: [(RuntimeFunction, [PlanValue], String)] = [
        (.concat, [.string("a"), .int(1)], "argument 2 must be a string, got an int"),
        (.base64, [], "takes 1 argument, got 0"),
        (.base64_decode, [.string("Zm9")], "not base64: line 1, column 4: base64 text is 3 characters long, not a multiple of 4: it is cut short or lacks '=' padding"),
        (.base64_decode, [.string("/w==")], "the decoded bytes are not UTF-8 text"),
        (.sha256, [.list([])], "argument 1 must be a string, got a list"),
        (.parse_json, [.string("{\n  \"a\": 1.5\n}")], "not valid JSON: line 2, column 9: Tern numbers are integers; a fraction or an exponent cannot be read"),
        (.parse_json, [.secret("[tru]")], "the secret is not valid JSON: line 1, column 5: expected 'true'"),
        (.parse_json, [.int(1)], "argument 1 must be a string, got an int"),
        (.json, [.string("a"), .string("b")], "takes 1 argument, got 2"),
        (.trim, [.null], "argument 1 must be a string, got null"),
        (.len, [.int(3)], "argument 1 must be a string, a list or a map, got an int"),
        (.join, [.list([.string("a"), .int(1)]), .string(",")], "element 1 of the list must be a string, got an int; convert it with str()"),
        (.join, [.string("a"), .string(",")], "argument 1 must be a list, got a string"),
        (.split, [.string("a"), .string("")], "the separator must not be empty"),
        (.index, [.list([.int(1)]), .int(1)], "index 1 is out of range for a list of 1 element"),
        (.index, [.list([.int(1), .int(2)]), .int(-3)], "index -3 is out of range for a list of 2 elements"),
        (.index, [.list([]), .string("a")], "argument 2 must be an int to index a list, got a string"),
        (.index, [.string("abc"), .int(0)], "argument 1 must be a list or a map, got a string"),
        (.index, [config, .int(0)], "argument 2 must be a string to look up in a map, got an int"),
        (.field, [config, .string("hots")], #"the map has no key "hots" (keys: "host", "port", "password"); did you mean 'host'?"#),
        (.field, [.map([]), .string("a")], #"the map has no key "a" (the map is empty)"#),
        (.field, [config, .secret("nope")], "the map has no such key (the key is secret)"),
        (.field, [.list([]), .string("a")], "argument 1 must be a map, got a list"),
        (.contains, [.int(1), .int(1)], "argument 1 must be a string, a list or a map, got an int"),
        (.contains, [.string("a"), .int(1)], "argument 2 must be a string, got an int"),
        (.eq, [.int(1)], "takes 2 arguments, got 1"),
        (.lt, [.int(1), .string("2")], "compares two ints or two strings, got an int and a string"),
        (.ge, [.bool(true), .bool(false)], "compares two ints or two strings, got a bool and a bool"),
        (.not, [.int(0)], "argument 1 must be a bool, got an int"),
        (.and, [.bool(true)], "takes at least 2 arguments, got 1"),
        (.or, [.bool(true), .string("true")], "argument 2 must be a bool, got a string"),
        (.str, [.list([])], "argument 1 must be an int, a bool or a string (json() writes lists and maps), got a list"),
        (.int, [.string("12a")], #""12a" is not a decimal integer"#),
        (.int, [.string("42\n")], #""42\n" is not a decimal integer; trim() it first"#),
        (.int, [.string("99999999999999999999")], #""99999999999999999999" is not a decimal integer"#),
        (.int, [.secret("42")], "a secret string cannot become an int, because an int cannot stay secret"),
        (.int, [.bool(true)], "argument 1 must be a string or an int, got a bool"),
    ]

    @Test(arguments: errors)
    func rejects(function: RuntimeFunction, args: [PlanValue], message: String) {
        #expect(throws: RuntimeFunctionError(function, message)) {
            try RuntimeFunctions.apply(function, args)
        }
    }

    @Test func errorsNeverShowASecret() {
        for (f, args) in [(RuntimeFunction.parse_json, [PlanValue.secret("{\"pw\": hunter2}")]), (.int, [.secret("hunter2")]),
            (.base64_decode, [.secret("hunter2")]), (.field, [Self.config, .secret("hunter2")])]
        {
            #expect {
                try RuntimeFunctions.apply(f, args)
            } throws: { error in
                !"\(error)".contains("hunter2")
            }
        }
    }
}
