// tern-ssh-bench: Tern's own SSHTransport on lab hosts, for bench/ssh_bench.py.
//
// Build:  swift build -c release --product tern-ssh-bench
// Usage:  tern-ssh-bench --ssh-config FILE --host NAME=ADDRESS [--host ...] MODE N
//   connect N     N fresh transports, each timed to the end of a first `true`
//                 on the first host ("first") and of a second one ("second");
//                 connect ≈ first − second.
//   latency N     one transport, 5 warm-up commands, then N sequential `true`
//                 on the first host, each timed.
//   throughput N  one transport, warmed up on every host, then:
//                 N `true` at once on the first host (3 rounds), and
//                 10 per host on every host at once (3 rounds).
// Output: one JSON object per line, times in microseconds.
//
// Settings come from the lab's ssh_config exactly as `tern --lab` builds
// them (SSHConfig.load + resolve), so the key, known_hosts and timeouts are
// the CLI's.

import Foundation
import TernEngine
import TernPlan
import TernSSH

struct BenchError: Error, CustomStringConvertible {
    let description: String
}

func nowMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}

func emit(_ fields: KeyValuePairs<String, Any>) {
    let body = fields.map { key, value -> String in
        switch value {
        case let s as String: "\"\(key)\":\"\(s)\""
        default: "\"\(key)\":\(value)"
        }
    }.joined(separator: ",")
    FileHandle.standardOutput.write(Data("{\(body)}\n".utf8))
}

struct Arguments {
    var sshConfig = ""
    var hosts: [PlanHost] = []
    var mode = ""
    var count = 0

    static func parse(_ argv: [String]) throws -> Arguments {
        var a = Arguments()
        var rest: [String] = []
        var i = 0
        while i < argv.count {
            switch argv[i] {
            case "--ssh-config":
                i += 1
                guard i < argv.count else { throw BenchError(description: "--ssh-config needs a file") }
                a.sshConfig = argv[i]
            case "--host":
                i += 1
                guard i < argv.count, let eq = argv[i].firstIndex(of: "=") else {
                    throw BenchError(description: "--host takes NAME=ADDRESS")
                }
                let name = String(argv[i][..<eq]), address = String(argv[i][argv[i].index(after: eq)...])
                a.hosts.append(PlanHost(name: name, address: address, port: 22, user: "root"))
            default:
                rest.append(argv[i])
            }
            i += 1
        }
        guard !a.sshConfig.isEmpty, !a.hosts.isEmpty, rest.count == 2, let n = Int(rest[1]), n > 0 else {
            throw BenchError(description: "usage: tern-ssh-bench --ssh-config FILE --host NAME=ADDRESS... connect|latency|throughput N")
        }
        a.mode = rest[0]
        a.count = n
        return a
    }
}

/// The CLI's settings for `--lab` (see Sources/tern/Connections.swift).
func makeSettings(configPath: String) throws -> @Sendable (PlanHost) -> ConnectionSettings {
    let config = try SSHConfig.load(path: configPath)
    let account = LocalAccount.current()
    let ssh = account.homeDirectory + "/.ssh"
    let defaults = ConnectionSettings(
        name: "", hostName: "", port: 22, user: account.userName,
        identityFiles: [ssh + "/id_ed25519", ssh + "/id_ecdsa", ssh + "/id_rsa"],
        connectTimeoutMillis: 10_000, knownHostsFiles: [ssh + "/known_hosts"])
    return { host in
        config.resolve(name: host.name, address: host.address, port: host.port, user: host.user, defaults: defaults)
    }
}

@discardableResult
func runTrue(_ transport: SSHTransport, on host: PlanHost) async throws -> CommandResult {
    let result = try await transport.exec(CommandRequest("true"), on: host)
    guard result.succeeded else {
        throw BenchError(description: "\(host.name): true failed: rc=\(result.exitStatus) \(result.stderrText)")
    }
    return result
}

/// Runs `true` once per entry of `hosts`, all at once; the wall time in µs.
func concurrently(_ transport: SSHTransport, _ hosts: [PlanHost]) async throws -> Int64 {
    let t0 = nowMicros()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for host in hosts {
            group.addTask { try await runTrue(transport, on: host) }
        }
        try await group.waitForAll()
    }
    return nowMicros() - t0
}

func benchConnect(_ args: Arguments, _ settings: @escaping @Sendable (PlanHost) -> ConnectionSettings) async throws {
    let host = args.hosts[0]
    for i in 0..<args.count {
        let transport = SSHTransport(settings: settings)
        let t0 = nowMicros()
        try await runTrue(transport, on: host)
        let t1 = nowMicros()
        try await runTrue(transport, on: host)
        let t2 = nowMicros()
        await transport.shutdown()
        emit(["mode": "connect", "i": i, "first_us": t1 - t0, "second_us": t2 - t1])
    }
}

func benchLatency(_ args: Arguments, _ settings: @escaping @Sendable (PlanHost) -> ConnectionSettings) async throws {
    let host = args.hosts[0]
    let transport = SSHTransport(settings: settings)
    for _ in 0..<5 { try await runTrue(transport, on: host) }
    for i in 0..<args.count {
        let t0 = nowMicros()
        try await runTrue(transport, on: host)
        emit(["mode": "latency", "i": i, "us": nowMicros() - t0])
    }
    await transport.shutdown()
}

func benchThroughput(_ args: Arguments, _ settings: @escaping @Sendable (PlanHost) -> ConnectionSettings) async throws {
    let transport = SSHTransport(settings: settings)
    // Every session up and warm before timing.
    _ = try await concurrently(transport, args.hosts)
    _ = try await concurrently(transport, Array(repeating: args.hosts[0], count: 10))
    for round in 0..<3 {
        let us = try await concurrently(transport, Array(repeating: args.hosts[0], count: args.count))
        emit(["mode": "throughput", "shape": "one-host", "round": round, "commands": args.count, "total_us": us])
    }
    let spread = args.hosts.flatMap { Array(repeating: $0, count: 10) }
    for round in 0..<3 {
        let us = try await concurrently(transport, spread)
        emit(["mode": "throughput", "shape": "all-hosts", "round": round, "commands": spread.count, "hosts": args.hosts.count, "total_us": us])
    }
    await transport.shutdown()
}

do {
    let args = try Arguments.parse(Array(CommandLine.arguments.dropFirst()))
    let settings = try makeSettings(configPath: args.sshConfig)
    switch args.mode {
    case "connect": try await benchConnect(args, settings)
    case "latency": try await benchLatency(args, settings)
    case "throughput": try await benchThroughput(args, settings)
    default: throw BenchError(description: "unknown mode \(args.mode)")
    }
} catch {
    FileHandle.standardError.write(Data("tern-ssh-bench: \(error)\n".utf8))
    exit(1)
}
