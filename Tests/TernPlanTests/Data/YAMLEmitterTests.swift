import Testing

@testable import TernPlan

/// YAML as Tern writes it: the `yaml` builtin, Kubernetes manifests.
@Suite struct YAMLEmitterTests {
    @Test func writesAManifestInBlockStyle() {
        let manifest: PlanValue = .map([
            PlanEntry("apiVersion", .string("v1")),
            PlanEntry("kind", .string("Pod")),
            PlanEntry(
                "metadata",
                .map([
                    PlanEntry("name", .string("web")),
                    PlanEntry("labels", .map([])),
                    PlanEntry("annotations", .map([PlanEntry("example.com/owner", .string("ops team"))])),
                ])),
            PlanEntry(
                "spec",
                .map([
                    PlanEntry(
                        "containers",
                        .list([
                            .map([
                                PlanEntry("name", .string("web")),
                                PlanEntry("image", .string("nginx:1.25")),
                                PlanEntry("args", .list([.string("--port"), .string("8080")])),
                                PlanEntry("ports", .list([.map([PlanEntry("containerPort", .int(80))])])),
                                PlanEntry("env", .list([])),
                            ])
                        ])),
                    PlanEntry("hostNetwork", .bool(false)),
                    PlanEntry("nodeName", .null),
                    PlanEntry("storage", .string("10Gi")),
                    PlanEntry("matrix", .list([.list([.int(1), .int(2)]), .list([])])),
                ])),
        ])
        #expect(
            YAMLEmitter.encode(manifest) == """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  labels: {}
                  annotations:
                    example.com/owner: ops team
                spec:
                  containers:
                    - name: web
                      image: nginx:1.25
                      args:
                        - "--port"
                        - "8080"
                      ports:
                        - containerPort: 80
                      env: []
                  hostNetwork: false
                  nodeName: null
                  storage: "10Gi"
                  matrix:
                    - - 1
                      - 2
                    - []

                """)
    }

    /// value, exact YAML.
    static let layouts: [(PlanValue, String)] = [
        (.null, "null\n"),
        (.int(-7), "-7\n"),
        (.string("hello"), "hello\n"),
        (.string(""), "\"\"\n"),
        (.list([]), "[]\n"),
        (.map([]), "{}\n"),
        (.list([.string("a"), .map([]), .list([])]), "- a\n- {}\n- []\n"),
        (.list([.list([.list([.string("deep")])])]), "- - - deep\n"),
        (.map([PlanEntry("yes", .string("no"))]), "\"yes\": \"no\"\n"),
        (.string("multi\nline\n"), "\"multi\\nline\\n\"\n"),
        (.string("\u{0}\u{7}\u{1B}\u{7F}\u{85}\u{2028}\u{2029}\u{FEFF}"), "\"\\0\\x07\\x1B\\x7F\\N\\L\\P\\uFEFF\"\n"),
        (.secret("s3cr3t"), "s3cr3t\n"),
    ]

    @Test(arguments: layouts)
    func lays(value: PlanValue, yaml: String) {
        #expect(YAMLEmitter.encode(value) == yaml)
    }

    @Test func redactedOutputHidesSecretsAndStaysYAML() throws {
        let value: PlanValue = .map([PlanEntry("user", .string("admin")), PlanEntry("password", .secret("s3cr3t"))])
        let yaml = YAMLEmitter.encode(value, redacted: true)
        #expect(yaml == "user: admin\npassword: \"***\"\n")
        #expect(try PythonProcess.yamlToJSON(yaml) == #"{"user": "admin", "password": "***"}"# + "\n")
    }

    /// Strings that a careless emitter would write so that YAML reads them
    /// back as something else (a bool, a number, a date, null, a comment, an
    /// alias, another structure) or not at all.
    static let trickyStrings: [String] = [
        "", " ", " leading", "trailing ", "a  b", "plain", "with space", "_under", "/etc/hosts",
        "true", "True", "TRUE", "false", "yes", "Yes", "no", "NO", "on", "On", "off", "OFF", "y", "Y", "n", "N",
        "null", "Null", "NULL", "~", "0", "123", "-1", "+1", "007", "0o17", "0x1F", "0b101", "1_000", "1.5", "1e3",
        ".5", ".inf", "-.inf", ".NaN", "12:30", "1:20:30", "2024-01-01", "2001-12-14t21:59:43.10-05:00",
        "10Gi", "v1.2.3", "a: b", "a:b", "a:", ":a", "key #comment", "a#b", "#x", "- x", "-", "--", "---", "...",
        "?", "? x", ",x", "[x]", "{x}", "a, b", "&anchor", "*alias", "!tag", "!!str", "|", ">", "'q'", "\"q\"",
        "%YAML", "@x", "`x`", "<<", "=", "a=b", "C:\\dir", "back\\slash", "quote\"inside", "it's",
        "http://example.com:8080/path?q=1#frag", "nginx:1.25", "user@host", "a\nb", "line\n", "\n", "\r\n",
        "\t", "tab\there", "\u{0}", "\u{7}", "\u{1B}", "\u{7F}", "\u{85}", "\u{A0}", "\u{A0}nbsp", "\u{2028}",
        "\u{2029}", "\u{FEFF}bom", "\u{FFFE}", "é", "e\u{301}", "日本語", "Ωmega", "😀", "ﬁ",
        String(repeating: "long ", count: 400),
    ]

    /// Every tricky string as a map key, a list item, a map value and a
    /// whole document, read back by PyYAML and compared, through JSON, with
    /// what was written.
    @Test(arguments: trickyStrings)
    func stringsRoundTripThroughPyYAML(_ s: String) throws {
        try Self.expectRoundTrip(.map([PlanEntry(s, .list([.string(s)])), PlanEntry("value", .string(s))]))
        try Self.expectRoundTrip(.string(s))
    }

    static let longKey = String(repeating: "k", count: 1500)

    static let trickyStructures: [PlanValue] = [
        .null, .bool(true), .bool(false), .int(0), .int(Int.max), .int(Int.min), .list([]), .map([]),
        .list([.null, .bool(false), .int(-3), .list([]), .map([]), .list([.list([.int(1)])])]),
        .list([.map([PlanEntry("a", .int(1)), PlanEntry("b", .list([.map([PlanEntry("c", .map([]))])]))])]),
        .map([
            PlanEntry("", .string("empty key")), PlanEntry("<<", .int(1)), PlanEntry("=", .int(2)),
            PlanEntry("? q", .int(3)), PlanEntry("- d", .int(4)),
        ]),
        .map([PlanEntry(longKey, .string("long key")), PlanEntry("next", .int(1))]),
        .map([PlanEntry(longKey + "\n", .map([PlanEntry("nested", .list([.int(1)]))]))]),
        .list([.map([PlanEntry(longKey, .list([.int(1), .int(2)])), PlanEntry("after", .null)])]),
        .map([PlanEntry("password", .secret("s3cr3t: yes"))]),
    ]

    @Test(arguments: trickyStructures)
    func structuresRoundTripThroughPyYAML(_ value: PlanValue) throws {
        try Self.expectRoundTrip(value)
    }

    static func expectRoundTrip(_ value: PlanValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let yaml = YAMLEmitter.encode(value)
        let python = try PythonProcess.yamlToJSON(yaml)
        let expected = JSONCodecTests.revealed(value)
        let expectedJSON = try JSONCodec.encode(expected, pretty: false)
        #expect(
            try JSONCodec.decode(python) == expected,
            "YAML:\n\(yaml)\nPyYAML read:\n\(python)\nexpected: \(expectedJSON)",
            sourceLocation: sourceLocation)
    }
}
