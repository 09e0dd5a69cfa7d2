import CLibSSH2
import TernEngine

#if canImport(Glibc)
import Glibc
#endif

/// Brings one connection from nothing to an authenticated session, in
/// non-blocking steps that the session thread interleaves with `poll()`:
///
/// 1. a socket: a non-blocking TCP connect (bounded by `connectTimeoutMillis`),
///    or, behind a jump host, a tunnel that the jump host's session thread
///    opens and hands over;
/// 2. the SSH handshake, with the host key algorithms ordered so that the
///    server presents a key type known_hosts holds for it (libssh2 prefers
///    ECDSA otherwise, and verification would say "unknown");
/// 3. host key verification against known_hosts (recording an unknown key
///    when `acceptNewHostKeys` is set);
/// 4. authentication (`SessionAuthenticator`).
///
/// Steps 2–4 share one deadline, `authTimeoutMillis` after the socket is up.
/// On failure everything made so far is freed and closed.
final class SessionHandshake {
    enum Advance {
        case pending
        case established(LiveSession)
        case failed(TransportError)
    }

    private enum Stage {
        case start
        case connecting(TCPConnect)
        case awaitingTunnel(ticket: UInt64)
        case handshaking
        case authenticating(SessionAuthenticator)
    }

    private let driver: SessionDriver
    private var settings: ConnectionSettings { driver.settings }
    private var stage = Stage.start
    private var io: SessionIO?
    private var session: OpaquePointer?
    private var knownHosts = KnownHosts.parse("", path: "")
    private var connectDeadline: Int64
    private var authDeadline = Int64.max
    private var immediateRetries = 0
    private var retrySoon = false

    /// What to wait for before the next step, besides the wake-up signal.
    private(set) var pollRequest: (fd: Int32, events: Int16)?

