import Synchronization
import TernPlan

/// OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), read
/// once and asked whether the key a host presents is the one on record.
///
/// A line is `[marker] hosts keytype base64-key [comment]`. `hosts` is a
/// comma-separated list of patterns (`*`, `?`, `!negated`), or one hashed
/// entry `|1|salt|hash` where hash is HMAC-SHA1 of the host string keyed by
/// the salt (both base64). The host string is `host` on port 22 and
/// `[host]:port` on any other port, lowercased, as `ssh` looks it up.
///
/// Verification is OpenSSH's: among the lines whose hosts match, a
/// `@revoked` line with the presented key refuses it outright; otherwise a
/// line with the same key type and key matches; lines with the same type
/// but other keys mean the key changed; no line of that type means the host
/// (or this key type of it) is unknown. `@cert-authority` lines are for host
/// certificates, which Tern does not use: they are skipped. Lines that cannot
/// be read (old SSH-1 keys, bad base64, an unknown marker) are skipped, as
/// `ssh` skips them.
public struct KnownHosts: Sendable {
    let entries: [Entry]

    /// Reads the files in order; a file that does not exist counts as empty.
    public static func load(_ paths: [String]) throws(KnownHostsError) -> KnownHosts {
        let account = LocalAccount.current()
        var entries: [Entry] = []
        for path in paths {
            let expanded = account.expandingTilde(path)
            let bytes: [UInt8]?
            do {
                bytes = try LocalFile.contents(expanded)
            } catch {
                throw .cannotRead(expanded, error.reason)
            }
            guard let bytes else { continue }
            entries += parsed(bytes, path: expanded)
        }
        return KnownHosts(entries: entries)
    }

    /// Parsed files by path, with the bytes they were parsed from: a run
    /// over a hundred hosts reads the same file a hundred times, and parses
    /// it once. An appended key changes the bytes, and the file is parsed anew.
    private static let cache = Mutex<[String: (bytes: [UInt8], entries: [Entry])]>([:])

    private static func parsed(_ bytes: [UInt8], path: String) -> [Entry] {
        if let hit = cache.withLock({ $0[path] }), hit.bytes == bytes { return hit.entries }
        let entries = parse(String(decoding: bytes, as: UTF8.self), path: path).entries
        cache.withLock { $0[path] = (bytes, entries) }
        return entries
    }

    /// Reads known_hosts text; `path` names it in verdicts and messages.
    public static func parse(_ text: String, path: String) -> KnownHosts {
        var entries: [Entry] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isLineEnd)
        for (index, line) in lines.enumerated() {
            if let entry = Entry(line, place: Place(path: path, line: index + 1)) { entries.append(entry) }
        }
        return KnownHosts(entries: entries)
    }

    /// What the files say about `key` presented by `host` on `port`.
    public func verify(host: String, port: Int, key: HostKey) -> HostKeyVerdict {
        switch check(host: host, port: port, key: key) {
        case .match: .match
        case .unknown: .unknown
        case .mismatch(let expected): .mismatch(expectedFingerprint: expected.first?.fingerprint ?? "")
        case .revoked(let place):
            // HostKeyVerdict has no case for this yet; the text stands in
            // for the fingerprint so that the message says why.
            .mismatch(expectedFingerprint: "none (\(Fingerprint.sha256(key.blob)) is marked @revoked at \(place))")
        }
    }

    /// `verify`, with where each verdict comes from.
    public func check(host: String, port: Int, key: HostKey) -> Check {
        let lookup = Self.lookupName(host: host, port: port)
        let matching = entries.filter { $0.hosts.matches(lookup) }
        if let revoked = matching.first(where: { $0.marker == .revoked && $0.key.blob == key.blob }) {
            return .revoked(at: revoked.place)
        }
        let sameType = matching.filter { $0.marker == .none && $0.key.type == key.type }
        if let found = sameType.first(where: { $0.key.blob == key.blob }) { return .match(at: found.place) }
        if sameType.isEmpty { return .unknown }
        let recorded = sameType.map { RecordedKey(fingerprint: Fingerprint.sha256($0.key.blob), place: $0.place) }
        return .mismatch(expected: recorded)
    }

    /// The key types recorded for the host, in file order without repeats:
    /// the host key algorithms to offer, so that the server presents a key
    /// that can be verified (libssh2 otherwise prefers ECDSA).
    public func keyTypes(host: String, port: Int) -> [String] {
        let lookup = Self.lookupName(host: host, port: port)
        var types: [String] = []
        for entry in entries where entry.marker == .none && entry.hosts.matches(lookup) {
            if !types.contains(entry.key.type) { types.append(entry.key.type) }
        }
        return types
    }

    /// Records a key as a plain (unhashed) line, creating the file with mode
    /// 0600 and missing directories with 0700, as `ssh` does.
    public static func append(host: String, port: Int, key: HostKey, to path: String) throws(KnownHostsError) {
        let expanded = LocalAccount.current().expandingTilde(path)
        let line = "\(lookupName(host: host, port: port)) \(key.type) \(Base64.encode(key.blob))\n"
        do {
            try LocalFile.appendLine(Array(line.utf8), to: expanded, mode: 0o600, directoryMode: 0o700)
        } catch {
            throw .cannotRecord(error.path, error.reason)
        }
    }

    /// The name under which known_hosts records a host: `host`, or
    /// `[host]:port` off port 22.
    static func lookupName(host: String, port: Int) -> String {
        let lowered = host.lowercased()
        return port == 22 ? lowered : "[\(lowered)]:\(port)"
    }
}

