import Foundation
import Synchronization
import TernEngine
import TernPlan
import TernSSH

/// A private OpenSSH server for one test: its own host key, client key,
/// authorized_keys, known_hosts and config in a temporary directory, on its
/// own loopback address (127.42.x.y, port 2222).
///
/// `start()` runs `sshd -D -e -f CONFIG` as a child and returns once the port
/// answers with an SSH banner (bounded: 10 s); `kill()` ends sshd and every
/// process under it (connection processes, shells, commands) with SIGKILL,
/// which drops every connection at once; `deinit` kills and removes the
/// directory. The config disables what slows or breaks a test server:
/// `UsePAM no`, `StrictModes no` (the files live under /tmp), and
/// `SetEnv SHLVL=1`, which keeps bash from sourcing this machine's
/// /root/.bashrc (it runs `pyenv init`, 100–200 ms per command).
final class SSHServer: @unchecked Sendable {
    private(set) var address = ""
    let port = 2222
    let directory: String
    let hostKey: String
    let clientKey: String
    let knownHosts: String
    let log: String
    private let config: String
    private let lock = NSLock()
    /// The running sshd, if any.
    private var pid: pid_t?

    /// Addresses handed out in this test process; the third octet comes from
    /// the process id, so two test runs rarely collide (and retry if they do).
    private static let nextAddress = Mutex(0)

    init(extraConfig: [String] = []) throws {
        directory = try Self.makeTemporaryDirectory()
        hostKey = directory + "/host_ed25519"
        clientKey = directory + "/id_ed25519"
        knownHosts = directory + "/known_hosts"
        log = directory + "/sshd.log"
        config = directory + "/sshd_config"
        try Self.generateKey(at: hostKey)
        try Self.generateKey(at: clientKey)
        try String(contentsOfFile: clientKey + ".pub", encoding: .utf8)
            .write(toFile: directory + "/authorized_keys", atomically: true, encoding: .utf8)

        var lastError: Error = FixtureError("no address tried")
        for _ in 0..<20 {
            let candidate = Self.allocateAddress()
            try Self.config(address: candidate, port: port, directory: directory, extra: extraConfig)
                .write(toFile: config, atomically: true, encoding: .utf8)
            do {
                try launch(address: candidate)
                address = candidate
                try knownHostsLine().write(toFile: knownHosts, atomically: true, encoding: .utf8)
                return
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts sshd again after `kill()`, on the same address with the same keys.
    func start() throws {
        try launch(address: address)
    }

    /// SIGKILLs sshd and everything under it, and waits until sshd is gone.
    func kill() {
        lock.lock()
        defer { lock.unlock() }
        guard let root = pid else { return }
        pid = nil
        for process in [root] + Self.descendants(of: root) { _ = Foundation.kill(process, SIGKILL) }
        var status: Int32 = 0
        _ = waitpid(root, &status, 0)
    }

    /// Settings that reach this server as root with the generated key,
    /// verified against its known_hosts, without ssh-agent.
    func settings(name: String = "lab", timeoutMillis: Int = 5_000) -> ConnectionSettings {
        ConnectionSettings(
            name: name, hostName: address, port: port, user: "root", identityFiles: [clientKey],
            identitiesOnly: true, useAgent: false, connectTimeoutMillis: timeoutMillis,
            authTimeoutMillis: timeoutMillis, knownHostsFiles: [knownHosts])
    }

    /// The known_hosts line for this server's host key.
    func knownHostsLine() throws -> String {
        let fields = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8).split(separator: " ")
        return "[\(address)]:\(port) \(fields[0]) \(fields[1])\n"
    }

    /// The host key blob, as the server presents it.
    func hostKeyBlob() throws -> [UInt8] {
        try Self.publicKeyBlob(hostKey + ".pub")
    }

    /// How many sessions sshd has authenticated (its log says "Accepted").
    func acceptedLogins() -> Int {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // sshd -e ends its lines with CRLF, one Character in Swift.
        return text.split(whereSeparator: \.isNewline).filter { $0.contains("Accepted publickey") }.count
    }

    /// Pids of the processes under sshd whose command line contains `text`.
    func processes(matching text: String) -> [Int32] {
        lock.lock()
        let root = pid
        lock.unlock()
        guard let root else { return [] }
        return Self.descendants(of: root).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return line.contains(text)
        }
    }

    // MARK: Setting up

    private func launch(address: String) throws {
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let child = try Self.spawn("/usr/sbin/sshd", ["-D", "-e", "-f", config], output: log)
        lock.lock()
        pid = child
        lock.unlock()

        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                lock.lock()
                pid = nil
                lock.unlock()
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw FixtureError("sshd on \(address) exited: \(text)")
            }
            if Self.answersWithBanner(address: address, port: port) { return }
            usleep(10_000)
        }
        kill()
        throw FixtureError("sshd on \(address):\(port) did not answer within 10 s")
    }

    /// Starts a program with stdin from /dev/null and stdout and stderr
    /// appended to `output` (posix_spawn: Foundation's Process reaps
    /// children from a shared thread that a long-running sshd can stall).
    static func spawn(
        _ path: String, _ arguments: [String], output: String, environment: [String: String] = [:]
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { $1 }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in envp { free(variable) } }
        // The test runner's threads block signals; the child must not
        // inherit that mask, nor ignored dispositions.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw FixtureError("cannot start \(path): \(String(cString: strerror(rc)))") }
        return child
    }

    /// Runs a program to its end; its output goes to `output`.
    static func run(
        _ path: String, _ arguments: [String], output: String = "/dev/null", environment: [String: String] = [:]
    ) throws -> Int32 {
        let child = try spawn(path, arguments, output: output, environment: environment)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    private static func config(address: String, port: Int, directory: String, extra: [String]) -> String {
        ([
            "ListenAddress \(address):\(port)",
            "HostKey \(directory)/host_ed25519",
            "AuthorizedKeysFile \(directory)/authorized_keys",
            "PidFile \(directory)/sshd.pid",
            "UsePAM no",
            "UseDNS no",
            "StrictModes no",
            "KexAlgorithms curve25519-sha256",
            "MaxSessions 100",
            "MaxStartups 400:30:800",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "Subsystem sftp internal-sftp",
            "SetEnv SHLVL=1",
            "LogLevel INFO",
        ] + extra).joined(separator: "\n") + "\n"
    }

    private static func allocateAddress() -> String {
        let n = nextAddress.withLock { value -> Int in
            value += 1
            return value
        }
        let third = (Int(getpid()) % 200 + 20 + n / 250) % 256
        return "127.42.\(third).\(n % 250 + 1)"
    }

    private static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/tern-ssh-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed") }
        return String(cString: made)
    }

    static func generateKey(at path: String, type: String = "ed25519", passphrase: String = "") throws {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + ".pub")
        var arguments = ["-q", "-t", type, "-N", passphrase, "-f", path, "-C", "tern-test"]
        if type == "rsa" { arguments += ["-b", "2048"] }
        guard try run("/usr/bin/ssh-keygen", arguments) == 0 else { throw FixtureError("ssh-keygen -t \(type) failed") }
    }

    static func publicKeyBlob(_ path: String) throws -> [UInt8] {
        let fields = try String(contentsOfFile: path, encoding: .utf8).split(separator: " ")
        guard fields.count >= 2, let data = Data(base64Encoded: String(fields[1])) else {
            throw FixtureError("\(path) is not a public key")
        }
        return [UInt8](data)
    }

    /// Whether something on the port sends "SSH-2.0" within a second.
    private static func answersWithBanner(address: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, address, &socketAddress.sin_addr)
        let connected = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return false }
        var banner = [UInt8](repeating: 0, count: 7)
        let count = recv(fd, &banner, 7, Int32(MSG_WAITALL))
        return count == 7 && banner == Array("SSH-2.0".utf8)
    }

    /// Every process under `root`, found through the parent ids in /proc.
    private static func descendants(of root: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(pid) }
        }
        var found: [Int32] = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] {
                found.append(child)
                queue.append(child)
            }
        }
        return found
    }
}

