import TernPlan

/// What a private key file holds, read before it is given to libssh2 so that
/// Tern can say "this RSA key will be refused" or "this key needs its
/// passphrase" instead of libssh2's bare "Unable to extract public key".
public struct PrivateKeyInfo: Sendable, Hashable {
    /// "ed25519", "ecdsa", "rsa", "dsa", "ed25519-sk", "ecdsa-sk"; for an
    /// encrypted PKCS#8 key without a `.pub` file, "unknown".
    public var type: String
    /// Whether a passphrase is needed to use it.
    public var encrypted: Bool
    /// `path.pub`, when that file exists.
    public var publicKeyPath: String?

    public init(type: String, encrypted: Bool, publicKeyPath: String?) {
        self.type = type
        self.encrypted = encrypted
        self.publicKeyPath = publicKeyPath
    }
}

/// Inspecting private key files (see `PrivateKeyInfo`).
///
/// Two containers exist. OpenSSH's own (`-----BEGIN OPENSSH PRIVATE KEY-----`,
/// the default since OpenSSH 7.8) is base64 of: the magic `openssh-key-v1\0`,
/// then SSH strings for the cipher name (`none` when not encrypted), KDF name
/// and KDF options, a uint32 key count, and each public key blob, whose
/// first string is the key type. The PEM containers name the type in the
/// armour: `RSA`, `EC` or `DSA PRIVATE KEY` (PKCS#1 and friends; encrypted when
/// a `Proc-Type: 4,ENCRYPTED` header precedes the body), `PRIVATE KEY`
/// (PKCS#8: the type is the algorithm OID inside the DER) or `ENCRYPTED
/// PRIVATE KEY` (PKCS#8, whose type is hidden; the `.pub` file tells it).
public enum KeyFiles {
    /// Why an RSA key will not work, and what to do instead.
    public static let rsaUnsupportedMessage = """
        RSA keys cannot be used: Tern connects with libssh2 1.10 (Debian 12), which signs with \
        ssh-rsa (RSA with SHA-1) only, and OpenSSH 8.8 and later refuse ssh-rsa signatures by default. \
        Use an ed25519 or ECDSA key instead (ssh-keygen -t ed25519), or, if you accept weaker security, \
        add 'PubkeyAcceptedAlgorithms +ssh-rsa' to the server's sshd_config.
        """

    /// The type and encryption of the private key at `path`.
    public static func inspect(path: String) throws(KeyFileError) -> PrivateKeyInfo {
        let bytes: [UInt8]?
        do {
            bytes = try LocalFile.contents(path)
        } catch {
            throw KeyFileError(path: path, message: "cannot read: \(error.reason)")
        }
        guard let bytes else { throw KeyFileError(path: path, message: "no such file") }
        let (type, encrypted) = try contents(String(decoding: bytes, as: UTF8.self), path: path)
        let publicKeyPath = path + ".pub"
        let publicKey = try? LocalFile.contents(publicKeyPath)
        return PrivateKeyInfo(
            type: type ?? publicKey.flatMap(publicKeyType).map(shortName) ?? "unknown",
            encrypted: encrypted,
            publicKeyPath: publicKey == nil ? nil : publicKeyPath)
    }

    /// The short type name of an SSH key type: "ssh-ed25519" is "ed25519".
    public static func shortName(_ keyType: String) -> String {
        switch keyType {
        case "ssh-ed25519": "ed25519"
        case "ssh-rsa": "rsa"
        case "ssh-dss": "dsa"
        case "sk-ssh-ed25519@openssh.com": "ed25519-sk"
        case "sk-ecdsa-sha2-nistp256@openssh.com": "ecdsa-sk"
        case _ where keyType.hasPrefix("ecdsa-sha2-"): "ecdsa"
        default: keyType
        }
    }

    /// The type (nil when the file does not tell) and encryption of the
    /// key in a private key file's text.
    static func contents(_ text: String, path: String) throws(KeyFileError) -> (type: String?, encrypted: Bool) {
        guard let armor = Armor(text) else {
            if text.hasPrefix("PuTTY-User-Key-File-") {
                throw KeyFileError(
                    path: path, message: "is a PuTTY key; convert it with: puttygen KEY -O private-openssh -o KEY.pem")
            }
            if text.hasPrefix("ssh-") || text.hasPrefix("ecdsa-") || text.hasPrefix("sk-") {
                throw KeyFileError(path: path, message: "is a public key; IdentityFile names the private key")
            }
            throw KeyFileError(path: path, message: "is not a private key file (no -----BEGIN ... PRIVATE KEY----- line)")
        }
        let body: [UInt8]
        do {
            body = try Base64.decode(armor.base64)
        } catch {
            throw KeyFileError(path: path, message: "has a damaged key body: \(error.message)")
        }
        switch armor.label {
        case "OPENSSH PRIVATE KEY":
            guard let (type, encrypted) = openSSHContents(body) else {
                throw KeyFileError(path: path, message: "is not a valid OpenSSH private key (damaged or truncated)")
            }
            return (shortName(type), encrypted)
        case "RSA PRIVATE KEY": return ("rsa", armor.isEncryptedPEM)
        case "EC PRIVATE KEY": return ("ecdsa", armor.isEncryptedPEM)
        case "DSA PRIVATE KEY": return ("dsa", armor.isEncryptedPEM)
        case "PRIVATE KEY": return (DER.pkcs8KeyType(body), false)
        case "ENCRYPTED PRIVATE KEY": return (nil, true)
        default:
            throw KeyFileError(path: path, message: "holds a '\(armor.label)', not a private key Tern can use")
        }
    }

