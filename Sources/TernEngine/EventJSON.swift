import TernPlan

/// The JSON forms of a run's events (`--json`, one object per line) and of
/// its summary. Every text in them comes from redacted reports.
public enum EventJSON {
    public static func runStarted(mode: EngineMode, playbook: String, hosts: [String], nodes: Int, logDirectory: String?) -> String {
        line([
            PlanEntry("event", .string("run_started")), PlanEntry("mode", .string(mode.rawValue)),
            PlanEntry("playbook", .string(playbook)), PlanEntry("hosts", .list(hosts.map(PlanValue.string))),
            PlanEntry("nodes", .int(nodes)), PlanEntry("log_dir", logDirectory.map(PlanValue.string) ?? .null),
        ])
    }

    public static func event(_ e: EngineEvent) -> String {
        switch e {
        case .nodeStarted(_, let ref, let t):
            return line([
                PlanEntry("event", .string("node_started")), PlanEntry("step", .string(ref.step)),
                PlanEntry("host", .string(ref.host)), PlanEntry("t_ms", .int(t)),
            ])
        case .nodeFinished(let r):
            return line([PlanEntry("event", .string("node_finished"))] + node(r))
        }
    }

    public static func runFinished(_ report: RunReport, hosts: [PlanHost], exitStatus: Int32) -> String {
        line([PlanEntry("event", .string("run_finished"))] + summaryEntries(report, hosts: hosts) + [PlanEntry("exit_status", .int(Int(exitStatus)))])
    }

    /// The run log's `summary.json`: everything `--rerun-failed` needs.
    public static func summary(_ report: RunReport, hosts: [PlanHost], playbook: String) -> String {
        let entries = [PlanEntry("playbook", .string(playbook))] + summaryEntries(report, hosts: hosts)
            + [PlanEntry("nodes", .list(report.nodes.compactMap { $0.map { .map(node($0)) } }))]
        return ((try? JSONCodec.encode(.map(entries), pretty: true)) ?? "{}") + "\n"
    }

    static func summaryEntries(_ report: RunReport, hosts: [PlanHost]) -> [PlanEntry] {
        [
            PlanEntry("mode", .string(report.mode.rawValue)),
            PlanEntry("duration_ms", .int(report.durationMillis)),
            PlanEntry("remote_commands", .int(report.remoteCommands)),
            PlanEntry("interrupted", .bool(report.interrupted)),
            PlanEntry(
                "recap",
                .map(report.recap(hosts: hosts).map { h in
                    PlanEntry(h.host, .map([
                        PlanEntry("ok", .int(h.counts.ok)), PlanEntry("changed", .int(h.counts.changed)),
                        PlanEntry("failed", .int(h.counts.failed)), PlanEntry("skipped", .int(h.counts.skipped)),
                        PlanEntry("unreachable", .int(h.counts.unreachable)), PlanEntry("cancelled", .int(h.counts.cancelled)),
                    ]))
                })),
        ]
    }

    static func node(_ r: NodeReport) -> [PlanEntry] {
        [
            PlanEntry("step", .string(r.ref.step)), PlanEntry("host", .string(r.ref.host)),
            PlanEntry("status", .string(r.status.key)), PlanEntry("reason", r.status.reason.map(PlanValue.string) ?? .null),
            PlanEntry("start_ms", .int(r.startMillis)), PlanEntry("duration_ms", .int(r.durationMillis)),
            PlanEntry(
                "actions",
                .list(r.actions.map { a in
                    .map([
                        PlanEntry("label", .string(a.label)), PlanEntry("status", .string(a.status.rawValue)),
                        PlanEntry("message", a.message.map(PlanValue.string) ?? .null),
                        PlanEntry("diff", a.diff.map(PlanValue.string) ?? .null),
                    ])
                })),
        ]
    }

    static func line(_ entries: [PlanEntry]) -> String {
        (try? JSONCodec.encode(.map(entries), pretty: false)) ?? "{}"
    }
}
