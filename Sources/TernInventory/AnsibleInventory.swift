import TernSource

/// Loads existing Ansible inventories, INI or YAML, into an `InventoryModel`.
///
/// The format follows the file name, as Ansible's plugins do: `.ini` is INI;
/// `.yml`, `.yaml` and `.json` are YAML (JSON is YAML); a name without an
/// extension is sniffed, because Ansible tries YAML first and falls back to
/// INI: it is YAML when its first significant line is `---`, starts a flow
/// mapping, or looks like `key:`; otherwise INI. Any other extension is INI,
/// since Ansible's YAML plugin refuses it.
public enum AnsibleInventory {
    enum Format: Equatable {
        case ini, yaml
    }

    /// The model, or nil when the inventory has errors; the diagnostics
    /// (errors and warnings) come in source order either way.
    public static func load(path: String, text: String) -> (InventoryModel?, [Diagnostic]) {
        let file = SourceFile(path: path, text: text)
        switch format(path: path, text: text) {
        case .ini: return INIInventoryParser.parse(file)
        case .yaml: return YAMLInventoryParser.parse(file)
        }
    }

    static func format(path: String, text: String) -> Format {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        // A leading dot names a hidden file; it is not an extension.
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return sniff(text) }
        switch name[name.index(after: dot)...].lowercased() {
        case "yml", "yaml", "json": return .yaml
        default: return .ini
        }
    }

    static func sniff(_ text: String) -> Format {
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix(";") { return .ini }  // a comment only INI has
            if line == "---" || line.hasPrefix("--- ") || line.hasPrefix("%YAML") || line.hasPrefix("{") {
                return .yaml
            }
            guard let colon = line.firstIndex(of: ":") else { return .ini }
            let key = line[..<colon]
            let rest = line[line.index(after: colon)...]
            let keyLike = !key.isEmpty && !key.contains(where: { $0 == " " || $0 == "\t" || $0 == "=" || $0 == "[" })
            return keyLike && (rest.isEmpty || rest.first == " " || rest.first == "\t") ? .yaml : .ini
        }
        return .ini
    }
}
