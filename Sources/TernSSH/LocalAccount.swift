#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local user that Tern runs as, for what ssh_config expands: `~`, the
/// `%d %u %i %l %L` tokens, and relative `Include` paths (under `~/.ssh`).
/// Tests pass their own so that results do not depend on the machine.
public struct LocalAccount: Sendable, Hashable {
    public var userName: String
    public var homeDirectory: String
    public var uid: Int
    /// The local host name (`%l`); `%L` is its first label.
    public var hostName: String

    public init(userName: String, homeDirectory: String, uid: Int, hostName: String) {
        self.userName = userName
        self.homeDirectory = homeDirectory
        self.uid = uid
        self.hostName = hostName
    }

    /// The account of this process, from the password database like
    /// OpenSSH (which ignores `$HOME`), falling back on `$HOME`/`$USER`.
    public static func current() -> LocalAccount {
        let uid = getuid()
        var name = getenv("USER").map { String(cString: $0) } ?? "root"
        var home = getenv("HOME").map { String(cString: $0) } ?? "/"
        if let entry = passwordEntry(uid: uid) {
            name = entry.name
            home = entry.home
        }
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count - 1) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "localhost"
        return LocalAccount(userName: name, homeDirectory: home, uid: Int(uid), hostName: host)
    }

    /// `~` and `~/…` become the home directory, `~user/…` that user's home;
    /// any other path is returned unchanged.
    public func expandingTilde(_ path: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let rest = path.dropFirst()
        let userPart = rest.prefix { $0 != "/" }
        let tail = rest.dropFirst(userPart.count)
        if userPart.isEmpty { return joined(homeDirectory, tail) }
        guard let home = Self.passwordEntry(name: String(userPart))?.home else { return path }
        return joined(home, tail)
    }

    /// `path` as OpenSSH anchors it: `~` expanded, and a relative path taken
    /// to be under `~/.ssh` (Include, in a user's configuration).
    func anchoredInSSHDirectory(_ path: String) -> String {
        let expanded = expandingTilde(path)
        return expanded.hasPrefix("/") ? expanded : joined(homeDirectory, "/.ssh/" + expanded)
    }

    private func joined(_ home: String, _ tail: some StringProtocol) -> String {
        home.hasSuffix("/") && tail.hasPrefix("/") ? home + tail.dropFirst() : home + tail
    }

    private static func passwordEntry(uid: uid_t) -> (name: String, home: String)? {
        var entry = passwd()
        var buffer = [CChar](repeating: 0, count: 16_384)
        var result: UnsafeMutablePointer<passwd>?
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return fields(of: entry)
    }

    private static func passwordEntry(name: String) -> (name: String, home: String)? {
        var entry = passwd()
        var buffer = [CChar](repeating: 0, count: 16_384)
        var result: UnsafeMutablePointer<passwd>?
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return fields(of: entry)
    }

    private static func fields(of entry: passwd) -> (name: String, home: String)? {
        guard let name = entry.pw_name, let home = entry.pw_dir else { return nil }
        return (String(cString: name), String(cString: home))
    }
}
