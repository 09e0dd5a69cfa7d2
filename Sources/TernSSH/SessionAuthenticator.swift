import CLibSSH2
import TernEngine
import TernPlan

#if canImport(Glibc)
import Glibc
#endif

/// Public-key authentication of a fresh session, one key at a time in
/// non-blocking steps.
///
/// The keys offered, in order: those of ssh-agent (when `useAgent` and
/// `SSH_AUTH_SOCK` is set; with `identitiesOnly` only those whose public key
/// is one of the identity files'), then the identity files not already
/// offered through the agent. RSA keys are skipped: libssh2 1.10 signs with
/// ssh-rsa (SHA-1) only, which OpenSSH 8.8 and later refuse, and every
/// refused key counts against the server's MaxAuthTries. When the only keys
/// there are RSA keys, authentication stops before offering anything, with
/// `KeyFiles.rsaUnsupportedMessage`.
///
/// The failure message names the user, every key tried and why each was
/// refused or skipped.
final class SessionAuthenticator {
    enum Advance {
        case pending
        case authenticated
        case failed(TransportError)
    }

    private enum Key {
        case agent(UnsafeMutablePointer<libssh2_agent_publickey>)
        case file(privateKey: String, publicKey: String?, encrypted: Bool)
    }

    private struct Attempt {
        let key: Key
        let label: String
    }

    private enum Stage {
        case listingMethods
        case preparing
        case trying(Int)
    }

    private let settings: ConnectionSettings
    private let passphrases: Passphrases
    private let agentSocketPath: String?
    private var stage = Stage.listingMethods
    private var attempts: [Attempt] = []
    private var agent: OpaquePointer?
    /// "key: why it did not work", in order.
    private var outcomes: [String] = []
    private var rsaKeys: [String] = []
    /// The passphrase of the attempt in progress: libssh2 wants the same
    /// arguments on every call of a non-blocking operation.
    private var currentPassphrase: String?

    init(settings: ConnectionSettings, passphrases: Passphrases, agentSocketPath: String?) {
        self.settings = settings
        self.passphrases = passphrases
        self.agentSocketPath = agentSocketPath ?? getenv("SSH_AUTH_SOCK").map { String(cString: $0) }
    }

