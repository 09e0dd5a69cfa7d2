import Synchronization
import TernEngine
import TernPlan

/// The `Transport` over SSH: one persistent libssh2 session per host, many
/// commands on it at once, each on its own channel.
///
/// Sessions are made on first use and kept until `shutdown()`. Each is
/// driven by its own thread (see `SessionDriver`), so 200 hosts mean 200
/// small threads and no libssh2 call on Swift's cooperative pool; a session
/// runs up to `maxChannelsPerSession` commands and transfers at once and
/// queues the rest (sshd allows 100 channels per connection by default,
/// MaxSessions). A session that breaks is reopened by the next request.
///
/// Hosts behind jump hosts (`ConnectionSettings.jumps`) are reached through
/// `direct-tcpip` channels of the jump hosts' sessions, which are shared by
/// every host behind the same chain of jumps; each jump host's key is
/// verified like any host's.
///
/// `onOutput` callbacks run on the session's thread as output arrives: they
/// must return quickly.
public final class SSHTransport: Transport {
    public typealias PassphrasePrompt = @Sendable (_ keyPath: String) -> String?

    private let settingsFor: @Sendable (PlanHost) -> ConnectionSettings
    private let passphrases: Passphrases
    private let agentSocketPath: String?
    private let maxChannelsPerSession: Int
    private let drivers = Mutex<[Endpoint: SessionDriver]>([:])

    /// A session's identity: a host of the plan, or a chain of jump hosts.
    private enum Endpoint: Hashable {
        case host(PlanHost)
        case jumps([JumpHost])
    }

    /// - Parameters:
    ///   - maxChannelsPerSession: channels open at once on one session.
    ///   - passphrasePrompt: asked for the passphrase of an encrypted key
    ///     when `TERN_SSH_PASSPHRASE` is not set; once per key file. It runs
    ///     on a session thread and may block (read the terminal).
    ///   - agentSocketPath: the ssh-agent to ask; nil means `$SSH_AUTH_SOCK`.
    ///   - settings: how to reach each host (inventory + ssh config).
    public init(
        maxChannelsPerSession: Int = 64,
        passphrasePrompt: PassphrasePrompt? = nil,
        agentSocketPath: String? = nil,
        settings: @escaping @Sendable (PlanHost) -> ConnectionSettings
    ) {
        self.settingsFor = settings
        self.passphrases = Passphrases(prompt: passphrasePrompt)
        self.agentSocketPath = agentSocketPath
        self.maxChannelsPerSession = maxChannelsPerSession
    }

    deinit {
        for driver in drivers.withLock({ Array($0.values) }) { driver.requestStop() }
    }

    public func exec(_ request: CommandRequest, on host: PlanHost) async throws(TransportError) -> CommandResult {
        let driver = driver(for: host)
        let result = try await driver.perform(ExecOperation(request, hostName: driver.settings.name))
        if let user = request.become, BecomeFailure.needsPassword(result) {
            throw .becomeNeedsPassword(host: driver.settings.name, user: user)
        }
        return result
    }

    /// Whether a command run with `become` failed because `sudo -n` wanted
    /// a password (`exec` throws `.becomeNeedsPassword` then).
    public static func becomeNeedsPassword(_ result: CommandResult) -> Bool {
        BecomeFailure.needsPassword(result)
    }

    public func shutdown() async {
        let stopping = drivers.withLock { table in
            defer { table.removeAll() }
            return table
        }
        // Hosts first, then jump hosts from the innermost out, so that each
        // session can say goodbye through the tunnels it runs on.
        let order = stopping.sorted { a, b in Self.depth(a.key) > Self.depth(b.key) }
        var index = 0
        while index < order.count {
            let depth = Self.depth(order[index].key)
            var group: [SessionDriver] = []
            while index < order.count && Self.depth(order[index].key) == depth {
                group.append(order[index].value)
                index += 1
            }
            await withTaskGroup(of: Void.self) { tasks in
                for driver in group { tasks.addTask { await driver.stop() } }
            }
        }
    }

    private static func depth(_ endpoint: Endpoint) -> Int {
        switch endpoint {
        case .host: Int.max
        case .jumps(let chain): chain.count
        }
    }

    /// The session of `host`, made (with those of its jump hosts) if needed.
    func driver(for host: PlanHost) -> SessionDriver {
        if let existing = drivers.withLock({ $0[.host(host)] }) { return existing }
        let settings = settingsFor(host)
        return drivers.withLock { table in
            if let existing = table[.host(host)] { return existing }
            var route = Route.direct
            for index in settings.jumps.indices {
                let chain = Array(settings.jumps[...index])
                let hop: SessionDriver
                if let existing = table[.jumps(chain)] {
                    hop = existing
                } else {
                    hop = SessionDriver(
                        settings: Self.settings(ofJump: settings.jumps[index], for: settings), route: route,
                        passphrases: passphrases, agentSocketPath: agentSocketPath, maxChannels: maxChannelsPerSession)
                    table[.jumps(chain)] = hop
                }
                route = .through(hop)
            }
            let driver = SessionDriver(
                settings: settings, route: route, passphrases: passphrases, agentSocketPath: agentSocketPath,
                maxChannels: maxChannelsPerSession)
            table[.host(host)] = driver
            return driver
        }
    }

    /// A jump host's settings: its own address, user and keys (the target's
    /// keys when it names none); the target's known_hosts, agent and timeouts.
    static func settings(ofJump jump: JumpHost, for target: ConnectionSettings) -> ConnectionSettings {
        ConnectionSettings(
            name: "jump host \(jump.hostName):\(jump.port)", hostName: jump.hostName, port: jump.port, user: jump.user,
            identityFiles: jump.identityFiles.isEmpty ? target.identityFiles : jump.identityFiles,
            identitiesOnly: target.identitiesOnly, useAgent: target.useAgent, jumps: [],
            connectTimeoutMillis: target.connectTimeoutMillis, authTimeoutMillis: target.authTimeoutMillis,
            keepaliveSeconds: target.keepaliveSeconds, knownHostsFiles: target.knownHostsFiles,
            acceptNewHostKeys: target.acceptNewHostKeys)
    }
}
