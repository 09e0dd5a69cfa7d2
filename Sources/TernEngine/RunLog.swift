import Foundation
import TernPlan

/// The folder every run writes: each node's full commands and output in
/// `hosts/HOST.log` (one section per node, in the order they finished), and
/// `summary.json` at the end. `BASE/last-apply` and
/// `BASE/last-plan` point at the newest run of each kind; `--rerun-failed`
/// reads `last-apply`.
public final class RunLog: @unchecked Sendable {
    public let directory: String
    let base: String
    /// Node logs are written here, off the walker's path; `finish` waits
    /// for them.
    private let queue = DispatchQueue(label: "tern.runlog")

    /// Open log files by host; used on `queue` only.
    nonisolated(unsafe) private var files: [String: Int32] = [:]

    /// Creates `BASE/YYYYMMDD-HHMMSS-MODE[-N]/hosts`.
    public init(base: String, mode: EngineMode, now: Date = Date()) throws {
        self.base = base
        let stem = "\(base)/\(Self.stamp(now))-\(mode.rawValue)"
        let fm = FileManager.default
        var dir = stem
        var n = 1
        while fm.fileExists(atPath: dir) {
            n += 1
            dir = "\(stem)-\(n)"
        }
        try fm.createDirectory(atPath: dir + "/hosts", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        directory = dir
    }

    /// YYYYMMDD-HHMMSS in UTC, without a DateFormatter (which loads ICU's
    /// locale data: megabytes of memory for a file name).
    static func stamp(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))-\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))"
    }

    /// Appends one node's section to its host's log: every command with its
    /// status, time and output. One file per host, not per node: creating
    /// files is what costs, and a run over 100 hosts finishes 1,000 nodes.
    public func write(_ r: NodeReport) {
        let path = "\(directory)/hosts/\(Self.fileName(r.ref.host)).log"
        queue.async { [self] in
            let fd: Int32
            if let open = files[path] {
                fd = open
            } else {
                fd = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
                guard fd >= 0 else { return }
                files[path] = fd
            }
            Self.writeAll(fd, Self.text(r))
        }
    }

    static func text(_ r: NodeReport) -> String {
        var text = "### \(r.ref.step) on \(r.ref.host): \(r.status.word)"
        if let reason = r.status.reason { text += " — \(reason)" }
        text += "\nstarted at +\(r.startMillis) ms, took \(r.durationMillis) ms\n"
        for a in r.actions {
            text += "\n== \(a.label): \(a.status.rawValue)\(a.message.map { " — " + $0 } ?? "")\n"
            for c in a.commands {
                let end = c.signal.map { "signal \($0)" } ?? "status \(c.exitStatus)"
                text += "-- \(c.role.rawValue) (\(end), \(c.durationMillis) ms): \(c.command)\n"
                if !c.stdout.isEmpty { text += "stdout:\n" + c.stdout + (c.stdout.hasSuffix("\n") ? "" : "\n") }
                if !c.stderr.isEmpty { text += "stderr:\n" + c.stderr + (c.stderr.hasSuffix("\n") ? "" : "\n") }
            }
            if let d = a.diff { text += "diff:\n" + d }
        }
        return text + "\n"
    }

    /// A plain write: the log is for reading after the run, and a partial
    /// log after a crash is better than none.
    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Writes `summary.json` and points `BASE/last-MODE` at this run.
    public func finish(_ report: RunReport, hosts: [PlanHost], playbook: String) throws {
        queue.sync {
            for fd in files.values { close(fd) }
            files = [:]
        }
        let json = EventJSON.summary(report, hosts: hosts, playbook: playbook)
        try Data(json.utf8).write(to: URL(fileURLWithPath: directory + "/summary.json"), options: .atomic)
        let link = base + "/last-" + report.mode.rawValue
        let fm = FileManager.default
        let temporary = base + "/.last-\(getpid())"
        try? fm.removeItem(atPath: temporary)
        try fm.createSymbolicLink(atPath: temporary, withDestinationPath: (directory as NSString).lastPathComponent)
        if rename(temporary, link) != 0 { throw CocoaError(.fileWriteUnknown) }
    }

    static func fileName(_ host: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
        let name = String(host.map { allowed.contains($0) ? $0 : "_" })
        return name.hasPrefix(".") ? "_" + name : name
    }

    /// The node statuses (by `NodeStatus.key`) of the newest apply under `base`.
    public static func lastStatuses(base: String) throws -> (playbook: String, statuses: [NodeRef: String]) {
        let path = base + "/last-apply/summary.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunLogError("no earlier run to re-run: \(path) does not exist")
        }
        let value: PlanValue
        do {
            value = try JSONCodec.decode(String(decoding: data, as: UTF8.self))
        } catch {
            throw RunLogError("\(path): not a run summary: \(error)")
        }
        guard case .map(let top) = value, case .list(let nodes)? = top.first(where: { $0.key == "nodes" })?.value else {
            throw RunLogError("\(path): not a run summary")
        }
        var playbook = ""
        if case .string(let p)? = top.first(where: { $0.key == "playbook" })?.value { playbook = p }
        var out: [NodeRef: String] = [:]
        for case .map(let n) in nodes {
            func text(_ k: String) -> String? {
                if case .string(let s)? = n.first(where: { $0.key == k })?.value { s } else { nil }
            }
            guard let step = text("step"), let host = text("host"), let status = text("status") else { continue }
            out[NodeRef(step: step, host: host)] = status
        }
        return (playbook, out)
    }
}

public struct RunLogError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
