import Glibc

/// Runs programs with `posix_spawn`: helpers whose output is read to the end,
/// and the long-lived, detached processes of the lab hosts.
///
/// Children inherit only stdin, stdout and stderr: a lab host lives for hours,
/// and any other descriptor it kept open (a test runner's pipe, say) would keep
/// its reader waiting for an end of file that never comes.
enum Subprocess {
    /// The PATH of every program the lab starts, whatever the caller's is
    /// (sudo and cron trim it; the host script needs `mount` and `chroot`).
    static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Runs `argv` to completion and returns its standard output and error,
    /// interleaved; throws `LabError.commandFailed` on a non-zero exit.
    @discardableResult
    static func run(_ argv: [String]) throws -> String {
        var fds: [Int32] = [-1, -1]
        // pipe2 is a GNU extension Swift does not import; the moment before
        // FD_CLOEXEC is set is harmless, as every spawn here closes fds from 3 on.
        guard pipe(&fds) == 0, fcntl(fds[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(fds[1], F_SETFD, FD_CLOEXEC) == 0 else {
            throw LabError.commandFailed(command: argv.joined(separator: " "), status: -1, output: errnoText())
        }
        var actions = try FileActions()
        defer { actions.destroy() }
        posix_spawn_file_actions_addopen(&actions.value, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions.value, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions.value, fds[1], 2)
        try actions.closeFrom(3)
        let pid: pid_t
        do {
            pid = try spawn(argv, actions: &actions, newSession: false)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n > 0 { output.append(contentsOf: buffer[0..<n]) }
            else if n == 0 || errno != EINTR { break }
        }
        close(fds[0])
        let status = waitForExit(pid)
        let text = String(decoding: output, as: UTF8.self)
        guard status == 0 else {
            throw LabError.commandFailed(command: argv.joined(separator: " "), status: status, output: text.trimmingTrailingNewlines())
        }
        return text
    }

    /// Starts `argv` in a session of its own, with stdin from /dev/null and
    /// stdout and stderr appended to `logPath`, and does not wait for it: it
    /// outlives the caller. Returns its pid.
    static func spawnDetached(_ argv: [String], logPath: String) throws -> pid_t {
        var actions = try FileActions()
        defer { actions.destroy() }
        posix_spawn_file_actions_addopen(&actions.value, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions.value, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions.value, 1, 2)
        try actions.closeFrom(3)
        return try spawn(argv, actions: &actions, newSession: true)
    }

    /// Exit status, or 128 + signal for a child killed by a signal.
    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// glibc's POSIX_SPAWN_SETSID (spawn.h, a GNU extension Swift does not import).
    private static let spawnSetSID: Int32 = 0x80

    private static func spawn(_ argv: [String], actions: inout FileActions, newSession: Bool) throws -> pid_t {
        guard let program = argv.first else { throw LabError.invalidConfig("empty command") }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default dispositions and an empty mask: the caller (a test runner,
        // say) may block or ignore signals that sshd relies on.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if newSession { flags |= spawnSetSID }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let environment = ["PATH=" + path, "LANG=C.UTF-8"]
        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            for p in cArguments { free(p) }
            for p in cEnvironment { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, program, &actions.value, &attributes, &cArguments, &cEnvironment)
        guard rc == 0 else {
            throw LabError.commandFailed(command: argv.joined(separator: " "), status: -1, output: "cannot start \(program): \(String(cString: strerror(rc)))")
        }
        return pid
    }
}

/// A `posix_spawn_file_actions_t` with the glibc extension that closes every
/// descriptor from a number on.
private struct FileActions {
    var value = posix_spawn_file_actions_t()

    init() throws {
        guard posix_spawn_file_actions_init(&value) == 0 else {
            throw LabError.commandFailed(command: "posix_spawn_file_actions_init", status: -1, output: errnoText())
        }
    }

    mutating func destroy() { posix_spawn_file_actions_destroy(&value) }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// posix_spawn_file_actions_addclosefrom_np (glibc 2.34), looked up at run
    /// time because Swift does not import GNU extensions of spawn.h.
    mutating func closeFrom(_ fd: Int32) throws {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            throw LabError.missingTool(name: "posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later)", package: "libc6")
        }
        let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
        guard addCloseFrom(&value, fd) == 0 else {
            throw LabError.commandFailed(command: "posix_spawn_file_actions_addclosefrom_np", status: -1, output: errnoText())
        }
    }
}

/// The text of the current `errno`.
func errnoText() -> String { String(cString: strerror(errno)) }

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.last?.isNewline == true { s.removeLast() }
        return s
    }
}
