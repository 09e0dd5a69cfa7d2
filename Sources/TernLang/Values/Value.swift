import TernPlan
import TernSource

/// A Tern value during evaluation.
///
/// Strings are `Template`s, so text keeps track of which parts the author
/// wrote (spliced into commands as is) and which came from values (quoted).
/// A secret is a string with `.secret` segments. Values known only at run
/// time are `.deferred`. Evaluation never produces a Swift error for bad
/// input: it reports a diagnostic and yields `.poison`, which every
/// operation passes on silently, so one mistake gives one message.
public indirect enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// Milliseconds.
    case duration(Int)
    case string(Template)
    case list([Value])
    case map(OrderedMap)
    /// Index of a host in the inventory.
    case host(Int)
    /// Host indices, in inventory order, without repeats.
    case hosts([Int])
    case action(PendingAction)
    case function(FunctionValue)
    case module(Module)
    case step(String)
    case deferred(RuntimeExpr, TypeTag)
    case poison

    public static func text(_ s: String) -> Value { .string(.text(s)) }
    /// A string that came from outside the source (a parameter, an
    /// environment variable, inventory data): quoted when used in commands.
    public static func data(_ s: String) -> Value { .string(.word(s)) }

    public var typeTag: TypeTag {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .duration: .duration
        case .string(let t): t.containsSecret ? .secret : .string
        case .list: .list
        case .map: .map
        case .host: .host
        case .hosts: .hosts
        case .action: .action
        case .function(let f): f.isRecipe ? .recipe : .function
        case .module: .module
        case .step: .step
        case .deferred(_, let t): t
        case .poison: .any
        }
    }

    public var isPoison: Bool { if case .poison = self { true } else { false } }
    public var isNull: Bool { if case .null = self { true } else { false } }
}

/// Types as the language names them in signatures and messages.
public enum TypeTag: String, Sendable, Hashable, CaseIterable {
    case any, null, bool, int, duration, string, secret, list, map, host, hosts, action, function, recipe, module,
        step

    /// How a type is named in a message: "a string", "an int".
    public var article: String {
        switch self {
        case .any, .int, .action: "an \(rawValue)"
        case .hosts: "a host set"
        case .null: "null"
        default: "a \(rawValue)"
        }
    }

    public static let declarable: [String: TypeTag] = [
        "any": .any, "bool": .bool, "int": .int, "duration": .duration, "string": .string, "secret": .secret,
        "list": .list, "map": .map, "host": .host, "hosts": .hosts, "action": .action, "function": .function,
        "recipe": .recipe, "step": .step,
    ]

    /// Whether a value of type `other` may be passed where `self` is declared.
    public func accepts(_ other: TypeTag) -> Bool {
        if self == .any || other == .any || self == other { return true }
        switch (self, other) {
        case (.string, .secret), (.secret, .string): return true
        case (.hosts, .host): return true
        case (.function, .recipe): return true
        default: return false
        }
    }
}

/// A map that keeps keys in the order they were written.
public struct OrderedMap: Sendable {
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    public init() {}
    public init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let v = newValue {
                if storage.updateValue(v, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var entries: [(key: String, value: Value)] { keys.compactMap { k in storage[k].map { (k, $0) } } }
}

/// An action returned by a primitive, before a step gives it a label and a
/// place in a node.
public struct PendingAction: Sendable {
    public let kind: Action.Kind
    public let lock: String?
    public let notify: [String]
    /// The primitive call that made it, for display (`run "..."`).
    public let primitive: String
}

/// A recipe, a function or a builtin.
public struct FunctionValue: Sendable {
    public let name: String
    public let isRecipe: Bool
    public let signature: Signature
    public let body: Body
    public let doc: [String]
    /// Where it was defined; nil for builtins.
    public let span: SourceSpan?

    public enum Body: Sendable {
        case user([Stmt], module: Module)
        case builtin(Builtin)
    }
}

/// A parameter list: names, declared types and defaults.
public struct Signature: Sendable {
    public struct Parameter: Sendable {
        public let name: String
        public let type: TypeTag
        /// Nil for a required parameter.
        public let defaultValue: DefaultValue?
        public let span: SourceSpan?

        /// True for an optional parameter whose default is `null`.
        public var defaultsToNull: Bool {
            switch defaultValue {
            case .value(.null)?: true
            case .expr(let e)?: if case .null = e.kind { true } else { false }
            default: false
            }
        }
    }

    public enum DefaultValue: Sendable {
        case value(Value)
        case expr(Expr)
    }

    public let parameters: [Parameter]
    /// The last parameter collects any further positional arguments as a list.
    public var variadic = false

    public init(parameters: [Parameter], variadic: Bool = false) {
        self.parameters = parameters
        self.variadic = variadic
    }

    public var description: String {
        "(" + parameters.enumerated().map { i, p in
            (variadic && i == parameters.count - 1 ? "..." : "") + p.name + (p.type == .any ? "" : ": \(p.type.rawValue)") + (p.defaultValue == nil ? "" : " = ...")
        }.joined(separator: ", ") + ")"
    }
}

/// A function implemented in Swift.
public struct Builtin: Sendable {
    let run: @Sendable (inout CallContext, [Value]) -> Value
    /// Whether it handles values known only at run time itself (lifted data
    /// functions, primitives); the others refuse them before running.
    var acceptsRunTimeValues = false
}

/// A loaded module: its globals, frozen once loading finishes.
public final class Module: @unchecked Sendable {
    // Written only while the module's file is being evaluated, by the one
    // thread that loads it; read-only afterwards (like Starlark's freeze).
    public let name: String
    public let file: SourceFile
    public let doc: [String]
    public internal(set) var globals: [String: Value] = [:]
    public internal(set) var globalSpans: [String: SourceSpan] = [:]
    /// Names in declaration order, for `tern doc`.
    public internal(set) var order: [String] = []
    /// Globals not evaluated yet: `let`s and groups, forced on first use.
    var lazyGlobals: [String: (Evaluator) -> Value] = [:]

    init(name: String, file: SourceFile, doc: [String]) {
        self.name = name
        self.file = file
        self.doc = doc
    }
}
