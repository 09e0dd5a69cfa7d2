import TernPlan
import TernSource

/// The primitive actions every recipe is built from, and `read`.
///
/// - `action apply: CMD, check: CMD` — the general form: `check` is read
///   only and exits 0 when the work is already done.
/// - `run CMD, creates: PATH, unless: CMD` — a command with Ansible-style
///   guards, which become its check.
/// - `write_file PATH, content: TEXT, mode:, owner:, group:` — content
///   uploaded atomically and checked by checksum.
/// - `read(HOST, PATH)` / `read(HOST, cmd: CMD)` — a value known at run time;
///   `after: STEP` makes it wait for that step on that host.
enum Primitives {
    typealias P = Builtins.P

    static let all: [(String, FunctionValue)] = [
        output,
        Builtins.make("action", [
            P("apply", .string), P("check", .string, default: .null), P("lock", .string, default: .null),
            P("notify", default: .null),
        ], runTime: true, doc: "An action: `check` (read only, exit 0 = already done) and `apply`.") { ctx, args in
            guard let apply = command(args[0], "apply", &ctx, 0) else { return .poison }
            var check: Template?
            if !args[1].isNull {
                guard let c = command(args[1], "check", &ctx, 1) else { return .poison }
                check = c
            }
            return finish(.command(check: check, apply: apply), lock: args[2], notify: args[3], primitive: "action", &ctx, 2, 3)
        },
        Builtins.make("run", [
            P("command", .string), P("creates", .string, default: .null), P("unless", .string, default: .null),
            P("lock", .string, default: .null), P("notify", default: .null),
        ], runTime: true, doc: "Runs a command; `creates: PATH` or `unless: CMD` tell when it is already done.") { ctx, args in
            guard let apply = command(args[0], "command", &ctx, 0) else { return .poison }
            var checks: [Template] = []
            if !args[1].isNull {
                guard let path = text(args[1], "creates", &ctx, 1) else { return .poison }
                checks.append(.text("test -e ") + Template(path.segments.map(asWord)))
            }
            if !args[2].isNull {
                guard let unless = command(args[2], "unless", &ctx, 2) else { return .poison }
                checks.append(checks.isEmpty ? unless : .text("{ ") + unless + .text("; }"))
            }
            let check: Template? = checks.isEmpty ? nil : checks.dropFirst().reduce(checks[0]) { $0 + .text(" || ") + $1 }
            return finish(.command(check: check, apply: apply), lock: args[3], notify: args[4], primitive: "run", &ctx, 3, 4)
        },
        Builtins.make("write_file", [
            P("path", .string), P("content", .string), P("mode", .string, default: .null),
            P("owner", .string, default: .null), P("group", .string, default: .null), P("notify", default: .null),
        ], runTime: true, doc: "Makes a file hold exactly `content`, with optional mode, owner and group.") { ctx, args in
            guard let path = known(args[0], "path", &ctx, 0) else { return .poison }
            guard path.hasPrefix("/") else {
                ctx.report(.relativeRemotePath(path, at: ctx.argumentSpans[0]))
                return .poison
            }
            guard let content = text(args[1], "content", &ctx, 1) else { return .poison }
            var mode: String?
            if case .string = args[2] {
                guard let m = known(args[2], "mode", &ctx, 2) else { return .poison }
                guard m.count >= 3, m.count <= 4, m.allSatisfy({ ("0"..."7").contains($0) }) else {
                    ctx.report(.badMode(m, at: ctx.argumentSpans[2]))
                    return .poison
                }
                mode = m.count == 3 ? "0" + m : m
            }
            let owner = optionalText(args[3], "owner", &ctx, 3)
            let group = optionalText(args[4], "group", &ctx, 4)
            let spec = FileSpec(path: path, content: content, mode: mode, owner: owner, group: group)
            return finish(.file(spec), lock: .null, notify: args[5], primitive: "write_file", &ctx, 0, 5)
        },
        Builtins.make("read", [
            P("host", .hosts), P("path", .string, default: .null), P("cmd", .string, default: .null),
            P("after", default: .null),
        ], runTime: true, doc: "A file's contents or a command's output on a host, known at run time.") { ctx, args in
            let ev = ctx.evaluator
            var hostIndex: Int?
            switch args[0] {
            case .host(let h): hostIndex = h
            case .hosts(let hs) where hs.count == 1: hostIndex = hs[0]
            default: break
            }
            guard let h = hostIndex else {
                ctx.report(.readNeedsOneHost(at: ctx.argumentSpans[0]))
                return .poison
            }
            let hostName = ev.inventory.hosts[h].name
            guard let after = stepNames(args[3], &ctx, 3) else { return .poison }
            for step in after { ev.readDependencies.append((NodeRef(step: step, host: hostName), ctx.argumentSpans[3])) }
            switch (args[1], args[2]) {
            case (.string, .null), (.deferred, .null):
                guard let path = known(args[1], "path", &ctx, 1) else { return .poison }
                return .deferred(.readFile(host: hostName, path: path, after: after), .string)
            case (.null, .string), (.null, .deferred):
                guard let c = command(args[2], "cmd", &ctx, 2) else { return .poison }
                return .deferred(.output(host: hostName, command: c, after: after), .string)
            default:
                ctx.report(.readNeedsPathOrCommand(at: ctx.span))
                return .poison
            }
        },
    ]