/// A private ssh-agent (`ssh-agent -D -a SOCKET`) holding the given keys.
final class SSHAgent: @unchecked Sendable {
    let socket: String
    private let pid: pid_t

    init(directory: String, keys: [String]) throws {
        socket = directory + "/agent.sock"
        pid = try SSHServer.spawn("/usr/bin/ssh-agent", ["-D", "-a", socket], output: directory + "/agent.log")
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) {
            guard Date() < deadline else { throw FixtureError("ssh-agent did not create \(socket)") }
            usleep(5_000)
        }
        for key in keys {
            let status = try SSHServer.run("/usr/bin/ssh-add", ["-q", key], environment: ["SSH_AUTH_SOCK": socket])
            guard status == 0 else { throw FixtureError("ssh-add \(key) failed") }
        }
    }

    deinit {
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}

/// A TCP port that accepts connections (the kernel completes them) but
/// never says anything: an SSH server that hangs before its banner.
final class SilentListener: @unchecked Sendable {
    let address: String
    let port = 2222
    private let fd: Int32

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        address = "127.42.250.\(Int(getpid()) % 250 + 1)"
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, address, &socketAddress.sin_addr)
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw FixtureError("cannot listen on \(address):\(port)")
        }
    }

    deinit { close(fd) }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a transport over `settings`, and shuts it down after.
@discardableResult
func withTransport<T>(
    passphrasePrompt: SSHTransport.PassphrasePrompt? = nil,
    _ settings: @escaping @Sendable (PlanHost) -> ConnectionSettings,
    _ body: (SSHTransport) async throws -> T
) async throws -> T {
    let transport = SSHTransport(passphrasePrompt: passphrasePrompt, settings: settings)
    do {
        let result = try await body(transport)
        await transport.shutdown()
        return result
    } catch {
        await transport.shutdown()
        throw error
    }
}

let lab = PlanHost(name: "lab", address: "unused")

/// Milliseconds since `start`.
func millis(since start: ContinuousClock.Instant) -> Int {
    let elapsed = ContinuousClock.now - start
    return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
}
