import Foundation
import TernPlan
import TernSource

/// The functions every module sees. Data functions that also make sense on
/// values known only at run time are *lifted*: with plan-time arguments they
/// run now through `RuntimeFunctions` (the same code the engine runs later);
/// with a run-time argument they become a deferred call.
enum Builtins {
    struct P {
        let name: String
        let type: TypeTag
        let defaultValue: Value?
        init(_ name: String, _ type: TypeTag = .any, default d: Value? = nil) {
            self.name = name
            self.type = type
            self.defaultValue = d
        }
    }

    static func make(
        _ name: String, _ params: [P], variadic: Bool = false, runTime: Bool = false, doc: String,
        _ run: @escaping @Sendable (inout CallContext, [Value]) -> Value
    ) -> (String, FunctionValue) {
        let sig = Signature(
            parameters: params.map {
                .init(name: $0.name, type: $0.type, defaultValue: $0.defaultValue.map { .value($0) }, span: nil)
            }, variadic: variadic)
        let body = Builtin(run: run, acceptsRunTimeValues: runTime)
        return (name, FunctionValue(name: name, isRecipe: false, signature: sig, body: .builtin(body), doc: [doc], span: nil))
    }

    /// A builtin that is one of the engine's run-time functions.
    static func lifted(_ name: String, _ f: RuntimeFunction, _ params: [P], result: TypeTag, doc: String) -> (String, FunctionValue) {
        make(name, params, runTime: true, doc: doc) { ctx, args in lift(f, args, result: result, &ctx) }
    }

    static func lift(_ f: RuntimeFunction, _ args: [Value], result: TypeTag, _ ctx: inout CallContext) -> Value {
        if args.contains(where: \.isDeferredish) {
            var exprs: [RuntimeExpr] = []
            for (i, a) in args.enumerated() {
                guard let e = a.runtimeExpr else {
                    ctx.report(.notData(a.typeTag, function: f.rawValue, at: ctx.argumentSpans[i]))
                    return .poison
                }
                exprs.append(e)
            }
            let secret = exprs.contains { $0.containsSecret }
            return .deferred(.call(f, exprs), secret && result == .string ? .secret : result)
        }
        var plan: [PlanValue] = []
        for (i, a) in args.enumerated() {
            guard let p = a.planValue else {
                ctx.report(.notData(a.typeTag, function: f.rawValue, at: ctx.argumentSpans[i]))
                return .poison
            }
            plan.append(p)
        }
        do throws(RuntimeFunctionError) {
            let result = try RuntimeFunctions.apply(f, plan)
            // A value computed from a secret (base64 of it, say) is masked in
            // messages like the secret itself.
            if result.isSecret { ctx.evaluator.secretTexts.formUnion(result.secretTexts) }
            return Value(plan: result)
        } catch {
            ctx.report(.builtinFailed(f.rawValue, error.message, at: ctx.span))
            return .poison
        }
    }

    static func text(_ v: Value) -> String {
        if case .string(let t) = v { return t.plainText ?? "" }
        return ""
    }

    /// A string argument as a message may show it: secrets as ***.
    static func shown(_ v: Value) -> String {
        if case .string(let t) = v { return t.displayText() }
        return ""
    }

    static let table: [String: FunctionValue] = Dictionary(uniqueKeysWithValues: data + strings + other + Primitives.all)