    static let output = Builtins.make("output", [P("step", .step), P("host", .host)], runTime: true,
        doc: "The standard output of a step's last command on a host, known at run time; waits for that node.") { ctx, args in
        guard case .step(let step) = args[0], case .host(let h) = args[1] else { return .poison }
        let ev = ctx.evaluator
        let ref = NodeRef(step: step, host: ev.inventory.hosts[h].name)
        ev.readDependencies.append((ref, ctx.argumentSpans[1]))
        return .deferred(.stepOutput(step: ref.step, host: ref.host), .string)
    }

    static func asWord(_ s: Template.Segment) -> Template.Segment {
        if case .text(let t) = s { return .word(t) }
        return s
    }

    /// A string argument as a template; a run-time value becomes one
    /// deferred segment (a quoted word in a command, its text in a file).
    static func text(_ v: Value, _ name: String, _ ctx: inout CallContext, _ i: Int) -> Template? {
        switch v {
        case .string(let t): return t
        case .deferred(let e, let type):
            return Template([.deferred(e, secret: type == .secret || e.containsSecret)])
        default:
            ctx.report(.wrongArgumentType(name, function: "action", expected: .string, got: v.typeTag, at: ctx.argumentSpans[i]))
            return nil
        }
    }

    static func command(_ v: Value, _ name: String, _ ctx: inout CallContext, _ i: Int) -> Template? {
        guard let t = text(v, name, &ctx, i) else { return nil }
        if isBlank(t) {
            ctx.report(.emptyCommand(name, at: ctx.argumentSpans[i]))
            return nil
        }
        return t
    }

    /// True when a command has nothing but blanks in it (cheap: this runs
    /// for every action on every host).
    static func isBlank(_ t: Template) -> Bool {
        t.segments.allSatisfy { seg in
            switch seg {
            case .text(let s), .raw(let s):
                s.utf8.allSatisfy { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }
            default: false
            }
        }
    }

    static func known(_ v: Value, _ name: String, _ ctx: inout CallContext, _ i: Int) -> String? {
        if case .deferred = v {
            ctx.report(.mustBeKnown(name, at: ctx.argumentSpans[i]))
            return nil
        }
        guard case .string(let t) = v else { return nil }
        guard let s = t.plainText, t.isKnown else {
            ctx.report(.mustBeKnown(name, at: ctx.argumentSpans[i]))
            return nil
        }
        if t.containsSecret {
            ctx.report(.mustNotBeSecret(name, at: ctx.argumentSpans[i]))
            return nil
        }
        return s
    }

    static func optionalText(_ v: Value, _ name: String, _ ctx: inout CallContext, _ i: Int) -> String? {
        guard case .string = v else { return nil }
        return known(v, name, &ctx, i)
    }

    /// Step names from `notify:` or `after:` (a step or a list of steps).
    static func stepNames(_ v: Value, _ ctx: inout CallContext, _ i: Int) -> [String]? {
        switch v {
        case .null: return []
        case .step(let s): return [s]
        case .list(let xs):
            var out: [String] = []
            for x in xs {
                guard case .step(let s) = x else {
                    ctx.report(.expectedStep(x.typeTag, at: ctx.argumentSpans[i]))
                    return nil
                }
                out.append(s)
            }
            return out
        default:
            ctx.report(.expectedStep(v.typeTag, at: ctx.argumentSpans[i]))
            return nil
        }
    }

    static func finish(
        _ kind: Action.Kind, lock: Value, notify: Value, primitive: String, _ ctx: inout CallContext,
        _ lockIndex: Int, _ notifyIndex: Int
    ) -> Value {
        let lockName = optionalText(lock, "lock", &ctx, lockIndex)
        guard let handlers = stepNames(notify, &ctx, notifyIndex) else { return .poison }
        return .action(PendingAction(kind: kind, lock: lockName, notify: handlers, primitive: primitive))
    }
}

