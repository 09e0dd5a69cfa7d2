@testable import TernInventory
import Testing

@Suite struct HostPatternTests {
    @Test(arguments: [
        ("node1.example.com", ["node1.example.com"], nil),
        ("node1.example.com:2222", ["node1.example.com"], 2222),
        ("127.0.0.1:22", ["127.0.0.1"], 22),
        ("node[1:3]", ["node1", "node2", "node3"], nil),
        ("node[08:10]:22", ["node08", "node09", "node10"], 22),
        ("node[0:10:5]", ["node0", "node5", "node10"], nil),
        ("x[y:B]", ["xy", "xz", "xA", "xB"], nil),
        ("[a:b]-[1:2]", ["a-1", "a-2", "b-1", "b-2"], nil),
        ("fe80::1", ["fe80::1"], nil),
        ("[fe80::1]:2222", ["fe80::1"], 2222),
    ] as [(String, [String], Int?)])
    func expands(pattern: String, names: [String], port: Int?) {
        #expect(HostPattern.expand(pattern) == .success(.init(names: names, port: port)))
    }

    @Test(arguments: [
        ("node:", HostPattern.Problem.missingPort, 4..<5),
        ("node:x1", .notAPort("x1"), 5..<7),
        ("node:0", .portOutOfRange("0"), 5..<6),
        (":22", .emptyName, 0..<1),
        ("a[1:2", .unclosedRange, 1..<5),
        ("a[1]", .notARange("1"), 1..<4),
        ("a[1:2:3:4]", .notARange("1:2:3:4"), 1..<10),
        ("a[a:3]", .notARange("a:3"), 1..<6),
        ("a[c:a]", .descending("c", "a"), 1..<6),
        ("a[1:5:x]", .badStep("x"), 1..<8),
        ("a[1:100001]", .tooManyHosts, 1..<11),
        ("a[1:1000][1:1000]", .tooManyHosts, 0..<17),
    ] as [(String, HostPattern.Problem, Range<Int>)])
    func fails(pattern: String, problem: HostPattern.Problem, range: Range<Int>) {
        #expect(HostPattern.expand(pattern) == .failure(.init(problem: problem, range: range)))
    }
}