    static let data: [(String, FunctionValue)] = [
        lifted("json", .json, [P("value")], result: .string, doc: "Encodes a value as compact JSON; map keys keep their order."),
        make("pretty_json", [P("value")], doc: "Encodes a value as indented JSON, for files people read.") { ctx, args in
            guard let p = args[0].planValue else {
                ctx.report(.notData(args[0].typeTag, function: "pretty_json", at: ctx.argumentSpans[0]))
                return .poison
            }
            do throws(DataError) {
                let s = try JSONCodec.encode(p, pretty: true) + "\n"
                return p.isSecret ? .string(Template([.secret(s)])) : .data(s)
            } catch {
                ctx.report(.builtinFailed("pretty_json", error.message, at: ctx.span))
                return .poison
            }
        },
        lifted("yaml", .yaml, [P("value")], result: .string, doc: "Encodes a value as YAML (block style), e.g. a Kubernetes manifest."),
        lifted("parse_json", .parse_json, [P("text", .string)], result: .any, doc: "Parses JSON text into a value."),
        lifted("base64", .base64, [P("text", .string)], result: .string, doc: "Base64 of the UTF-8 bytes of a string."),
        lifted("base64_decode", .base64_decode, [P("text", .string)], result: .string, doc: "Decodes base64 into a string."),
        lifted("sha256", .sha256, [P("text", .string)], result: .string, doc: "Hex SHA-256 of the UTF-8 bytes of a string."),
        make("len", [P("value")], runTime: true, doc: "Length of a string (in characters), list, map or host set.") { ctx, args in
            if case .hosts(let hs) = args[0] { return .int(hs.count) }
            return lift(.len, args, result: .int, &ctx)
        },
        lifted("str", .str, [P("value")], result: .string, doc: "A value as a string."),
        lifted("int", .int, [P("value")], result: .int, doc: "Parses a string as an integer."),
        make("keys", [P("map", .map)], doc: "The keys of a map, in order.") { _, args in
            guard case .map(let m) = args[0] else { return .poison }
            return .list(m.keys.map(Value.data))
        },
        make("values", [P("map", .map)], doc: "The values of a map, in key order.") { _, args in
            guard case .map(let m) = args[0] else { return .poison }
            return .list(m.entries.map(\.value))
        },
        make("get", [P("map", .map), P("key", .string), P("default", default: .null)], doc: "A map's value for a key, or the default.") { _, args in
            guard case .map(let m) = args[0] else { return .poison }
            return m[text(args[1])] ?? args[2]
        },
        make("range", [P("start", .int), P("end", .int, default: .null)], doc: "Integers from start (or 0) up to, not including, end.") { ctx, args in
            guard case .int(let a) = args[0] else { return .poison }
            var lo = 0, hi = a
            if case .int(let b) = args[1] { lo = a; hi = b }
            let (size, o) = hi.subtractingReportingOverflow(lo)
            guard !o, size <= 100_000 else {
                ctx.report(.rangeTooLarge(at: ctx.span))
                return .poison
            }
            return .list(lo < hi ? (lo..<hi).map(Value.int) : [])
        },
        make("sorted", [P("list", .list)], doc: "A list of strings or ints in ascending order.") { ctx, args in
            guard case .list(let xs) = args[0] else { return .poison }
            let ints = xs.compactMap { if case .int(let i) = $0 { i } else { nil } }
            if ints.count == xs.count {
                return .list(ints.sorted().map(Value.int))
            }
            var pairs: [(String, Value)] = []
            for x in xs {
                guard case .string(let t) = x, let s = t.plainText else {
                    ctx.report(.wrongArgumentType("list", function: "sorted", expected: .list, got: x.typeTag, at: ctx.argumentSpans[0]))
                    return .poison
                }
                pairs.append((s, x))
            }
            return .list(pairs.sorted { $0.0 < $1.0 }.map(\.1))
        },
        make("contains", [P("container"), P("item")], runTime: true, doc: "Whether a list holds an item, a map a key, or a string a substring.") { ctx, args in
            if args.contains(where: \.isDeferredish) { return lift(.contains, args, result: .bool, &ctx) }
            guard let found = ctx.evaluator.contains(args[0], args[1], at: ctx.span) else { return .poison }
            return .bool(found)
        },
        make("type", [P("value")], runTime: true, doc: "The name of a value's type.") { _, args in .data(args[0].typeTag.rawValue) },
    ]

    static let strings: [(String, FunctionValue)] = [
        lifted("trim", .trim, [P("text", .string)], result: .string, doc: "A string without leading and trailing white space."),
        lifted("upper", .upper, [P("text", .string)], result: .string, doc: "A string in upper case."),
        lifted("lower", .lower, [P("text", .string)], result: .string, doc: "A string in lower case."),
        lifted("lines", .lines, [P("text", .string)], result: .list, doc: "The lines of a string, without line breaks."),
        lifted("split", .split, [P("text", .string), P("separator", .string)], result: .list, doc: "Splits a string at each separator."),
        lifted("join", .join, [P("list", .list), P("separator", .string, default: .text(" "))], result: .string, doc: "Joins strings with a separator (a space by default)."),
        make("replace", [P("text", .string), P("old", .string), P("new", .string)], doc: "Replaces every occurrence of old with new.") { ctx, args in
            guard let t = knownTexts(args, "replace", &ctx) else { return .poison }
            guard !t[1].isEmpty else {
                ctx.report(.builtinFailed("replace", "the text to replace is empty", at: ctx.argumentSpans[1]))
                return .poison
            }
            return derived(t[0].components(separatedBy: t[1]).joined(separator: t[2]), from: args, &ctx)
        },
        make("starts_with", [P("text", .string), P("prefix", .string)], doc: "Whether a string starts with a prefix.") { ctx, args in
            guard let t = knownTexts(args, "starts_with", &ctx) else { return .poison }
            return .bool(t[0].hasPrefix(t[1]))
        },
        make("ends_with", [P("text", .string), P("suffix", .string)], doc: "Whether a string ends with a suffix.") { ctx, args in
            guard let t = knownTexts(args, "ends_with", &ctx) else { return .poison }
            return .bool(t[0].hasSuffix(t[1]))
        },
        make("format", [P("template", .string), P("values")], variadic: true,
            runTime: true, doc: "Fills each {} in the template with the next value; {{ and }} are literal braces.") { ctx, args in
            guard case .list(let values) = args[1], case .string(let t) = args[0], let fmt = t.plainText else { return .poison }
            var out = Template()
            var next = 0
            var chars = fmt.makeIterator()
            var pending = ""
            while let c = chars.next() {
                if c == "{" {
                    guard let d = chars.next() else {
                        ctx.report(.badFormat(at: ctx.argumentSpans[0]))
                        return .poison
                    }
                    if d == "{" { pending.append("{"); continue }
                    if d == "}" {
                        guard next < values.count else {
                            ctx.report(.formatArguments(expected: next + 1, given: values.count, at: ctx.span))
                            return .poison
                        }
                        out.append(.text(pending)); pending = ""
                        guard let segs = ctx.evaluator.interpolate(values[next], at: ctx.span) else { return .poison }
                        for s in segs { out.append(s) }
                        next += 1
                        continue
                    }
                    ctx.report(.badFormat(at: ctx.argumentSpans[0]))
                    return .poison
                }
                if c == "}" {
                    if chars.next() == "}" { pending.append("}"); continue }
                    ctx.report(.badFormat(at: ctx.argumentSpans[0]))
                    return .poison
                }
                pending.append(c)
            }
            out.append(.text(pending))
            if next != values.count {
                ctx.report(.formatArguments(expected: next, given: values.count, at: ctx.span))
                return .poison
            }
            return .string(out)
        },
        make("raw", [P("text", .string)],
            runTime: true, doc: "Marks text as shell syntax, spliced into commands as written instead of as one quoted word. Values interpolated into that text stay quoted; a parameter or variable given whole is spliced whole.") { ctx, args in
            guard case .string(let t) = args[0] else {
                ctx.report(.rawOfSecret(at: ctx.argumentSpans[0], deferred: true))
                return .poison
            }
            let whole = t.segments.count == 1
            var out: [Template.Segment] = []
            for seg in t.segments {
                switch seg {
                case .text(let s), .raw(let s): out.append(.raw(s))
                case .word(let s): out.append(whole ? .raw(s) : .word(s))
                case .secret, .deferred:
                    if whole {
                        ctx.report(.rawOfSecret(at: ctx.argumentSpans[0], deferred: !t.isKnown))
                        return .poison
                    }
                    out.append(seg)
                }
            }
            return .string(Template(out.isEmpty ? [.raw("")] : out))
        },
    ]

