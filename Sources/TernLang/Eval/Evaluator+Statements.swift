import TernPlan
import TernSource

/// An action with the statement of the step body that produced it.
struct CollectedAction {
    let action: PendingAction
    let statement: SourceSpan
}

enum BlockMode {
    /// A step body: each statement's actions are labelled with its text.
    case step
    /// A recipe body: actions are collected and returned to the caller.
    case recipe
    /// A function body: no actions; `return` gives the value.
    case function
}

enum Flow {
    case normal
    case returned(Value)
}

extension Evaluator {
    func exec(_ stmts: [Stmt], _ scope: Scope, _ module: Module, mode: BlockMode, into actions: inout [CollectedAction]) -> Flow {
        for stmt in stmts {
            guard spend(stmt.span) else { return .normal }
            switch stmt.kind {
            case .error:
                continue
            case .let(let name, let e):
                let v = eval(e, scope, module)
                if !scope.define(name.name, v) {
                    report(.redefinedLocal(name.name, at: name.span))
                }
            case .expr(let e):
                let v = eval(e, scope, module)
                collect(v, statement: stmt.span, mode: mode, into: &actions)
            case .for(let vars, let iterable, let body):
                let seq = eval(iterable, scope, module)
                guard let items = iterate(seq, vars: vars.count, at: iterable.span) else { continue }
                for item in items {
                    let inner = Scope(parent: scope)
                    for (v, x) in zip(vars, item) { _ = inner.define(v.name, x) }
                    if case .returned(let r) = exec(body, inner, module, mode: mode, into: &actions) { return .returned(r) }
                }
            case .if(let cond, let then, let other):
                guard let c = boolCondition(eval(cond, scope, module), at: cond.span) else { continue }
                let branch = c ? then : (other ?? [])
                if case .returned(let r) = exec(branch, Scope(parent: scope), module, mode: mode, into: &actions) {
                    return .returned(r)
                }
            case .return(let e):
                switch mode {
                case .step:
                    report(.returnInStep(at: stmt.span))
                case .recipe:
                    if let e {
                        report(.returnValueInRecipe(at: e.span))
                    }
                    return .returned(.null)
                case .function:
                    return .returned(e.map { eval($0, scope, module) } ?? .null)
                }
            }
        }
        return .normal
    }

    /// Takes the actions out of a statement's value; anything else that is
    /// not null is a value computed and then dropped, which is a mistake.
    func collect(_ v: Value, statement: SourceSpan, mode: BlockMode, into actions: inout [CollectedAction]) {
        switch v {
        case .action(let a):
            if mode == .function {
                report(.actionInFunction(at: statement))
                return
            }
            guard actions.count < Evaluator.maxActionsPerNode else {
                if actions.count == Evaluator.maxActionsPerNode {
                    report(.tooManyActions(Evaluator.maxActionsPerNode, at: statement))
                    actions.append(CollectedAction(action: a, statement: statement))
                }
                budgetExceeded = true  // stop evaluating, without a second message
                budget = -1
                return
            }
            actions.append(CollectedAction(action: a, statement: statement))
        case .list(let xs) where xs.allSatisfy(\.isActionLike):
            for x in xs { collect(x, statement: statement, mode: mode, into: &actions) }
        case .null, .poison:
            break
        default:
            report(.unusedValue(v.typeTag, at: statement, inRecipe: mode != .step))
        }
    }
}

extension Value {
    var isActionLike: Bool {
        switch self {
        case .action, .null: true
        case .list(let xs): xs.allSatisfy(\.isActionLike)
        default: false
        }
    }
}
