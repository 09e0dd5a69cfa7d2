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
            throw .cannotRead(path, error.reason)
        }
        guard let bytes else { throw .noSuchFile(path) }
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
                throw .puttyKey(path)
            }
            if text.hasPrefix("ssh-") || text.hasPrefix("ecdsa-") || text.hasPrefix("sk-") {
                throw .publicKey(path)
            }
            throw .notAKeyFile(path)
        }
        let body: [UInt8]
        do {
            body = try Base64.decode(armor.base64)
        } catch {
            throw .damagedBody(path, error.message)
        }
        switch armor.label {
        case "OPENSSH PRIVATE KEY":
            guard let (type, encrypted) = openSSHContents(body) else {
                throw .damagedOpenSSHKey(path)
            }
            return (shortName(type), encrypted)
        case "RSA PRIVATE KEY": return ("rsa", armor.isEncryptedPEM)
        case "EC PRIVATE KEY": return ("ecdsa", armor.isEncryptedPEM)
        case "DSA PRIVATE KEY": return ("dsa", armor.isEncryptedPEM)
        case "PRIVATE KEY": return (DER.pkcs8KeyType(body), false)
        case "ENCRYPTED PRIVATE KEY": return (nil, true)
        default:
            throw .otherContent(path, armor.label)
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

    static func cannotRead(_ path: String, _ reason: String) -> KeyFileError {
        KeyFileError(path: path, message: "cannot read: \(reason)")
    }

    static func noSuchFile(_ path: String) -> KeyFileError {
        KeyFileError(path: path, message: "no such file")
    }

    static func puttyKey(_ path: String) -> KeyFileError {
        KeyFileError(path: path, message: "is a PuTTY key; convert it with: puttygen KEY -O private-openssh -o KEY.pem")
    }

    static func publicKey(_ path: String) -> KeyFileError {
        KeyFileError(path: path, message: "is a public key; IdentityFile names the private key")
    }

    static func notAKeyFile(_ path: String) -> KeyFileError {
        KeyFileError(path: path, message: "is not a private key file (no -----BEGIN ... PRIVATE KEY----- line)")
    }

    static func damagedBody(_ path: String, _ problem: String) -> KeyFileError {
        KeyFileError(path: path, message: "has a damaged key body: \(problem)")
    }

    static func damagedOpenSSHKey(_ path: String) -> KeyFileError {
        KeyFileError(path: path, message: "is not a valid OpenSSH private key (damaged or truncated)")
    }

    static func otherContent(_ path: String, _ label: String) -> KeyFileError {
        KeyFileError(path: path, message: "holds a '\(label)', not a private key Tern can use")
    }
}
