import TernPlan

/// How the engine reaches hosts. The engine knows nothing of SSH: the SSH
/// layer (`TernSSH`) implements this protocol over libssh2 sessions, and
/// `LocalTransport` over local processes for tests of the engine itself.
///
/// Implementations keep one connection per host and may run many commands
/// on it at once; every method is safe to call concurrently.
public protocol Transport: Sendable {
    /// Runs a command with `/bin/sh -c` on the host. Output arrives in the
    /// result; `onOutput`, when given, also sees it as it arrives.
    func exec(_ request: CommandRequest, on host: PlanHost) async throws(TransportError) -> CommandResult

    /// Writes `data` to `path` atomically: readers see the old file or the
    /// new one, never a part.
    func upload(_ data: [UInt8], to path: String, options: UploadOptions, on host: PlanHost) async throws(TransportError)

    /// The contents of a remote file.
    func download(_ path: String, on host: PlanHost) async throws(TransportError) -> [UInt8]

    /// Closes every connection; later calls reconnect.
    func shutdown() async
}

public struct CommandRequest: Sendable {
    public var command: String
    /// Run as this user through `sudo -n` (no password prompt).
    public var become: String?
    /// Bytes written to the command's standard input, then end of file.
    public var stdin: [UInt8]
    /// Milliseconds; nil waits as long as the command runs.
    public var timeoutMillis: Int?
    public var onOutput: (@Sendable (OutputStream, [UInt8]) -> Void)?

    public init(
        _ command: String, become: String? = nil, stdin: [UInt8] = [], timeoutMillis: Int? = nil,
        onOutput: (@Sendable (OutputStream, [UInt8]) -> Void)? = nil
    ) {
        self.command = command
        self.become = become
        self.stdin = stdin
        self.timeoutMillis = timeoutMillis
        self.onOutput = onOutput
    }

    /// The command as the host's shell receives it, with `become` applied.
    public var shellCommand: String {
        guard let user = become else { return command }
        return "sudo -n -u \(ShellQuote.quote(user)) -- /bin/sh -c \(ShellQuote.quote(command))"
    }
}

public enum OutputStream: Sendable, Hashable { case stdout, stderr }

public struct CommandResult: Sendable, Hashable {
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// The exit status; meaningless when `signal` is set.
    public var exitStatus: Int32
    /// The signal that ended the command (e.g. "KILL"), if one did.
    public var signal: String?
    public var durationMillis: Int

    public init(stdout: [UInt8], stderr: [UInt8], exitStatus: Int32, signal: String? = nil, durationMillis: Int) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.signal = signal
        self.durationMillis = durationMillis
    }

    public var succeeded: Bool { signal == nil && exitStatus == 0 }
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

public struct UploadOptions: Sendable, Hashable {
    /// Octal, e.g. "0644".
    public var mode: String?
    public var owner: String?
    public var group: String?
    public var become: String?

    public init(mode: String? = nil, owner: String? = nil, group: String? = nil, become: String? = nil) {
        self.mode = mode
        self.owner = owner
        self.group = group
        self.become = become
    }
}

/// Why a host could not do what was asked. Every case names the host.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Connecting failed (refused, no route, DNS, connect timeout).
    case unreachable(host: String, reason: String)
    /// The server's key is not the one known_hosts holds for it.
    case hostKeyMismatch(host: String, keyType: String, expected: String, actual: String)
    /// known_hosts has no key for this host (and accepting new keys is off).
    case unknownHostKey(host: String, keyType: String, fingerprint: String)
    case authenticationFailed(host: String, reason: String)
    case timedOut(host: String, what: String, afterMillis: Int)
    /// The connection broke while a command or transfer was in flight.
    case connectionLost(host: String, reason: String)
    /// `sudo -n` wanted a password.
    case becomeNeedsPassword(host: String, user: String)
    case fileTransfer(host: String, path: String, reason: String)
    case other(host: String, reason: String)

    public var host: String {
        switch self {
        case .unreachable(let h, _), .hostKeyMismatch(let h, _, _, _), .unknownHostKey(let h, _, _),
            .authenticationFailed(let h, _), .timedOut(let h, _, _), .connectionLost(let h, _),
            .becomeNeedsPassword(let h, _), .fileTransfer(let h, _, _), .other(let h, _):
            h
        }
    }

    /// True when the host itself could not be used (connecting, host key,
    /// authentication, a lost connection), as opposed to a command or a
    /// transfer that failed on a working connection.
    public var isUnreachable: Bool {
        switch self {
        case .unreachable, .hostKeyMismatch, .unknownHostKey, .authenticationFailed, .connectionLost: true
        case .timedOut(_, let what, _): !what.hasPrefix("command")
        case .becomeNeedsPassword, .fileTransfer, .other: false
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let h, let r): "\(h): unreachable: \(r)"
        case .hostKeyMismatch(let h, let t, let e, let a):
            "\(h): HOST KEY MISMATCH for \(t): known_hosts has \(e), the server offered \(a); if the host was reinstalled, remove the old key from known_hosts"
        case .unknownHostKey(let h, let t, let f):
            "\(h): unknown host key (\(t) \(f)); verify it and add it to known_hosts, or pass --accept-new-host-keys"
        case .authenticationFailed(let h, let r): "\(h): authentication failed: \(r)"
        case .timedOut(let h, let w, let ms): "\(h): \(w) timed out after \(ms) ms"
        case .connectionLost(let h, let r): "\(h): connection lost: \(r)"
        case .becomeNeedsPassword(let h, let u): "\(h): sudo needs a password to become \(u); allow it with NOPASSWD in sudoers"
        case .fileTransfer(let h, let p, let r): "\(h): \(p): \(r)"
        case .other(let h, let r): "\(h): \(r)"
        }
    }
}
