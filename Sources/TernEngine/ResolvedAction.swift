import TernPlan

/// An action with every run-time value filled in, ready to check and apply.
struct ResolvedAction: Sendable {
    enum Kind: Sendable {
        case command(check: ResolvedText?, apply: ResolvedText)
        case file(path: String, content: ResolvedText, mode: String?, owner: String?, group: String?)
    }

    let label: String
    let lock: String?
    let kind: Kind

    /// The read-only command whose exit 0 means "already so"; nil when the
    /// action has none and runs every time.
    var check: String? {
        switch kind {
        case .command(let check, _): check?.real
        case .file(let path, let content, let mode, let owner, let group):
            FileCheck.script(path: path, content: Array(content.real.utf8), mode: mode, owner: owner, group: group)
        }
    }

    var checkShown: String? {
        switch kind {
        case .command(let check, _): check?.shown
        case .file(let path, _, _, _, _): "file check of \(path)"
        }
    }
}

/// The check of a file action: same content (by SHA-256), and the mode,
/// owner and group when the action names them.
public enum FileCheck {
    public static func script(path: String, content: [UInt8], mode: String?, owner: String?, group: String?) -> String {
        let hash = SHA256.hex(content)
        var s = "f=\(ShellQuote.quote(path)); [ -f \"$f\" ] && [ \"$(sha256sum < \"$f\")\" = '\(hash)  -' ]"
        if let mode, let m = Int(mode, radix: 8) {
            s += " && [ \"$(stat -c %a -- \"$f\")\" = \(String(m, radix: 8)) ]"
        }
        if let owner {
            let o = ShellQuote.quote(owner)
            s += " && { [ \"$(stat -c %U -- \"$f\")\" = \(o) ] || [ \"$(stat -c %u -- \"$f\")\" = \(o) ]; }"
        }
        if let group {
            let g = ShellQuote.quote(group)
            s += " && { [ \"$(stat -c %G -- \"$f\")\" = \(g) ] || [ \"$(stat -c %g -- \"$f\")\" = \(g) ]; }"
        }
        return s
    }

    /// Reads at most this many bytes of the old file for a diff.
    public static let diffLimit = 1 << 20

    /// Prints the file's current content (up to the limit), or exits 3 when
    /// there is no such file.
    public static func readScript(path: String) -> String {
        "f=\(ShellQuote.quote(path)); [ -e \"$f\" ] || exit 3; head -c \(diffLimit + 1) -- \"$f\""
    }
}