extension KnownHosts {
    /// A verdict with the lines it rests on.
    public enum Check: Sendable, Hashable {
        case match(at: Place)
        /// Keys of the presented type are recorded, none equal to it.
        case mismatch(expected: [RecordedKey])
        /// The presented key is listed as `@revoked`.
        case revoked(at: Place)
        case unknown
    }

    public struct RecordedKey: Sendable, Hashable {
        public let fingerprint: String
        public let place: Place
    }

    /// A line of a known_hosts file.
    public struct Place: Sendable, Hashable, CustomStringConvertible {
        public let path: String
        public let line: Int

        public var description: String { "\(path):\(line)" }
    }

    enum Marker: Sendable, Hashable {
        case none, revoked, certAuthority
    }

    /// The host field of a line.
    enum Hosts: Sendable, Hashable {
        case patterns(HostPatternList)
        case hashed(salt: [UInt8], hash: [UInt8])

        func matches(_ lookup: String) -> Bool {
            switch self {
            case .patterns(let list): list.matches(lookup)
            case .hashed(let salt, let hash): SHA1.hmac(key: salt, message: Array(lookup.utf8)) == hash
            }
        }
    }

    struct Entry: Sendable, Hashable {
        let marker: Marker
        let hosts: Hosts
        let key: HostKey
        let place: Place

        /// nil for blank and comment lines and for lines `ssh` would skip.
        init?(_ text: Substring, place: Place) {
            var fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })[...]
            guard let first = fields.first, !first.hasPrefix("#") else { return nil }
            var marker = Marker.none
            if first.hasPrefix("@") {
                switch first {
                case "@revoked": marker = .revoked
                case "@cert-authority": marker = .certAuthority
                default: return nil
                }
                fields = fields.dropFirst()
            }
            guard fields.count >= 3 else { return nil }
            let hostField = fields[fields.startIndex]
            let type = String(fields[fields.startIndex + 1])
            guard let blob = try? Base64.decode(String(fields[fields.startIndex + 2])),
                SSHWireReader.keyType(ofBlob: blob) == type,
                let hosts = Self.hosts(hostField)
            else { return nil }
            self.marker = marker
            self.hosts = hosts
            self.key = HostKey(type: type, blob: blob)
            self.place = place
        }

        private static func hosts(_ field: Substring) -> Hosts? {
            guard field.hasPrefix("|") else {
                return .patterns(HostPatternList(field.split(separator: ",").map(String.init)))
            }
            let parts = field.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[1] == "1", let salt = try? Base64.decode(String(parts[2])),
                let hash = try? Base64.decode(String(parts[3])), salt.count == 20, hash.count == 20
            else { return nil }
            return .hashed(salt: salt, hash: hash)
        }
    }
}

/// A known_hosts file that cannot be read or written.
public struct KnownHostsError: Error, Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    static func cannotRead(_ path: String, _ reason: String) -> KnownHostsError {
        KnownHostsError(path: path, message: "cannot read: \(reason)")
    }

    static func cannotRecord(_ path: String, _ reason: String) -> KnownHostsError {
        KnownHostsError(path: path, message: "cannot record the host key: \(reason)")
    }
}
