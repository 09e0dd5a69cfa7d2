import Glibc

/// The fields of /proc/PID/stat that the lab needs.
///
/// A process is known by its pid *and* its start time, so a pid the kernel
/// has since given to another process is never mistaken for a lab host.
struct ProcStat: Sendable, Hashable {
    var pid: pid_t
    /// R, S, D, Z (zombie: exited, not yet reaped), X, ...
    var state: Character
    var parent: pid_t
    /// Clock ticks after boot (field 22).
    var startTime: UInt64

    /// Exited: a zombie waits only for its parent to reap it.
    var hasExited: Bool { state == "Z" || state == "X" }

    /// Parses one stat line. The command name is in parentheses and may itself
    /// hold spaces and parentheses, so the fields are counted from the last ")".
    init?(line: String) {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"),
              let pidField = line[..<open].split(separator: " ").first, let pid = pid_t(pidField) else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field N is fields[N - 3].
        guard fields.count > 19, let state = fields[0].first, let parent = pid_t(fields[1]),
              let startTime = UInt64(fields[19]) else { return nil }
        self.pid = pid
        self.state = state
        self.parent = parent
        self.startTime = startTime
    }

    /// The process's stat now, or nil when there is no such process.
    static func read(_ pid: pid_t) -> ProcStat? {
        FileSystem.read("/proc/\(pid)/stat").flatMap { ProcStat(line: $0) }
    }

    /// Every process's stat now.
    static func all() -> [ProcStat] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var result: [ProcStat] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if let pid = pid_t(name), let stat = read(pid) { result.append(stat) }
        }
        return result
    }
}