    /// Frees the agent connection. Must run before the session is freed:
    /// the agent lives in the session's memory.
    func close() {
        if let agent {
            _ = libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        agent = nil
        attempts = []
    }

    func advance(_ session: OpaquePointer, _ io: SessionIO) -> Advance {
        while true {
            switch stage {
            case .listingMethods:
                let user = settings.user
                let list = user.withCString { libssh2_userauth_list(session, $0, UInt32(user.utf8.count)) }
                guard let list else {
                    if libssh2_userauth_authenticated(session) != 0 { return .authenticated }
                    switch LibSSH2.outcome(libssh2_session_last_errno(session), session: session, io: io) {
                    case .again: return .pending
                    case .done: return .failed(failure("the server sent no authentication methods"))
                    case .connectionLost(let reason), .failed(_, let reason):
                        return .failed(failure("asking for the authentication methods failed: \(reason)"))
                    }
                }
                let methods = String(cString: list).split(separator: ",").map(String.init)
                guard methods.contains("publickey") else {
                    return .failed(failure(
                        "the server offers only \(methods.joined(separator: ", ")); Tern signs in with keys (publickey)"))
                }
                stage = .preparing

            case .preparing:
                prepare(session)
                if attempts.isEmpty {
                    if !rsaKeys.isEmpty {
                        return .failed(.authenticationFailed(
                            host: settings.name,
                            reason: "\(KeyFiles.rsaUnsupportedMessage) (key: \(rsaKeys.joined(separator: ", ")))"))
                    }
                    return .failed(failure("no key to offer"))
                }
                stage = .trying(0)

            case .trying(let index):
                guard index < attempts.count else {
                    return .failed(failure("the server accepted none of the keys"))
                }
                let attempt = attempts[index]
                let rc: Int32
                switch attempt.key {
                case .agent(let identity):
                    guard let agent else {
                        stage = .trying(index + 1)
                        continue
                    }
                    rc = settings.user.withCString { libssh2_agent_userauth(agent, $0, identity) }
                case .file(let privateKey, let publicKey, let encrypted):
                    if encrypted && currentPassphrase == nil {
                        guard let passphrase = passphrases.passphrase(for: privateKey) else {
                            outcomes.append("\(attempt.label): encrypted, and no passphrase (set \(Passphrases.environmentVariable))")
                            stage = .trying(index + 1)
                            continue
                        }
                        currentPassphrase = passphrase
                    }
                    rc = libssh2_userauth_publickey_fromfile_ex(
                        session, settings.user, UInt32(settings.user.utf8.count), publicKey, privateKey,
                        currentPassphrase)
                }
                switch LibSSH2.outcome(rc, session: session, io: io) {
                case .done:
                    return .authenticated
                case .again:
                    return .pending
                case .connectionLost(let reason):
                    outcomes.append("\(attempt.label): \(reason)")
                    return .failed(failure("the server closed the connection (too many keys offered? see MaxAuthTries)"))
                case .failed(let code, let message):
                    if case .file(let privateKey, _, true) = attempt.key, code == LIBSSH2_ERROR_FILE {
                        passphrases.forget(privateKey)
                        outcomes.append("\(attempt.label): cannot be opened (wrong passphrase?)")
                    } else if code == LIBSSH2_ERROR_AUTHENTICATION_FAILED || code == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED {
                        outcomes.append("\(attempt.label): refused")
                    } else {
                        outcomes.append("\(attempt.label): \(message)")
                    }
                    currentPassphrase = nil
                    stage = .trying(index + 1)
                }
            }
        }
    }

    /// Decides which keys to offer, from the identity files and the agent.
    private func prepare(_ session: OpaquePointer) {
        let account = LocalAccount.current()
        var files: [(attempt: Attempt, blob: [UInt8]?)] = []
        var identityBlobs: [[UInt8]] = []
        for configured in settings.identityFiles {
            let path = account.expandingTilde(configured)
            let info: PrivateKeyInfo
            do {
                info = try KeyFiles.inspect(path: path)
            } catch {
                // Missing default identities are normal; say so only for the record.
                outcomes.append("\(path): \(error.message)")
                continue
            }
            if info.type == "rsa" {
                rsaKeys.append(path)
                outcomes.append("\(path): RSA key skipped (libssh2 1.10 cannot sign with rsa-sha2)")
                continue
            }
            let blob = info.publicKeyPath.flatMap(Self.publicKeyBlob)
            if let blob { identityBlobs.append(blob) }
            files.append((Attempt(key: .file(privateKey: path, publicKey: info.publicKeyPath, encrypted: info.encrypted), label: path), blob))
        }

        var agentBlobs: [[UInt8]] = []
        if settings.useAgent, let socket = agentSocketPath, !socket.isEmpty {
            agentBlobs = prepareAgent(session, socket: socket, identityBlobs: identityBlobs)
        }
        for file in files where file.blob.map({ !agentBlobs.contains($0) }) ?? true {
            attempts.append(file.attempt)
        }
    }

    /// Lists the agent's keys and adds those to offer; returns their blobs.
    private func prepareAgent(_ session: OpaquePointer, socket: String, identityBlobs: [[UInt8]]) -> [[UInt8]] {
        guard let agent = libssh2_agent_init(session) else { return [] }
        self.agent = agent
        libssh2_agent_set_identity_path(agent, socket)
        guard libssh2_agent_connect(agent) == 0 else {
            outcomes.append("ssh-agent: cannot connect to \(socket)")
            return []
        }
        guard libssh2_agent_list_identities(agent) == 0 else {
            outcomes.append("ssh-agent: cannot list its keys")
            return []
        }
        var offered: [[UInt8]] = []
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>? = nil
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>? = nil
            guard libssh2_agent_get_identity(agent, &identity, previous) == 0, let identity else { break }
            previous = identity
            let blob = Array(UnsafeBufferPointer(start: identity.pointee.blob, count: identity.pointee.blob_len))
            let type = SSHWireReader.keyType(ofBlob: blob) ?? "unknown"
            let comment = identity.pointee.comment.map { String(cString: $0) } ?? ""
            let label = "agent key \(comment.isEmpty ? type : comment) (\(Fingerprint.sha256(blob)))"
            if type == "ssh-rsa" {
                rsaKeys.append(label)
                continue
            }
            if settings.identitiesOnly && !identityBlobs.contains(blob) { continue }
            attempts.append(Attempt(key: .agent(identity), label: label))
            offered.append(blob)
        }
        return offered
    }

    /// The key blob of a `.pub` file ("type base64 comment").
    private static func publicKeyBlob(_ path: String) -> [UInt8]? {
        guard let bytes = try? LocalFile.contents(path) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard fields.count >= 2 else { return nil }
        return try? Base64.decode(String(fields[1]))
    }

    private func failure(_ summary: String) -> TransportError {
        var reason = "\(summary) (user \(settings.user)"
        if !outcomes.isEmpty { reason += "; " + outcomes.joined(separator: "; ") }
        reason += ")"
        return .authenticationFailed(host: settings.name, reason: reason)
    }
}
