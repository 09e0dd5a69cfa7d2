import TernPlan
import TernSource

extension Evaluator {
    /// Calls a recipe, function or builtin: binds arguments to parameters
    /// (positional first, then by name), checks counts and types, then runs.
    func call(_ f: FunctionValue, _ args: [ArgumentValue], at span: SourceSpan, calleeSpan: SourceSpan) -> Value {
        let params = f.signature.parameters
        // Indices into `args`, so arguments are not copied while binding.
        var bound = [Int](repeating: -1, count: params.count)
        var extra: [Int] = []
        var positional = 0
        var ok = true
        let variadic = f.signature.variadic
        for (ai, a) in args.enumerated() {
            if let label = a.label {
                guard let i = params.firstIndex(where: { $0.name == label.name }) else {
                    report(.unknownArgument(label.name, function: f.name, at: label.span, candidates: params.map(\.name), signature: f.signature))
                    ok = false
                    continue
                }
                if bound[i] >= 0 {
                    report(.argumentGivenTwice(label.name, at: label.span))
                    ok = false
                    continue
                }
                bound[i] = ai
            } else {
                while positional < params.count, bound[positional] >= 0 { positional += 1 }
                if variadic, positional >= params.count - 1 {
                    extra.append(ai)
                    continue
                }
                guard positional < params.count else {
                    report(.tooManyArguments(function: f.name, max: params.count, given: args.count, at: a.span, signature: f.signature))
                    ok = false
                    break
                }
                bound[positional] = ai
                positional += 1
            }
        }
        guard ok else { return .poison }

        var values: [Value] = []
        values.reserveCapacity(params.count)
        for (i, p) in params.enumerated() {
            if variadic, i == params.count - 1 {
                for ai in extra where !p.type.accepts(args[ai].value.typeTag) {
                    report(.wrongArgumentType(p.name, function: f.name, expected: p.type, got: args[ai].value.typeTag, at: args[ai].span))
                    return .poison
                }
                values.append(.list(extra.map { args[$0].value }))
                continue
            }
            if bound[i] >= 0 {
                let a = args[bound[i]]
                // `null` may be passed explicitly where it is the default.
                guard p.type.accepts(a.value.typeTag) || (a.value.isNull && p.defaultsToNull) else {
                    report(.wrongArgumentType(p.name, function: f.name, expected: p.type, got: a.value.typeTag, at: a.span))
                    return .poison
                }
                values.append(a.value)
            } else if let d = p.defaultValue {
                switch d {
                case .value(let v): values.append(v)
                case .expr(let e):
                    guard case .user(_, let module) = f.body else { values.append(.null); continue }
                    values.append(eval(e, nil, module))
                }
            } else {
                report(.missingArgument(p.name, function: f.name, at: span, signature: f.signature))
                return .poison
            }
        }

        switch f.body {
        case .builtin(let b):
            if !b.acceptsRunTimeValues, let i = values.firstIndex(where: \.isDeferredish) {
                let at = bound[i] >= 0 ? args[bound[i]].span : (extra.first.map { args[$0].span } ?? span)
                report(.mustBeKnown(params[i].name, at: at))
                return .poison
            }
            var context = CallContext(evaluator: self, span: span, argumentSpans: params.indices.map { i in
                bound[i] >= 0 ? args[bound[i]].span : span
            })
            return b.run(&context, values)
        case .user(let body, let module):
            guard callStack.count < Evaluator.maxCallDepth else {
                report(.recursionTooDeep(f.name, at: span))
                return .poison
            }
            let scope = Scope()
            for (p, v) in zip(params, values) { _ = scope.define(p.name, v) }
            callStack.append((f.name, span))
            defer { callStack.removeLast() }
            var actions: [CollectedAction] = []
            let flow = exec(body, scope, module, mode: f.isRecipe ? .recipe : .function, into: &actions)
            if f.isRecipe {
                return .list(actions.map { .action($0.action) })
            }
            if case .returned(let v) = flow { return v }
            return .null
        }
    }
}

/// What a builtin sees of its call.
struct CallContext {
    let evaluator: Evaluator
    let span: SourceSpan
    /// Where each argument was written (the call itself for defaults).
    let argumentSpans: [SourceSpan]

    func report(_ d: Diagnostic) { evaluator.report(d) }
}