    static let other: [(String, FunctionValue)] = [
        make("env", [P("name", .string), P("default", .string, default: .null)],
            doc: "An environment variable of the machine running tern, read at plan time.") { ctx, args in
            let name = text(args[0])
            if let v = ctx.evaluator.environment[name] { return .data(v) }
            if case .null = args[1] {
                ctx.report(.missingEnvironment(shown(args[0]), at: ctx.argumentSpans[0]))
                return .poison
            }
            return args[1]
        },
        make("local_file", [P("path", .string)],
            doc: "The contents of a file on the machine running tern; a relative path is relative to the playbook.") { ctx, args in
            let base = ctx.evaluator.root?.file.realPath ?? ctx.span.file.realPath
            let path = resolvePath(text(args[0]), relativeTo: base)
            guard let data = FileManager.default.contents(atPath: path) else {
                ctx.report(.localFileMissing(shown(args[0]), at: ctx.argumentSpans[0]))
                return .poison
            }
            return .data(String(decoding: data, as: UTF8.self))
        },
        make("fail", [P("message", .string)], doc: "Stops planning with an error at this place.") { ctx, args in
            ctx.report(.userFailure(shown(args[0]), at: ctx.span))
            return .poison
        },
        make("group", [P("name", .string)], doc: "The hosts of a group by name, for names that are not identifiers.") { ctx, args in
            let name = text(args[0])
            let inv = ctx.evaluator.inventory
            if let g = inv.group(named: name) { return .hosts(inv.groups[g].members) }
            if name == "all" { return .hosts(Array(inv.hosts.indices)) }
            ctx.report(.unknownGroup(shown(args[0]), at: ctx.argumentSpans[0], candidates: inv.groups.map(\.name)))
            return .poison
        },
    ]

    /// The plain texts of string arguments; a run-time value is an error
    /// here (these functions have no run-time form).
    static func knownTexts(_ args: [Value], _ name: String, _ ctx: inout CallContext) -> [String]? {
        var out: [String] = []
        for (i, a) in args.enumerated() {
            guard case .string(let t) = a, let s = t.plainText else {
                ctx.report(.mustBeKnown(name, at: ctx.argumentSpans[i]))
                return nil
            }
            out.append(s)
        }
        return out
    }

    /// A string computed from arguments: secret when any of them is.
    static func derived(_ s: String, from args: [Value], _ ctx: inout CallContext) -> Value {
        let secret = args.contains { if case .string(let t) = $0 { t.containsSecret } else { false } }
        if secret { ctx.evaluator.secretTexts.insert(s) }
        return secret ? .string(Template([.secret(s)])) : .data(s)
    }

    static func resolvePath(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        let dir = (file as NSString).deletingLastPathComponent
        return dir.isEmpty ? path : (dir as NSString).appendingPathComponent(path)
    }
}
