import Glibc

/// A lab host's `unshare` process, the parent of the host's namespaces.
///
/// Its one child is the host's PID 1: the setup script, which execs the
/// chrooted sshd. `unshare` blocks SIGTERM while it waits for that child, so a
/// host is stopped by signalling the child: when a PID namespace's first
/// process exits, the kernel ends every other process in it and the mounts
/// of its mount namespace go with them; then `unshare` exits too. SIGKILL to
/// `unshare` is the fallback: `--kill-child` passes it on to the child.
///
/// After it exits, `unshare` stays a zombie until its parent reaps it: the
/// process that started it (reaped here) or, once that has exited, PID 1 of
/// the machine, which may take a second. So "stopped" is read from the state
/// in /proc/PID/stat, never from `kill(pid, 0)`.
struct HostProcess: Sendable, Hashable, Codable {
    var pid: pid_t
    /// From /proc/PID/stat; tells this process from a later one with the same pid.
    var startTime: UInt64

    /// Starts `argv` detached from the caller, logging to `logPath`.
    static func start(_ argv: [String], logPath: String) throws -> HostProcess {
        let pid = try Subprocess.spawnDetached(argv, logPath: logPath)
        // The child is ours until reaped, so its stat is there even if it already exited.
        guard let stat = ProcStat.read(pid) else {
            throw LabError.fileSystem(path: "/proc/\(pid)/stat", reason: "the process just started is missing")
        }
        return HostProcess(pid: pid, startTime: stat.startTime)
    }

    /// The same process still exists and has not exited. Reaps it when it is
    /// the caller's own exited child.
    var isRunning: Bool {
        guard let stat = ProcStat.read(pid), stat.startTime == startTime else { return false }
        if stat.hasExited {
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
            return false
        }
        return true
    }

    /// The host's PID 1 as this machine numbers it (the child of `unshare`).
    func namespaceInit(in table: [ProcStat]) -> pid_t? {
        table.first(where: { $0.parent == pid && !$0.hasExited })?.pid
    }

    /// Stops the processes, gently first: SIGTERM to each host's PID 1 (and to
    /// `unshare`), then, for those still running after `gracePeriod` seconds,
    /// SIGKILL. Returns the processes still running after that.
    static func stop(_ processes: [HostProcess], gracePeriod: Double = 3, killPeriod: Double = 5) -> [HostProcess] {
        var running = processes.filter(\.isRunning)
        if running.isEmpty { return [] }
        signal(running, SIGTERM)
        running = waitUntilExited(running, seconds: gracePeriod)
        if running.isEmpty { return [] }
        signal(running, SIGKILL)
        return waitUntilExited(running, seconds: killPeriod)
    }

    private static func signal(_ processes: [HostProcess], _ signal: Int32) {
        let table = ProcStat.all()
        for process in processes {
            for child in table where child.parent == process.pid && !child.hasExited {
                kill(child.pid, signal)
            }
            kill(process.pid, signal)
        }
    }

    /// Polls /proc until every process has exited or the time is up, and
    /// returns those still running.
    private static func waitUntilExited(_ processes: [HostProcess], seconds: Double) -> [HostProcess] {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var running = processes
        var pause: UInt32 = 1_000
        while true {
            running = running.filter(\.isRunning)
            if running.isEmpty || ContinuousClock.now >= deadline { return running }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }
}