    /// The host key algorithms libssh2 1.10 can verify, in OpenSSH's order.
    private static let hostKeyAlgorithms = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
    ]

    init(driver: SessionDriver) {
        self.driver = driver
        connectDeadline = Monotonic.now() + Int64(driver.settings.connectTimeoutMillis)
    }

    /// When the loop should call `advance` again at the latest: the stage's
    /// deadline, or soon when libssh2 may hold unread data.
    var deadline: Int64 {
        switch stage {
        case .start, .connecting, .awaitingTunnel: connectDeadline
        case .handshaking, .authenticating: retrySoon ? min(authDeadline, Monotonic.now() + 10) : authDeadline
        }
    }

    /// libssh2 answered "would block" without having found the socket
    /// empty: what it needs may already sit in its own buffers, where
    /// `poll()` cannot see it. Calls again at once, a bounded number of
    /// times, then asks the loop to come back soon.
    private func shouldRetryAtOnce(_ io: SessionIO) -> Bool {
        if io.readArmed || io.failure != nil {
            immediateRetries = 0
            retrySoon = false
            return false
        }
        immediateRetries += 1
        if immediateRetries <= 32 { return true }
        immediateRetries = 0
        retrySoon = true
        return false
    }

    func advance() -> Advance {
        do throws(TransportError) {
            while true {
                let now = Monotonic.now()
                io?.flush()
                switch stage {
                case .start:
                    try start()

                case .connecting(let tcp):
                    switch tcp.advance() {
                    case .inProgress:
                        if now >= connectDeadline {
                            throw TransportError.unreachable(
                                host: settings.name,
                                reason: "\(endpoint): no answer within \(settings.connectTimeoutMillis) ms")
                        }
                        pollRequest = (tcp.fd, Int16(POLLOUT))
                        return .pending
                    case .connected(let fd):
                        Socket.configureTCP(fd, userTimeoutMillis: userTimeoutMillis)
                        try startSession(on: fd, isTCP: true)
                    case .failed(let message):
                        throw TransportError.unreachable(host: settings.name, reason: "\(endpoint): \(message)")
                    }

                case .awaitingTunnel(let ticket):
                    if let result = driver.takeTunnel(ticket) {
                        switch result {
                        case .success(let fd): try startSession(on: fd, isTCP: false)
                        case .failure(let error): throw error.reached(through: settings.name)
                        }
                    } else {
                        if now >= connectDeadline {
                            driver.abandonTunnel(ticket)
                            throw TransportError.unreachable(
                                host: settings.name,
                                reason: "\(endpoint): no tunnel through the jump host within \(settings.connectTimeoutMillis) ms")
                        }
                        pollRequest = nil
                        return .pending
                    }

                case .handshaking:
                    guard let session, let io else { throw lost("the session vanished") }
                    io.readArmed = false
                    switch LibSSH2.outcome(libssh2_session_handshake(session, io.fd), session: session, io: io) {
                    case .done:
                        try verifyHostKey(session)
                        stage = .authenticating(
                            SessionAuthenticator(
                                settings: settings, passphrases: driver.passphrases,
                                agentSocketPath: driver.agentSocketPath))
                    case .again:
                        if shouldRetryAtOnce(io) { continue }
                        if now >= authDeadline {
                            throw TransportError.timedOut(host: settings.name, what: "the SSH handshake", afterMillis: settings.authTimeoutMillis)
                        }
                        pollRequest = (io.fd, Int16(POLLIN) | (io.backlog > 0 ? Int16(POLLOUT) : 0))
                        return .pending
                    case .connectionLost(let reason), .failed(_, let reason):
                        throw TransportError.unreachable(host: settings.name, reason: "\(endpoint): SSH handshake failed: \(reason)")
                    }

                case .authenticating(let authenticator):
                    guard let session, let io else { throw lost("the session vanished") }
                    io.readArmed = false
                    switch authenticator.advance(session, io) {
                    case .authenticated:
                        authenticator.close()
                        if settings.keepaliveSeconds > 0 {
                            libssh2_keepalive_config(session, 0, UInt32(settings.keepaliveSeconds))
                        }
                        self.session = nil
                        self.io = nil
                        pollRequest = nil
                        return .established(LiveSession(session: session, io: io, hostName: settings.name))
                    case .pending:
                        if shouldRetryAtOnce(io) { continue }
                        if now >= authDeadline {
                            throw TransportError.timedOut(host: settings.name, what: "authentication", afterMillis: settings.authTimeoutMillis)
                        }
                        pollRequest = (io.fd, Int16(POLLIN) | (io.backlog > 0 ? Int16(POLLOUT) : 0))
                        return .pending
                    case .failed(let error):
                        throw error
                    }
                }
            }
        } catch {
            abort()
            return .failed(error)
        }
    }

    /// Frees whatever the handshake made; the loop calls it when it stops.
    func abort() {
        if case .connecting(let tcp) = stage { tcp.cancel() }
        if case .awaitingTunnel(let ticket) = stage { driver.abandonTunnel(ticket) }
        if case .authenticating(let authenticator) = stage { authenticator.close() }
        if let io {
            io.fail("connection attempt abandoned")
            if let session { _ = libssh2_session_free(session) }
            io.close()
        }
        session = nil
        io = nil
        stage = .start
        pollRequest = nil
    }

    private var endpoint: String {
        settings.hostName.contains(":") ? "[\(settings.hostName)]:\(settings.port)" : "\(settings.hostName):\(settings.port)"
    }

    /// Keepalives every `keepaliveSeconds` that stay unacknowledged for three
    /// intervals mean the peer is gone (like ssh's ServerAliveCountMax 3).
    private var userTimeoutMillis: Int {
        settings.keepaliveSeconds > 0 ? max(settings.keepaliveSeconds * 3, 10) * 1000 : 0
    }

    private func start() throws(TransportError) {
        switch driver.route {
        case .direct:
            do {
                stage = .connecting(try TCPConnect(host: settings.hostName, port: settings.port))
            } catch {
                throw TransportError.unreachable(host: settings.name, reason: error.message)
            }
        case .through(let jump):
            let ticket = driver.expectTunnel()
            let tunnel = TunnelOperation(
                to: settings.hostName, port: settings.port, jumpName: jump.settings.name, deadline: connectDeadline)
            let receiver = driver
            tunnel.completion = { result in receiver.tunnelArrived(ticket, result) }
            jump.submit(tunnel)
            stage = .awaitingTunnel(ticket: ticket)
        }
    }

    private func startSession(on fd: Int32, isTCP: Bool) throws(TransportError) {
        let io = SessionIO(fd: fd, isTCP: isTCP)
        self.io = io
        guard let session = libssh2_session_init_ex(nil, nil, nil, Unmanaged.passUnretained(io).toOpaque()) else {
            throw TransportError.other(host: settings.name, reason: "libssh2 could not create a session")
        }
        self.session = session
        io.attach(to: session)
        libssh2_session_set_blocking(session, 0)
        do {
            knownHosts = try KnownHosts.load(settings.knownHostsFiles)
        } catch {
            throw TransportError.other(host: settings.name, reason: "known_hosts: \(error)")
        }
        let known = knownHosts.keyTypes(host: settings.hostName, port: settings.port).filter(Self.hostKeyAlgorithms.contains)
        let preference = known + Self.hostKeyAlgorithms.filter { !known.contains($0) }
        _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, preference.joined(separator: ","))
        authDeadline = Monotonic.now() + Int64(settings.authTimeoutMillis)
        stage = .handshaking
    }

    private func verifyHostKey(_ session: OpaquePointer) throws(TransportError) {
        var length = 0
        var type: Int32 = 0
        guard let raw = libssh2_session_hostkey(session, &length, &type), length > 0 else {
            throw TransportError.other(host: settings.name, reason: "the server sent no host key")
        }
        let blob = Array(UnsafeRawBufferPointer(start: raw, count: length))
        let key = HostKey(type: SSHWireReader.keyType(ofBlob: blob) ?? "unknown", blob: blob)
        let fingerprint = Fingerprint.sha256(blob)
        switch knownHosts.verify(host: settings.hostName, port: settings.port, key: key) {
        case .match:
            return
        case .mismatch(let expected):
            throw TransportError.hostKeyMismatch(host: settings.name, keyType: key.type, expected: expected, actual: fingerprint)
        case .unknown:
            let recorded = knownHosts.keyTypes(host: settings.hostName, port: settings.port)
            if !recorded.isEmpty {
                // The host is known by other key types, none of which the
                // server offered: as suspicious as a changed key.
                throw TransportError.hostKeyMismatch(
                    host: settings.name, keyType: key.type,
                    expected: "no \(key.type) key (only \(recorded.joined(separator: ", ")))", actual: fingerprint)
            }
            guard settings.acceptNewHostKeys else {
                throw TransportError.unknownHostKey(host: settings.name, keyType: key.type, fingerprint: fingerprint)
            }
            if let file = settings.knownHostsFiles.first {
                do {
                    try KnownHosts.append(host: settings.hostName, port: settings.port, key: key, to: file)
                } catch {
                    throw TransportError.other(host: settings.name, reason: "\(error)")
                }
            }
        }
    }

    private func lost(_ reason: String) -> TransportError {
        .unreachable(host: settings.name, reason: reason)
    }
}
