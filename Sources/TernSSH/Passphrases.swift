import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where the passphrases of encrypted private keys come from: the
/// environment variable `TERN_SSH_PASSPHRASE`, else a prompt that the CLI may
/// install, asked once per key file however many hosts need it.
///
/// Called on session threads, which may block: a prompt that reads the
/// terminal holds `promptLock`, so two hosts never prompt at once.
final class Passphrases: Sendable {
    static let environmentVariable = "TERN_SSH_PASSPHRASE"

    private let prompt: (@Sendable (_ keyPath: String) -> String?)?
    private let answers = Mutex<[String: String]>([:])
    private let promptLock = Mutex<Void>(())

    init(prompt: (@Sendable (_ keyPath: String) -> String?)?) {
        self.prompt = prompt
    }

    /// The passphrase for the key at `keyPath`, or nil when none is known.
    func passphrase(for keyPath: String) -> String? {
        if let value = getenv(Self.environmentVariable) { return String(cString: value) }
        if let known = answers.withLock({ $0[keyPath] }) { return known }
        guard let prompt else { return nil }
        return promptLock.withLock { _ in
            if let known = answers.withLock({ $0[keyPath] }) { return known }
            let answer = prompt(keyPath)
            if let answer { answers.withLock { $0[keyPath] = answer } }
            return answer
        }
    }

    /// Forgets a prompted passphrase that did not open the key, so the next
    /// host asks again.
    func forget(_ keyPath: String) {
        _ = answers.withLock { $0.removeValue(forKey: keyPath) }
    }
}
