@testable import TernInventory
import TernPlan
import Testing

/// INI values are Python literals, read with `ast.literal_eval` as Ansible does.
@Suite struct INIValueTests {
    @Test(arguments: [
        ("42", PlanValue.int(42)),
        ("-7", .int(-7)),
        ("1_000", .int(1000)),
        ("0o17", .int(15)),
        ("0b101", .int(5)),
        ("00", .int(0)),
        ("007", .string("007")),
        ("2.5", .string("2.5")),
        ("1e3", .string("1e3")),
        ("True", .bool(true)),
        ("true", .bool(true)),
        ("False", .bool(false)),
        ("false", .bool(false)),
        ("TRUE", .string("TRUE")),
        ("None", .null),
        ("'single'", .string("single")),
        (#""tab\there""#, .string("tab\there")),
        (#""\u00e9\x41\101""#, .string("éAA")),
        (#"'a' "b""#, .string("ab")),
        ("[]", .list([])),
        ("(1,)", .list([.int(1)])),
        ("(1)", .int(1)),
        ("{1, 2}", .list([.int(1), .int(2)])),
        ("{'a': [1, {'b': None}], 2: 'x',}", .map([
            PlanEntry("a", .list([.int(1), .map([PlanEntry("b", .null)])])), PlanEntry("2", .string("x")),
        ])),
        ("5 # a comment", .int(5)),
        ("hello world", .string("hello world")),
        ("{{ template }}", .string("{{ template }}")),
        ("[unclosed", .string("[unclosed")),
        ("'unclosed", .string("'unclosed")),
        ("1abc", .string("1abc")),
        ("-inf", .string("-inf")),
    ] as [(String, PlanValue)])
    func parses(text: String, expected: PlanValue) {
        #expect(INIValue.parse(raw: text, plain: text) == expected)
    }

    /// On a host line the literal is read as written, before shell unquoting.
    @Test func quotedHostLineValueStaysAString() {
        #expect(INIValue.parse(raw: "\"42\"", plain: "42") == .string("42"))
        #expect(INIValue.parse(raw: "\"a b\"c", plain: "a bc") == .string("a bc"))
    }
}
