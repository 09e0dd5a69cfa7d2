/// Local variables of a block, a recipe call or a loop iteration. Lookup
/// walks outwards; module globals and builtins come after the last scope.
final class Scope {
    private(set) var vars: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope? = nil) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var s: Scope? = self
        while let cur = s {
            if let v = cur.vars[name] { return v }
            s = cur.parent
        }
        return nil
    }

    /// The value and the scope that binds it.
    func lookupWithOwner(_ name: String) -> (Value, Scope)? {
        var s: Scope? = self
        while let cur = s {
            if let v = cur.vars[name] { return (v, cur) }
            s = cur.parent
        }
        return nil
    }

    /// False when the name is already bound in this very scope.
    func define(_ name: String, _ value: Value) -> Bool {
        if vars[name] != nil { return false }
        vars[name] = value
        return true
    }

    var allNames: [String] {
        var names: [String] = []
        var s: Scope? = self
        while let cur = s {
            names.append(contentsOf: cur.vars.keys)
            s = cur.parent
        }
        return names
    }
}
