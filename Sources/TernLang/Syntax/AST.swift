import TernSource

/// The syntax tree. Every node carries the span it was parsed from.

public struct Expr: Sendable {
    public let kind: ExprKind
    public let span: SourceSpan
    public init(_ kind: ExprKind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

public indirect enum ExprKind: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case duration(Int)
    case string([InterpolatedPart])
    case name(String)
    case list([Expr])
    /// `[body for x in xs if cond]`
    case comprehension(body: Expr, vars: [Identifier], iterable: Expr, condition: Expr?)
    case map([MapEntry])
    case field(Expr, Identifier)
    case index(Expr, Expr)
    case call(Expr, [CallArgument])
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    /// `a if cond else b`
    case conditional(cond: Expr, then: Expr, else: Expr)
    /// Bad syntax already reported; evaluates to nothing, silently.
    case error
}

public enum InterpolatedPart: Sendable {
    case text(String)
    case code(Expr)
}

public struct MapEntry: Sendable {
    public let key: String
    public let keySpan: SourceSpan
    public let value: Expr
}

public struct Identifier: Sendable {
    public let name: String
    public let span: SourceSpan
}

public struct CallArgument: Sendable {
    public let label: Identifier?
    public let value: Expr
}

public enum UnaryOp: String, Sendable { case neg = "-", not }

public enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and, or, `in`, notIn = "not in"
}

// MARK: statements (inside steps, recipes and functions)

public struct Stmt: Sendable {
    public let kind: StmtKind
    public let span: SourceSpan
}

public indirect enum StmtKind: Sendable {
    case `let`(Identifier, Expr)
    case expr(Expr)
    case `for`(vars: [Identifier], iterable: Expr, body: [Stmt])
    case `if`(cond: Expr, then: [Stmt], else: [Stmt]?)
    case `return`(Expr?)
    case error
}

// MARK: declarations (top level)

public struct Param: Sendable {
    public let name: Identifier
    public let type: TypeName?
    public let defaultValue: Expr?
}

public struct TypeName: Sendable {
    public let name: String
    public let span: SourceSpan
}

public struct StepOption: Sendable {
    public let name: Identifier
    public let value: Expr
}

public struct Decl: Sendable {
    public let kind: DeclKind
    public let span: SourceSpan
    /// `///` lines written just above the declaration.
    public let doc: [String]
}

public enum DeclKind: Sendable {
    /// `use pkg, service` or `use "./lib.tern" as lib`.
    case use([UseItem])
    case inventory(path: Expr)
    case param(name: Identifier, type: TypeName?, defaultValue: Expr?)
    case secret(name: Identifier, source: Identifier, argument: Expr)
    case `let`(Identifier, Expr)
    case host(name: Identifier, body: Expr?)
    case group(name: Identifier, body: Expr)
    case function(name: Identifier, params: [Param], body: [Stmt], isRecipe: Bool)
    case step(StepDeclSyntax)
    case error
}

public struct UseItem: Sendable {
    /// `pkg` for a stdlib module, or the path string for a relative module.
    public let module: String
    public let isPath: Bool
    public let alias: Identifier
    public let span: SourceSpan
}

public struct StepDeclSyntax: Sendable {
    public let name: Identifier
    public let targets: Expr
    public let after: [Identifier]
    public let options: [StepOption]
    public let body: [Stmt]
    public let isHandler: Bool
}

/// One parsed file.
public struct FileSyntax: Sendable {
    public let file: SourceFile
    public let decls: [Decl]
    /// The first `///` block of the file when a blank line follows it.
    public let moduleDoc: [String]
}