    /// The key type and whether a cipher protects the keys, from the body of
    /// an OpenSSH private key.
    static func openSSHContents(_ body: [UInt8]) -> (type: String, encrypted: Bool)? {
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard body.starts(with: magic) else { return nil }
        var reader = SSHWireReader(body, offset: magic.count)
        guard let cipher = reader.readText(), reader.readText() != nil,  // KDF name
            reader.readString() != nil,  // KDF options
            let count = reader.readUInt32(), count >= 1,
            let publicKey = reader.readString(),
            let type = SSHWireReader.keyType(ofBlob: publicKey)
        else { return nil }
        return (type, cipher != "none")
    }

    /// The key type named at the start of a `.pub` file.
    private static func publicKeyType(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.map(String.init)
    }
}

/// A private key file that cannot be used, and why.
public struct KeyFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// The PEM armour (RFC 7468, with RFC 1421 headers) around a key: the label
/// of its BEGIN line, its headers and its base64 body.
struct Armor {
    let label: String
    let headers: [String]
    let base64: String

    init?(_ text: String) {
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: " \t") }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            return nil
        }
        let label = String(lines[begin].dropFirst("-----BEGIN ".count).dropLast(5))
        guard let end = lines[begin...].firstIndex(of: "-----END \(label)-----") else { return nil }
        let inner = lines[(begin + 1)..<end]
        // Headers are "Name: value" lines before the body (RFC 1421 §4.4).
        let headers = inner.prefix { $0.contains(":") }
        self.label = label
        self.headers = headers.map { String($0) }
        self.base64 = inner.dropFirst(headers.count).joined()
    }

    var isEncryptedPEM: Bool {
        headers.contains { $0.replacingSpaces() == "Proc-Type:4,ENCRYPTED" }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }

    fileprivate func replacingSpaces() -> String {
        String(filter { $0 != " " && $0 != "\t" })
    }
}

/// Just enough DER (X.690) to read the algorithm of a PKCS#8 key:
/// SEQUENCE { INTEGER version, SEQUENCE { OBJECT IDENTIFIER algorithm, ... }, ... }.
enum DER {
    static func pkcs8KeyType(_ der: [UInt8]) -> String? {
        var offset = 0
        guard enter(0x30, der, &offset) != nil,  // PrivateKeyInfo
            skip(0x02, der, &offset),  // version
            enter(0x30, der, &offset) != nil,  // AlgorithmIdentifier
            let oid = enter(0x06, der, &offset)
        else { return nil }
        switch Array(der[oid]) {
        case [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]: return "rsa"  // 1.2.840.113549.1.1.1
        case [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]: return "ecdsa"  // 1.2.840.10045.2.1
        case [0x2A, 0x86, 0x48, 0xCE, 0x38, 0x04, 0x01]: return "dsa"  // 1.2.840.10040.4.1
        case [0x2B, 0x65, 0x70]: return "ed25519"  // 1.3.101.112
        default: return nil
        }
    }

    /// Reads the header of an element with `tag` at `offset` and moves past
    /// the header; returns the range of its contents.
    private static func enter(_ tag: UInt8, _ der: [UInt8], _ offset: inout Int) -> Range<Int>? {
        guard offset + 2 <= der.count, der[offset] == tag else { return nil }
        var length = Int(der[offset + 1])
        var start = offset + 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard (1...4).contains(count), start + count <= der.count else { return nil }
            length = der[start..<start + count].reduce(0) { $0 << 8 | Int($1) }
            start += count
        }
        guard start + length <= der.count else { return nil }
        offset = start
        return start..<start + length
    }

    private static func skip(_ tag: UInt8, _ der: [UInt8], _ offset: inout Int) -> Bool {
        guard let contents = enter(tag, der, &offset) else { return false }
        offset = contents.upperBound
        return true
    }
}
