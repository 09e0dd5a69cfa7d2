import Foundation
import TernLang
import TernPlan
import TernSource
import Testing

/// The evaluator's specification, through the public planner: each case is
/// a small playbook, and what it means is read back from the step graph —
/// the commands, file bodies, conditions and edges — or from the
/// diagnostics. Most expression cases write `json(EXPRESSION)` into a file
/// and compare that text, so one table line states one fact of the language.
@Suite struct EvaluatorTests {
    // MARK: expressions

    /// Operators, strings, comparisons, `in`, conditionals and collections.
    static let expressions: [(String, String)] = [
        // arithmetic: ints are 64-bit, division truncates toward zero
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("10 - 4 - 3", "3"),
        ("100 / 10 / 2", "5"),
        ("7 / 2", "3"),
        ("-7 / 2", "-3"),
        ("7 % 3", "1"),
        ("-(2 + 3)", "-5"),
        ("2 - -3", "5"),
        // durations: milliseconds, printed in the largest units
        ("1m + 30s", #""1m30s""#),
        ("2 * 5s", #""10s""#),
        ("5s * 2", #""10s""#),
        ("1h / 4", #""15m""#),
        ("1h / 1m", "60"),
        ("90s % 1m", #""30s""#),
        ("1m - 2m", #""0s""#),
        ("1_500ms", #""1s500ms""#),
        ("1d + 1h + 1ms", #""1d1h1ms""#),
        ("1h30m", #""1h30m""#),
        ("1m30s500ms", #""1m30s500ms""#),
        ("2m30s + 30s", #""3m""#),
        // strings
        (#""a" + "b""#, #""ab""#),
        (#""x=${1 + 2}""#, #""x=3""#),
        (#""${true}/${false}""#, #""true/false""#),
        (#""${[1, 2, 3]}""#, #""1 2 3""#),
        (#""${90s}""#, #""1m30s""#),
        (#""a${"b${"c"}"}d""#, #""abcd""#),
        (#""tab\tquote\"dollar\$""#, #""tab\tquote\"dollar$""#),
        (#""\u{E9}t\u{E9}""#, #""été""#),
        // comparisons
        ("1 < 2", "true"),
        ("2 <= 2", "true"),
        ("3 > 4", "false"),
        ("3 >= 4", "false"),
        (#""abc" < "abd""#, "true"),
        ("2m > 90s", "true"),
        ("[1, [2]] == [1, [2]]", "true"),
        ("{a: 1, b: 2} == {b: 2, a: 1}", "true"),
        (#"1 == "1""#, "false"),
        (#""a" != "b""#, "true"),
        ("null == null", "true"),
        // membership
        ("2 in [1, 2]", "true"),
        ("3 not in [1, 2]", "true"),
        (#""a" in {a: 1}"#, "true"),
        (#""b" in {a: 1}"#, "false"),
        (#""ell" in "hello""#, "true"),
        (#""" in "x""#, "true"),
        ("[1] in [[1], [2]]", "true"),
        // boolean operators short-circuit
        ("true and false", "false"),
        ("false or true", "true"),
        ("not true or true", "true"),
        (#"false and fail("never evaluated")"#, "false"),
        (#"true or fail("never evaluated")"#, "true"),
        // conditional expressions: only the chosen branch is evaluated
        ("1 if true else 2", "1"),
        ("1 if false else 2", "2"),
        ("1 if false else 2 if false else 3", "3"),
        (#""yes" if 2 > 1 else fail("never evaluated")"#, #""yes""#),
        ("(1 if true else 2) + 10", "11"),
        // lists and maps
        ("[1, 2] + [3]", "[1,2,3]"),
        ("[10, 20, 30][0]", "10"),
        ("[10, 20, 30][-1]", "30"),
        ("{b: 1, a: 2}", #"{"b":1,"a":2}"#),
        ("{a: 1, b: 2} + {a: 3, c: 4}", #"{"a":3,"b":2,"c":4}"#),
        ("{a: {b: [true, null]}}.a.b", "[true,null]"),
        (#"{"content-type": "json"}["content-type"]"#, #""json""#),
        ("{if: 1, for: 2}", #"{"if":1,"for":2}"#),
        // comprehensions
        ("[x * x for x in range(4)]", "[0,1,4,9]"),
        ("[x for x in range(10) if x % 3 == 0]", "[0,3,6,9]"),
        (#"[i for i, x in ["a", "b", "c"]]"#, "[0,1,2]"),
        (#"["${k}=${v}" for k, v in {a: 1, b: 2}]"#, #"["a=1","b=2"]"#),
        ("[k for k in {z: 1, y: 2}]", #"["z","y"]"#),
        ("[[k, v] for k, v in {p: 1}]", #"[["p",1]]"#),
        ("[x for x in []]", "[]"),
    ]

    @Test(arguments: expressions)
    func expression(_ source: String, _ json: String) throws {
        #expect(try Self.json(of: source) == json)
    }

    // MARK: builtins

    static let builtins: [(String, String)] = [
        (#"json({b: 1, a: [true, null, "x"]})"#, #""{\"b\":1,\"a\":[true,null,\"x\"]}""#),
        (#"pretty_json({a: 1})"#, #""{\n  \"a\": 1\n}\n""#),
        (#"yaml({name: "web", ports: [80, 443]})"#, #""name: web\nports:\n  - 80\n  - 443\n""#),
        (#"parse_json("{\"a\": [1, 2]}")"#, #"{"a":[1,2]}"#),
        (#"base64("hello")"#, #""aGVsbG8=""#),
        (#"base64_decode("aGVsbG8=")"#, #""hello""#),
        (#"sha256("abc")"#, #""ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad""#),
        (#"len("héllo")"#, "5"),
        ("len([1, 2, 3])", "3"),
        ("len({a: 1})", "1"),
        ("keys({b: 1, a: 2})", #"["b","a"]"#),
        ("values({b: 1, a: 2})", "[1,2]"),
        (#"join(["a", "b", "c"], "-")"#, #""a-b-c""#),
        (#"join(["a", "b"])"#, #""a b""#),
        (#"split("a,b,,c", ",")"#, #"["a","b","","c"]"#),
        (#"format("{}-{}", 1, "x")"#, #""1-x""#),
        (#"format("{{}} {}", true)"#, #""{} true""#),
        (#"trim("  x y \n")"#, #""x y""#),
        ("range(3)", "[0,1,2]"),
        ("range(2, 5)", "[2,3,4]"),
        ("range(5, 2)", "[]"),
        ("sorted([3, 1, 2])", "[1,2,3]"),
        (#"sorted(["b", "a", "c"])"#, #"["a","b","c"]"#),
        (#"replace("a-b-c", "-", "+")"#, #""a+b+c""#),
        (#"get({a: 1}, "a")"#, "1"),
        (#"get({a: 1}, "b", 0)"#, "0"),
        (#"get({a: 1}, "b")"#, "null"),
        ("contains([1, 2], 2)", "true"),
        (#"contains("abc", "bc")"#, "true"),
        (#"contains({a: 1}, "b")"#, "false"),
        ("type(1)", #""int""#),
        (#"type("s")"#, #""string""#),
        ("type([])", #""list""#),
        ("type({})", #""map""#),
        ("type(5s)", #""duration""#),
        ("type(null)", #""null""#),
        ("type(true)", #""bool""#),
        (#"upper("abc")"#, #""ABC""#),
        (#"lower("ABC")"#, #""abc""#),
        (#"lines("a\nb\n")"#, #"["a","b"]"#),
        (#"starts_with("hello", "he")"#, "true"),
        (#"ends_with("hello", "lo")"#, "true"),
        ("str(42)", #""42""#),
        (#"int("42")"#, "42"),
        (#"env("TERN_TEST_VAR")"#, #""from the environment""#),
        (#"env("TERN_TEST_UNSET", "fallback")"#, #""fallback""#),
    ]

    @Test(arguments: builtins)
    func builtin(_ source: String, _ json: String) throws {
        #expect(try Self.json(of: source) == json)
    }

    // MARK: errors

    /// Mistakes in expressions: each is one diagnostic with a stable id.
    static let errors: [(String, String)] = [
        ("1 / 0", "division-by-zero"),
        ("1h30", "bad-number"),
        ("99999999999999999999", "bad-number"),
        ("5s % 0s", "division-by-zero"),
        ("9223372036854775807 + 1", "overflow"),
        ("0 - 9223372036854775807 - 2", "overflow"),
        ("4611686018427387904 * 2", "overflow"),
        (#""a" + 1"#, "type-mismatch"),
        (#"1 < "a""#, "type-mismatch"),
        ("-5s", "type-mismatch"),
        ("not 1", "type-mismatch"),
        ("1 and true", "type-mismatch"),
        ("1 if 1 else 2", "type-mismatch"),
        ("[1][5]", "index-out-of-range"),
        (#"[1]["a"]"#, "type-mismatch"),
        ("{a: 1}.b", "missing-key"),
        (#"{a: 1}["b"]"#, "missing-key"),
        ("no_such_name", "unknown-name"),
        ("range(200000)", "range-too-large"),
        (#"format("{} {}", 1)"#, "argument-count"),
        (#"format("{x}", 1)"#, "bad-format"),
        (#"format("}")"#, "bad-format"),
        (#"replace("a", "", "b")"#, "builtin-failed"),
        (#""${null}""#, "cannot-interpolate"),
        (#""${[[1]]}""#, "cannot-interpolate"),
        (#"env("TERN_TEST_UNSET")"#, "missing-environment"),
        (#"fail("stop here")"#, "fail"),
        ("len(1, 2)", "argument-count"),
        ("len()", "argument-count"),
        ("keys([1])", "type-mismatch"),
        ("join([1], sep: 2)", "unknown-argument"),
        ("5()", "not-callable"),
        ("[x for x in 5]", "type-mismatch"),
        (#"parse_json("{")"#, "builtin-failed"),
    ]

    @Test(arguments: errors)
    func error(_ source: String, _ id: String) throws {
        let result = try Playbook(Self.probe(source)).plan()
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.id) == [id], "\(DiagnosticRenderer().render(result.diagnostics))")
        #expect(result.graph == nil)
    }

    // MARK: globals

    @Test func globalsMayBeUsedBeforeTheyAreDeclared() throws {
        let json = try Self.json(of: "[c, b, a]", prelude: """
            let c = b + 1
            let b = a * 2
            let a = 1
            """)
        #expect(json == "[3,2,1]")
    }

    @Test func aGlobalThatNeedsItselfIsACycle() throws {
        let result = try Playbook(Self.probe("a", prelude: "let a = b\nlet b = [a]")).plan()
        #expect(result.diagnostics.map(\.id).contains("definition-cycle"))
        #expect(result.graph == nil)
    }

    @Test func hostOutsideAStepIsAnError() throws {
        let result = try Playbook(Self.probe("1", prelude: "let x = host.name")).plan()
        #expect(result.diagnostics.map(\.id) == ["host-outside-step"])
    }

    @Test func unusedGlobalsAreStillChecked() throws {
        let result = try Playbook(Self.probe("1", prelude: "let unused = 1 / 0")).plan()
        #expect(result.diagnostics.map(\.id) == ["division-by-zero"])
    }

    @Test func functionsReturnValuesAndMayRecurse() throws {
        let json = try Self.json(of: "[fact(5), first_even([1, 3, 4, 6]), nothing()]", prelude: """
            fn fact(n: int) {
              return 1 if n <= 1 else n * fact(n - 1)
            }
            fn first_even(xs: list) {
              for x in xs {
                if x % 2 == 0 { return x }
              }
              return null
            }
            fn nothing() {
              let x = 1
            }
            """)
        #expect(json == "[120,4,null]")
    }

    // MARK: recipes

    static let recipes = """
        host web1 { address: "127.0.0.1" }
        host web2 { address: "127.0.0.2" }
        group web { hosts: [web1, web2] }

        recipe greet(name: string, greeting = "hello", times = 1) {
          for i in range(times) {
            run "echo ${greeting} ${name} ${i} on ${host.name}", unless: "false"
          }
        }

        recipe twice(what: string) {
          greet what, times: 2
        }
        """

    @Test func recipesTakeDefaultsAndNamedArgumentsInAnyOrder() throws {
        let result = try Playbook(Self.recipes + """

            step s on web1 {
              greet "bob"
              greet "amy", times: 2, greeting: "hi"
              greet(greeting: "hey", name: "cy")
              twice "dee"
            }
            """).plan()
        #expect(result.errorCount == 0, "\(DiagnosticRenderer().render(result.diagnostics))")
        #expect(try Self.commands(result, "s", "web1") == [
            "echo hello bob 0 on web1",
            "echo hi amy 0 on web1", "echo hi amy 1 on web1",
            "echo hey cy 0 on web1",
            "echo hello dee 0 on web1", "echo hello dee 1 on web1",
        ])
    }

    @Test func recipeParameterTypesAreInferredFromDefaults() throws {
        let result = try Playbook(Self.recipes + """

            step s on web1 {
              greet "bob", times: "2"
            }
            """).plan()
        #expect(result.diagnostics.map(\.id) == ["type-mismatch"])
        #expect(result.diagnostics.first?.message.contains("times") == true)
    }

    static let callMistakes: [(String, String)] = [
        (#"greet "a", "b", 1, 2"#, "argument-count"),
        ("greet()", "argument-count"),
        (#"greet "a", color: "red""#, "unknown-argument"),
        (#"greet "a", name: "b""#, "duplicate-argument"),
        ("greet 1", "type-mismatch"),
    ]

    @Test(arguments: callMistakes)
    func recipeCallMistake(_ call: String, _ id: String) throws {
        let result = try Playbook(Self.recipes + "\nstep s on web1 {\n  \(call)\n}\n").plan()
        #expect(result.diagnostics.filter { $0.severity == .error }.map(\.id) == [id],
            "\(DiagnosticRenderer().render(result.diagnostics))")
    }

    @Test func hostInsideARecipeIsTheHostTheStepRunsOn() throws {
        let result = try Playbook(Self.recipes + """

            step s on web {
              greet "x"
              run "echo ${host.address}", unless: "false"
            }
            """).plan()
        #expect(try Self.commands(result, "s", "web1") == ["echo hello x 0 on web1", "echo 127.0.0.1"])
        #expect(try Self.commands(result, "s", "web2") == ["echo hello x 0 on web2", "echo 127.0.0.2"])
    }

    @Test func anEndlessRecipeIsAnErrorNotACrash() throws {
        let result = try Playbook("""
            host h { address: "127.0.0.1" }
            recipe forever(n: int) { forever(n + 1) }
            step s on h { forever 0 }
            """).plan()
        #expect(result.diagnostics.map(\.id) == ["recursion-too-deep"])
    }

    // MARK: inventory

    static let inventory = """
        host a { address: "127.0.0.1", port: 2222, user: "deploy", role: "host-a", zone: 1 }
        host b { address: "127.0.0.2" }
        host c
        group web { hosts: [a, b], role: "web", tier: "front" }
        group db { hosts: [b], role: "db" }
        group edge { hosts: ["c"], children: [db] }
        """

    static let hostFacts: [(String, String)] = [
        ("a.name", #""a""#),
        ("a.address", #""127.0.0.1""#),
        ("a.port", "2222"),
        ("a.user", #""deploy""#),
        ("b.port", "22"),
        ("b.user", "null"),
        ("c.address", #""c""#),
        ("a.zone", "1"),
        ("b.role", #""db""#),
        // group variables in declaration order, later groups win, the host's own win over all
        ("a.vars", #"{"role":"host-a","tier":"front","zone":1}"#),
        ("b.vars", #"{"role":"db","tier":"front"}"#),
        ("c.vars", "{}"),
        ("b.groups", #"["web","db","edge"]"#),
        // host sets
        ("web.names", #"["a","b"]"#),
        ("(web + db).names", #"["a","b"]"#),
        ("(web + c).names", #"["a","b","c"]"#),
        ("(a + c).names", #"["a","c"]"#),
        ("(web - a).names", #"["b"]"#),
        ("(all - web).names", #"["c"]"#),
        ("edge.names", #"["b","c"]"#),
        ("web.first.name", #""a""#),
        ("web.last.name", #""b""#),
        ("web[0].name", #""a""#),
        ("web[-1].name", #""b""#),
        (#"web["b"].address"#, #""127.0.0.2""#),
        ("web.count", "2"),
        ("len(all)", "3"),
        ("a in web", "true"),
        ("c in web", "false"),
        (#"group("web").names"#, #"["a","b"]"#),
        ("[h.name for h in web]", #"["a","b"]"#),
    ]

    @Test(arguments: hostFacts)
    func hostFact(_ source: String, _ json: String) throws {
        #expect(try Self.json(of: source, prelude: Self.inventory, on: "a") == json)
    }

    @Test func hostInsideAStepIsEachTargetInTurn() throws {
        let result = try Playbook(Self.inventory + """

            step s on web + c {
              write_file "/etc/role", content: "${host.name}:${get(host.vars, "role", "none")}"
            }
            """).plan()
        let graph = try #require(result.graph, "\(DiagnosticRenderer().render(result.diagnostics))")
        let bodies = graph.nodes.map { "\($0.ref.host)=\(Self.fileBodies($0).joined())" }
        #expect(bodies == ["a=a:host-a", "b=b:db", "c=c:none"])
    }

    @Test(arguments: [
        (#"web["zz"]"#, "unknown-host"),
        ("web[7]", "index-out-of-range"),
        ("(web - web).first", "empty-host-set"),
        ("a.nope", "unknown-field"),
        (#"group("nope")"#, "unknown-group"),
    ])
    func hostSetMistake(_ source: String, _ id: String) throws {
        let result = try Playbook(Self.probe(source, prelude: Self.inventory, on: "a")).plan()
        #expect(result.diagnostics.filter { $0.severity == .error }.map(\.id) == [id],
            "\(DiagnosticRenderer().render(result.diagnostics))")
    }

    // MARK: parameters

    static let params = """
        param s = "default"
        param n = 1
        param flag = false
        param wait = 30s
        param names = ["a"]
        param labels = {tier: "web"}
        param count: int = 3
        param required: string = "r"
        """

    static let paramOverrides: [(String, String, String)] = [
        ("s", "hello world", #""hello world""#),
        ("s", "", #""""#),
        ("s", "42", #""42""#),
        ("n", "42", "42"),
        ("n", "-7", "-7"),
        ("flag", "true", "true"),
        ("wait", "1h30m", #""1h30m""#),
        ("wait", "500ms", #""500ms""#),
        ("names", #"["x", "y z"]"#, #"["x","y z"]"#),
        ("names", "[]", "[]"),
        ("labels", #"{"a": 1, "b": [true]}"#, #"{"a":1,"b":[true]}"#),
        ("count", "9", "9"),
    ]

    @Test(arguments: paramOverrides)
    func paramOverride(_ name: String, _ value: String, _ json: String) throws {
        var playbook = Playbook(Self.probe(name, prelude: Self.params))
        playbook.params = [(name, value)]
        let result = try playbook.plan()
        #expect(try Self.fileBody(result) == json, "\(DiagnosticRenderer().render(result.diagnostics))")
    }

    @Test func paramsKeepTheirDefaultsWithoutOverrides() throws {
        let json = try Self.json(of: "[s, n, flag, wait, names, labels, count]", prelude: Self.params)
        #expect(json == #"["default",1,false,"30s",["a"],{"tier":"web"},3]"#)
    }

    static let badParams: [(String, String, String)] = [
        ("n", "abc", "bad-parameter"),
        ("n", "1.5", "bad-parameter"),
        ("flag", "yes", "bad-parameter"),
        ("wait", "30", "bad-parameter"),
        ("wait", "30x", "bad-parameter"),
        ("names", "a,b", "bad-parameter"),
        ("names", #"{"a": 1}"#, "bad-parameter"),
        ("labels", "[1]", "bad-parameter"),
        ("nope", "1", "unknown-parameter"),
    ]

    @Test(arguments: badParams)
    func badParam(_ name: String, _ value: String, _ id: String) throws {
        var playbook = Playbook(Self.probe("[s, n, flag, wait, names, labels]", prelude: Self.params))
        playbook.params = [(name, value)]
        let result = try playbook.plan()
        #expect(result.diagnostics.map(\.id) == [id], "\(DiagnosticRenderer().render(result.diagnostics))")
    }

    @Test func aParamWithATypeAndNoDefaultIsRequired() throws {
        let source = Self.probe("size", prelude: "param size: int")
        #expect(try Playbook(source).plan().diagnostics.map(\.id) == ["missing-parameter"])
        var given = Playbook(source)
        given.params = [("size", "50")]
        #expect(try Self.fileBody(given.plan()) == "50")
    }

    // MARK: secrets

    static let secrets = """
        host h { address: "127.0.0.1" }
        secret token from env "TERN_TEST_TOKEN"
        secret key from file "key.txt"
        param password: secret = "p"
        step s on h {
          run "curl -u admin:${token} --key ${key} -p ${password}", unless: "false"
          run "echo ${base64(token)}", unless: "false"
          write_file "/etc/app.conf", content: "token=${token}\\n", mode: "0600"
        }
        """

    @Test func secretsAreMaskedForDisplayAndIntactForTheHost() throws {
        var playbook = Playbook(Self.secrets)
        playbook.environment = ["TERN_TEST_TOKEN": "t0k3n"]
        playbook.files = ["key.txt": "file secret\n"]
        playbook.params = [("password", "it's")]
        let result = try playbook.plan()
        let graph = try #require(result.graph, "\(DiagnosticRenderer().render(result.diagnostics))")
        let node = try #require(graph.nodes.first)
        let applies = node.actions.compactMap { a -> Template? in
            if case .command(_, let apply) = a.kind { return apply }
            return nil
        }
        #expect(applies.map { $0.shellCommand(redacted: true) } == ["curl -u admin:*** --key *** -p ***", "echo ***"])
        #expect(applies.map { $0.shellCommand(redacted: false) } == [
            #"curl -u admin:t0k3n --key 'file secret' -p 'it'\''s'"#, "echo dDBrM24=",
        ])
        #expect(applies.allSatisfy { $0.containsSecret })
        let file = try #require(Self.files(node).first)
        #expect(file.content.displayText(redacted: true) == "token=***\n")
        #expect(file.content.plainText == "token=t0k3n\n")
        #expect(file.mode == "0600")
    }

    @Test func aMissingSecretIsAWarningWhenCheckingAndAnErrorWhenRequired() throws {
        var playbook = Playbook(Self.secrets)
        playbook.files = ["key.txt": "k"]
        let checked = try playbook.plan()
        #expect(checked.diagnostics.map(\.id) == ["secret-missing"])
        #expect(checked.warningCount == 1)
        let node = try #require(checked.graph?.nodes.first)
        #expect(Self.applyCommands(node, redacted: true).first?.hasPrefix("curl -u admin:*** --key *** -p") == true)
        playbook.requireSecrets = true
        let required = try playbook.plan()
        #expect(required.errorCount == 1)
        #expect(required.graph == nil)
    }

    // MARK: steps

    static let hosts = """
        host h1 { address: "127.0.0.1" }
        host h2 { address: "127.0.0.2" }
        host h3 { address: "127.0.0.3" }
        host h4 { address: "127.0.0.4" }
        group all4 { hosts: [h1, h2, h3, h4] }
        """

    @Test func readIsDeferredAndWaitsForExactlyTheNodeItReads() throws {
        let result = try Playbook(Self.hosts + """

            step producer on [h1, h2] { run "make id", creates: "/etc/id" }
            step consumer on h3 {
              run "echo ${read(h1, "/etc/id", after: producer)}", unless: "false"
              run "echo ${read(h2, cmd: "hostname")}", unless: "false"
            }
            """).plan()
        let graph = try #require(result.graph, "\(DiagnosticRenderer().render(result.diagnostics))")
        let consumer = try #require(graph.nodes.first { $0.ref == NodeRef(step: "consumer", host: "h3") })
        let producerOnH1 = try #require(graph.index(of: NodeRef(step: "producer", host: "h1")))
        #expect(consumer.extraDependencies == [producerOnH1])
        let applies = consumer.actions.compactMap { a -> Template? in
            if case .command(_, let apply) = a.kind { return apply }
            return nil
        }
        #expect(applies.map(\.isKnown) == [false, false])
        #expect(applies.map { $0.plainText } == [nil, nil])
        #expect(applies[0].shellCommand(redacted: true) == #"echo ${read(h1, "/etc/id", after: producer)}"#)
        // A data edge, not a step-level `after`.
        #expect(graph.stepAfter[consumer.step].isEmpty)
    }

    @Test func readingAStepWhereItDoesNotRunIsAnError() throws {
        let result = try Playbook(Self.hosts + """

            step producer on h1 { run "true", unless: "true" }
            step consumer on h3 {
              run "echo ${read(h2, "/etc/id", after: producer)}", unless: "false"
            }
            """).plan()
        #expect(result.diagnostics.map(\.id).contains("step-not-on-host"))
    }

    @Test func aDeferredValueCannotDecideAnIf() throws {
        let result = try Playbook(Self.hosts + """

            step s on h1 {
              if read(h2, "/x") == "y" { run "true", unless: "true" }
            }
            """).plan()
        #expect(result.diagnostics.map(\.id) == ["deferred-condition"])
    }

    @Test(arguments: [
        ("false", ["never", "never"]),
        ("true", ["always", "always"]),
        (#"host.name == "h1""#, ["always", "never"]),
        (#"read(host, "/etc/flag") == "on""#, ["deferred", "deferred"]),
    ])
    func whenDecidesEachNode(_ when: String, _ conditions: [String]) throws {
        let result = try Playbook(Self.hosts + """

            step s on [h1, h2], when: \(when) { run "true", unless: "true" }
            """).plan()
        let graph = try #require(result.graph, "\(DiagnosticRenderer().render(result.diagnostics))")
        #expect(graph.nodes.map { node -> String in
            switch node.condition {
            case .always: "always"
            case .never: "never"
            case .deferred: "deferred"
            }
        } == conditions)
    }

    @Test func onceMakesOneNode() throws {
        let result = try Playbook(Self.hosts + """

            step s on all4, once: true { run "true", unless: "true" }
            step t on all4 { run "true", unless: "true" }
            """).plan()
        let graph = try #require(result.graph)
        #expect(graph.nodes.filter { $0.ref.step == "s" }.map(\.ref.host) == ["h1"])
        #expect(graph.nodes.filter { $0.ref.step == "t" }.count == 4)
        #expect(graph.steps.first?.options.once == true)
    }

    @Test func serialBatchesWaitForThePreviousBatch() throws {
        let result = try Playbook(Self.hosts + """

            step s on all4, serial: 2 { run "true", unless: "true" }
            """).plan()
        let graph = try #require(result.graph)
        #expect(graph.steps.first?.options.serial == 2)
        let deps = graph.nodes.map { node in node.extraDependencies.map { graph.nodes[$0].ref.host } }
        #expect(deps == [[], [], ["h1", "h2"], ["h1", "h2"]])
    }

    @Test func stepOptionsAreRecorded() throws {
        let result = try Playbook(Self.hosts + """

            step first on h1 { run "true", unless: "true" }
            step s on h1 after first, retries: 3, delay: 5s, timeout: 2m, become: "postgres" {
              run "true", unless: "true"
            }
            """).plan()
        let graph = try #require(result.graph)
        let s = try #require(graph.steps.last)
        #expect(s.after == ["first"])
        #expect(s.options.retries == 3)
        #expect(s.options.delayMillis == 5000)
        #expect(s.options.timeoutMillis == 120_000)
        #expect(s.options.become == "postgres")
        #expect(graph.dependencies(of: 1) == [0])
    }

    @Test(arguments: [
        ("retries: -1", "type-mismatch"),
        ("timeout: 0s", "type-mismatch"),
        (#"serial: "2""#, "type-mismatch"),
        ("once: 1", "type-mismatch"),
        ("when: 1", "type-mismatch"),
        ("colour: 1", "unknown-option"),
    ])
    func badStepOption(_ option: String, _ id: String) throws {
        let result = try Playbook(Self.hosts + "\nstep s on h1, \(option) { run \"true\", unless: \"true\" }\n").plan()
        #expect(result.diagnostics.map(\.id) == [id], "\(DiagnosticRenderer().render(result.diagnostics))")
    }

    @Test func handlersAreNotifiedByName() throws {
        let result = try Playbook(Self.hosts + """

            step configured on h1 {
              write_file "/etc/app.conf", content: "x", notify: restart
              run "make", creates: "/usr/bin/app", notify: [restart, reload]
            }
            handler restart on h1 { run "systemctl restart app" }
            handler reload on h1 { run "systemctl reload app" }
            """).plan()
        let graph = try #require(result.graph, "\(DiagnosticRenderer().render(result.diagnostics))")
        // A handler needs no check: it runs only after a change.
        #expect(result.diagnostics.isEmpty, "\(DiagnosticRenderer().render(result.diagnostics))")
        #expect(graph.steps.map(\.options.handler) == [false, true, true])
        #expect(graph.nodes[0].actions.map(\.notify) == [["restart"], ["restart", "reload"]])
    }

    @Test func anActionWithoutACheckIsAWarning() throws {
        let result = try Playbook(Self.hosts + "\nstep s on h1 { run \"make\" }\n").plan()
        #expect(result.diagnostics.map(\.id) == ["action-without-check"])
        #expect(result.diagnostics.first?.severity == .warning)
        #expect(result.graph != nil)
    }

    @Test func runGuardsBecomeTheCheck() throws {
        let result = try Playbook(Self.hosts + """

            step s on h1 {
              run "make", creates: "/opt/my app/bin", unless: "test -x /usr/bin/app"
            }
            """).plan()
        let node = try #require(result.graph?.nodes.first)
        guard case .command(let check, let apply) = try #require(node.actions.first).kind else {
            Issue.record("expected a command")
            return
        }
        #expect(apply.shellCommand(redacted: false) == "make")
        #expect(check?.shellCommand(redacted: false) == "test -e '/opt/my app/bin' || { test -x /usr/bin/app; }")
    }

    // MARK: shell safety

    /// Values that would change a command if they were spliced in as text.
    /// `$(rm -rf /)` runs, if it ever runs, with an empty PATH in a scratch
    /// directory; the others would leave a file named `pwned` there.
    static let hostileValues: [String] = [
        "it's",
        #"say "hi""#,
        #"both ' and " kinds"#,
        "'",
        #"""#,
        "$(rm -rf /)",
        "`echo pwned > pwned`",
        "$(echo pwned > pwned)",
        "line one\nline two",
        "a; echo pwned > pwned",
        "a && echo pwned > pwned",
        "a | tee pwned",
        "> pwned",
        "*",
        "-rf",
        "-n",
        "héllo wörld ✓ 日本語",
        "",
        "  two  spaces  ",
        "tab\there",
        "$HOME ${PATH}",
        "~",
        "# not a comment",
        #"back\slash\n"#,
        "!",
    ]

    enum Source: String, CaseIterable, Sendable {
        case param, environment, ternInventory = "tern-inventory", ansibleInventory = "ansible-inventory", secret, listElement = "list-element"
    }

    /// Every hostile value, from every source, reaches the shell as exactly
    /// one word: the shell prints it back unchanged.
    @Test(arguments: Source.allCases)
    func hostileValuesAreOneShellWord(_ source: Source) throws {
        for value in Self.hostileValues {
            var playbook = Playbook("")
            var expression = "x"
            var prelude = ""
            switch source {
            case .param:
                prelude = "param x = \"\""
                playbook.params = [("x", value)]
            case .environment:
                prelude = "let x = env(\"TERN_HOSTILE\")"
                playbook.environment = ["TERN_HOSTILE": value]
            case .ternInventory:
                prelude = "host other { v: \(Self.ternLiteral(value)) }"
                expression = "other.v"
            case .ansibleInventory:
                prelude = "inventory \"hosts.yml\""
                playbook.files = ["hosts.yml": "all:\n  hosts:\n    other:\n      v: \(Self.jsonString(value))\n"]
                expression = "other.v"
            case .secret:
                prelude = "secret x from env \"TERN_HOSTILE\""
                playbook.environment = ["TERN_HOSTILE": value]
            case .listElement:
                prelude = "let x = [\(Self.ternLiteral(value))][0]"
            }
            playbook.text = """
                host h { address: "127.0.0.1" }
                \(prelude)
                step s on h {
                  run "printf '[%s]' ${\(expression)} ${\(expression)}", unless: "false"
                  run "echo ${\(expression)}", unless: "false"
                }
                """
            let result = try playbook.plan()
            let node = try #require(result.graph?.nodes.first, "\(value): \(DiagnosticRenderer().render(result.diagnostics))")
            let commands = Self.applyCommands(node, redacted: false)
            try #require(commands.count == 2)
            // Printed twice, so that a value that vanished shows too.
            let printed = try Shell.run(commands[0])
            #expect(printed == "[\(value)][\(value)]", "\(source) \(value.debugDescription): \(commands[0])")
            // `echo` takes `-n` as an option and expands backslashes in
            // some shells; that is echo, not quoting.
            if !value.hasPrefix("-n"), !value.contains("\\") {
                #expect(try Shell.run(commands[1]) == value + "\n", "\(source) \(value.debugDescription): \(commands[1])")
            }
        }
    }

    @Test func eachListElementIsOneWord() throws {
        var playbook = Playbook(#"""
            host h { address: "127.0.0.1" }
            param xs = ["a"]
            let literal = [\#(Self.hostileValues.map(Self.ternLiteral).joined(separator: ", "))]
            step s on h {
              run "printf '[%s]' ${xs}", unless: "false"
              run "printf '[%s]' ${literal}", unless: "false"
              run "printf '%s\\n' ${["one", "two words", "three"]}", unless: "false"
            }
            """#)
        playbook.params = [("xs", "[" + Self.hostileValues.map(Self.jsonString).joined(separator: ", ") + "]")]
        let result = try playbook.plan()
        let node = try #require(result.graph?.nodes.first, "\(DiagnosticRenderer().render(result.diagnostics))")
        let commands = Self.applyCommands(node, redacted: false)
        let expected = Self.hostileValues.map { "[\($0)]" }.joined()
        #expect(try Shell.run(commands[0]) == expected)
        let printed = try Shell.run(commands[1])
        #expect(printed == expected)
        #expect(try Shell.run(commands[2]) == "one\ntwo words\nthree\n")
    }

    @Test func rawSplicesShellSyntax() throws {
        let result = try Playbook("""
            host h { address: "127.0.0.1" }
            let words = "a b"
            step s on h {
              run "printf '[%s]' ${raw("a b")}", unless: "false"
              run "printf '[%s]' ${words}", unless: "false"
              run "printf '[%s]' ${raw(words)} ${"c d"}", unless: "false"
            }
            """).plan()
        let node = try #require(result.graph?.nodes.first, "\(DiagnosticRenderer().render(result.diagnostics))")
        let commands = Self.applyCommands(node, redacted: false)
        #expect(try commands.map(Shell.run) == ["[a][b]", "[a b]", "[a][b][c d]"])
    }

    @Test func rawRefusesSecrets() throws {
        var playbook = Playbook("""
            host h { address: "127.0.0.1" }
            secret k from env "K"
            step s on h { run "echo ${raw(k)}", unless: "false" }
            """)
        playbook.environment = ["K": "$(id)"]
        #expect(try playbook.plan().diagnostics.map(\.id) == ["raw-not-allowed"])
    }

    @Test func authorTextIsShellSyntaxButInterpolatedTextIsAWord() throws {
        let result = try Playbook("""
            host h { address: "127.0.0.1" }
            let snippet = "a; b"
            step s on h {
              run "echo 1; echo 2", unless: "false"
              run "echo ${snippet}", unless: "false"
              run "echo --name=${snippet}", unless: "false"
            }
            """).plan()
        let node = try #require(result.graph?.nodes.first)
        let commands = Self.applyCommands(node, redacted: false)
        #expect(commands == ["echo 1; echo 2", "echo 'a; b'", "echo --name='a; b'"])
        #expect(try commands.map(Shell.run) == ["1\n2\n", "a; b\n", "--name=a; b\n"])
    }

    @Test func theShellHarnessSeesSplittingAndSideEffects() throws {
        #expect(try Shell.run("printf '[%s]' a b") == "[a][b]")
        #expect(try Shell.run("printf '[%s]' *") == "[glob-target]")
        #expect(throws: Shell.Failure.self) { try Shell.run("echo x > pwned") }
    }

    // MARK: regressions

    // Bugs found and fixed, kept as regression tests.

    @Test func anEmptyStringLiteralIsOneEmptyWord() throws {
        let result = try Playbook("""
            host h { address: "127.0.0.1" }
            let x = ""
            step s on h { run "test -n ${x}", unless: "false" }
            """).plan()
        let node = try #require(result.graph?.nodes.first)
        #expect(Self.applyCommands(node, redacted: false) == ["test -n ''"])
    }

    @Test func aSecretParamsDefaultIsSecretToo() throws {
        let result = try Playbook(Self.probe("1", prelude: "param password: secret = \"default-pw\"")
            .replacingOccurrences(of: "json(1)", with: "password")).plan()
        let node = try #require(result.graph?.nodes.first, "\(DiagnosticRenderer().render(result.diagnostics))")
        let file = try #require(Self.files(node).first)
        #expect(file.content.displayText(redacted: true) == "***")
    }

    @Test func aLoneOpeningBraceInAFormatIsAnError() throws {
        let result = try Playbook(Self.probe(#"format("a{")"#)).plan()
        #expect(result.diagnostics.map(\.id) == ["bad-format"])
    }

    /// A message must not print a secret any more than a plan may.
    @Test(arguments: [#"fail("bad ${k}")"#, "{a: 1}[k]", "all[k]", "env(k)", "group(k)", "local_file(k)"])
    func diagnosticsDoNotRevealSecrets(_ source: String) throws {
        var playbook = Playbook(Self.probe("1", prelude: "secret k from env \"K\"\nlet x = \(source)"))
        playbook.environment = ["K": "s3cret-value"]
        let result = try playbook.plan()
        #expect(result.errorCount == 1)
        let rendered = DiagnosticRenderer().render(result.diagnostics)
        #expect(!rendered.contains("s3cret-value"), "\(rendered)")
    }

    @Test func notInWorksOnRunTimeValues() throws {
        let result = try Playbook(Self.hosts + """

            step s on h1, when: "x" not in read(h2, "/etc/flags") { run "true", unless: "true" }
            """).plan()
        #expect(result.errorCount == 0, "\(DiagnosticRenderer().render(result.diagnostics))")
    }

    @Test func addingToARunTimeIntIsNotConcatenation() throws {
        let result = try Playbook(Self.hosts + """

            step s on h1 { run "echo ${len(read(h2, "/etc/flags")) + 1}", unless: "true" }
            """).plan()
        let commands = result.graph?.nodes.first.map { Self.applyCommands($0, redacted: true) } ?? []
        #expect(result.errorCount > 0 || !commands.contains { $0.contains("concat(") }, "\(commands)")
    }

    @Test func lineContinuationInAnIndentedMultilineString() throws {
        let continued = try Self.json(of: "\"\"\"\n    one \\\n    two\n    \"\"\"")
        let oneLine = try Self.json(of: "\"\"\"\n    one two\n    \"\"\"")
        #expect(continued == oneLine)
    }

    @Test func multilineStringsInCRLFFilesAreDedented() throws {
        let crlf = try Self.json(of: "s", prelude: "let s = \"\"\"\r\n    a\r\n    b\r\n    \"\"\"\r\n")
        let lf = try Self.json(of: "s", prelude: "let s = \"\"\"\n    a\n    b\n    \"\"\"\n")
        #expect(crlf?.replacingOccurrences(of: "\\r", with: "") == lf)
    }
}

// MARK: - harness

/// A playbook planned from text as `main.tern` in a fresh temporary
/// directory, which also holds `files` (inventories, secret files).
struct Playbook {
    var text: String
    var params: [(name: String, value: String)] = []
    var environment: [String: String] = ["TERN_TEST_VAR": "from the environment"]
    var files: [String: String] = [:]
    var requireSecrets = false

    init(_ text: String) { self.text = text }

    func plan() throws -> PlanResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tern-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, contents) in files {
            try contents.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        var options = PlanOptions()
        options.stdlibPath = GoldenFiles.repository.appendingPathComponent("stdlib").path
        options.baseDirectory = dir.path
        options.environment = environment
        options.params = params
        options.requireSecrets = requireSecrets
        return Planner.plan(path: dir.appendingPathComponent("main.tern").path, text: text, options: options)
    }
}

extension EvaluatorTests {
    /// A playbook whose one node writes `json(EXPRESSION)` to a file.
    static func probe(_ expression: String, prelude: String = "", on target: String? = nil) -> String {
        let host = target == nil ? "host probe_host { address: \"127.9.9.9\" }\n" : ""
        return """
            \(host)\(prelude)
            step probe on \(target ?? "probe_host") {
              write_file "/probe.json", content: json(\(expression))
            }
            """
    }

    /// The JSON text of an expression's value; records the diagnostics when there is none.
    static func json(of expression: String, prelude: String = "", on target: String? = nil) throws -> String? {
        try fileBody(Playbook(probe(expression, prelude: prelude, on: target)).plan())
    }

    static func fileBody(_ result: PlanResult) throws -> String? {
        let graph = try #require(result.graph, "\(DiagnosticRenderer().render(result.diagnostics))")
        #expect(result.errorCount == 0, "\(DiagnosticRenderer().render(result.diagnostics))")
        return graph.nodes.first.flatMap { fileBodies($0).first }
    }

    static func files(_ node: StepGraph.Node) -> [FileSpec] {
        node.actions.compactMap { if case .file(let f) = $0.kind { f } else { nil } }
    }

    static func fileBodies(_ node: StepGraph.Node) -> [String] {
        files(node).compactMap(\.content.plainText)
    }

    static func applyCommands(_ node: StepGraph.Node, redacted: Bool) -> [String] {
        node.actions.compactMap { action in
            if case .command(_, let apply) = action.kind { return apply.shellCommand(redacted: redacted) }
            return nil
        }
    }

    /// The apply commands of one node, as the host would run them.
    static func commands(_ result: PlanResult, _ step: String, _ host: String) throws -> [String] {
        let graph = try #require(result.graph, "\(DiagnosticRenderer().render(result.diagnostics))")
        let node = try #require(graph.nodes.first { $0.ref == NodeRef(step: step, host: host) })
        return applyCommands(node, redacted: false)
    }

    /// A Tern string literal holding exactly `s`.
    static func ternLiteral(_ s: String) -> String { PlanValueFormat.quoted(s) }

    /// A JSON (and YAML) double-quoted string holding exactly `s`.
    static func jsonString(_ s: String) -> String { JSONCodec.quoted(s) }
}

/// Runs a command with `/bin/sh -c` in a scratch directory with an empty
/// PATH (so only shell builtins such as printf and echo exist) and returns
/// what it printed. Fails if the command created a file there.
enum Shell {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ command: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tern-sh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A file for `*` to match, so an unquoted glob would show.
        try "".write(to: dir.appendingPathComponent("glob-target"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = dir
        process.environment = ["PATH": "/nonexistent-tern-test-path", "HOME": "/nonexistent-home"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        if left != ["glob-target"] {
            throw Failure(description: "`\(command)` created \(left.filter { $0 != "glob-target" })")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
