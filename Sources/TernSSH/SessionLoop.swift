import CLibSSH2
import TernEngine

#if canImport(Glibc)
import Glibc
#endif

/// The event loop of one session thread: connect when there is work,
/// advance every operation in non-blocking steps, sleep in `poll()`.
///
/// Each turn of the loop takes new operations from the driver's inbox, then
/// either advances the connection attempt (`SessionHandshake`) or *sweeps*
/// the operations of the live session: every operation takes a step, and
/// the sweep repeats while any made progress or bytes arrived. Repeating
/// matters because a step of one channel may read packets that belong to
/// others into libssh2's buffers, where `poll()` cannot see them; only when
/// a whole sweep changes nothing is it safe to sleep. Then `poll()` waits on
/// the session socket (readable when the last read drained it, writable when
/// unsent bytes wait), the wake-up eventfd, the descriptors of tunnels, and
/// the nearest deadline or keepalive.
///
/// Operations wait in `waiting` until a connection exists and a channel is
/// free (`SessionDriver.maxChannels`), then run in `active`. When the
/// connection breaks, operations that already reached the server fail with
/// `.connectionLost`; the others wait for the next connection, which the
/// loop opens as soon as any operation waits. A connection that cannot be
/// made fails every waiting operation with its reason.
final class SessionLoop {
    private let driver: SessionDriver

    private enum Connection {
        case idle
        case connecting(SessionHandshake)
        case connected(LiveSession)
    }

    private var connection = Connection.idle
    private var waiting: [SessionOperation] = []
    private var active: [SessionOperation] = []
    /// The socket reported a hang-up while operations were active: they get
    /// one sweep to read what arrived before it, then the session is lost.
    private var hangupSeen = false

    /// Sweeps per turn before the loop polls (with no wait) to take in new
    /// operations: a stream of data must not starve the inbox.
    private static let sweepsPerTurn = 16

    init(driver: SessionDriver) {
        self.driver = driver
    }

    func run() {
        LibSSH2.ensureInitialized()
        while true {
            let (arrivals, stop) = driver.takeArrivals()
            waiting += arrivals
            if stop { break }
            let busy = advance()
            wait(busy: busy)
        }
        closeAll()
    }

    // MARK: Advancing

    /// One turn of work; true when more is ready without waiting.
    private func advance() -> Bool {
        expireDeadlines(now: Monotonic.now())
        switch connection {
        case .idle:
            guard !waiting.isEmpty else { return false }
            connection = .connecting(SessionHandshake(driver: driver))
            return advance()
        case .connecting(let handshake):
            switch handshake.advance() {
            case .pending:
                return false
            case .established(let live):
                connection = .connected(live)
                return sweep(live)
            case .failed(let error):
                connection = .idle
                let failed = waiting
                waiting = []
                for operation in failed { operation.failUnstarted(error) }
                return false
            }
        case .connected(let live):
            let busy = sweep(live)
            if hangupSeen, case .connected = connection {
                live.io.fail("the server closed the connection")
                lose(live)
                return false
            }
            return busy
        }
    }

    /// Steps every active operation until a whole pass changes nothing.
    private func sweep(_ live: LiveSession) -> Bool {
        for _ in 0..<Self.sweepsPerTurn {
            admit()
            let received = live.io.bytesReceived
            var progressed = false
            var index = 0
            while index < active.count {
                switch active[index].step(live) {
                case .idle:
                    index += 1
                case .progressed:
                    progressed = true
                    index += 1
                case .finished:
                    active.remove(at: index)
                    progressed = true
                case .connectionLost(let reason):
                    live.io.fail(reason)
                    lose(live)
                    return false
                }
            }
            if live.io.failure != nil {
                lose(live)
                return false
            }
            live.io.flush()
            if !progressed && live.io.bytesReceived == received { return false }
        }
        return true
    }

    /// Moves waiting operations to `active` while channels are free.
    private func admit() {
        for operation in active where !operation.followUps.isEmpty {
            waiting += operation.followUps
            operation.followUps = []
        }
        var used = active.reduce(0) { $0 + ($1.countsTowardChannelCap ? 1 : 0) }
        while let next = waiting.first, !next.countsTowardChannelCap || used < driver.maxChannels {
            waiting.removeFirst()
            active.append(next)
            if next.countsTowardChannelCap { used += 1 }
        }
    }

    private func expireDeadlines(now: Int64) {
        waiting.removeAll { operation in
            let cancelled = operation.isCancelRequested
            guard cancelled || (operation.deadline.map { $0 <= now } ?? false) else { return false }
            // It never reached the session: nothing to release.
            operation.expireOnce(cancelled: cancelled)
            return true
        }
        for operation in active where !operation.hasExpired && operation.deadlineApplies {
            let cancelled = operation.isCancelRequested
            if cancelled || (operation.deadline.map { $0 <= now } ?? false) {
                operation.expireOnce(cancelled: cancelled)
            }
        }
    }

    /// The connection broke: fail what reached the server, keep the rest
    /// for the next connection, free the session.
    private func lose(_ live: LiveSession) {
        let reason = live.io.failure ?? "the connection broke"
        var retry: [SessionOperation] = []
        for operation in active where operation.connectionLost(reason) == .retry {
            retry.append(operation)
        }
        active = []
        live.close(reason: reason)
        waiting = retry + waiting
        connection = .idle
        hangupSeen = false
    }

    // MARK: Waiting

    private func wait(busy: Bool) {
        let now = Monotonic.now()
        var timeout: Int64 = busy ? 0 : -1
        func until(_ moment: Int64) {
            let millis = max(0, moment - now)
            timeout = timeout < 0 ? millis : min(timeout, millis)
        }

        var fds = [pollfd(fd: driver.wake.fd, events: Int16(POLLIN), revents: 0)]
        var sessionIndex: Int?
        switch connection {
        case .idle:
            // Operations kept for the next connection after a loss: connect now.
            if !waiting.isEmpty { timeout = 0 }
        case .connecting(let handshake):
            if let request = handshake.pollRequest {
                fds.append(pollfd(fd: request.fd, events: request.events, revents: 0))
            }
            until(handshake.deadline)
        case .connected(let live):
            var events = Socket.pollPeerClosed
            if live.io.readArmed { events |= Int16(POLLIN) }
            if live.io.backlog > 0 { events |= Int16(POLLOUT) }
            sessionIndex = fds.count
            fds.append(pollfd(fd: live.io.fd, events: events, revents: 0))
            for operation in active { operation.addPollDescriptors(to: &fds) }
            var secondsToNext: Int32 = 0
            if libssh2_keepalive_send(live.session, &secondsToNext) == 0 && secondsToNext > 0 {
                until(now + Int64(secondsToNext) * 1000)
            }
            live.io.flush()
            // Operations wait for data, but the socket was not read dry:
            // look again soon rather than trust a POLLIN that will not come.
            if !active.isEmpty && !live.io.readArmed { until(now + 20) }
        }
        for operation in waiting where !operation.hasExpired {
            if let deadline = operation.deadline { until(deadline) }
        }
        for operation in active where !operation.hasExpired && operation.deadlineApplies {
            if let deadline = operation.deadline { until(deadline) }
        }

        let ready = poll(&fds, nfds_t(fds.count), Int32(clamping: timeout))
        guard ready > 0 else { return }
        if fds[0].revents != 0 { driver.wake.drain() }
        if let sessionIndex, case .connected(let live) = connection {
            let revents = fds[sessionIndex].revents
            if revents & Int16(POLLOUT) != 0 { live.io.flush() }
            if revents & Int16(POLLIN) != 0 { live.io.readArmed = false }
            let hungUp = revents & (Int16(POLLHUP | POLLERR) | Socket.pollPeerClosed) != 0
            if active.isEmpty {
                // Nobody reads an idle session: find out whether it ended.
                if hungUp {
                    if !live.io.peerHasClosed() { live.io.fail("the server closed the connection") }
                    lose(live)
                } else if revents & Int16(POLLIN) != 0 && live.io.peerHasClosed() {
                    lose(live)
                }
            } else if hungUp {
                hangupSeen = true
            }
        }
    }

    // MARK: Stopping

    private func closeAll() {
        let error = TransportError.shutDown(host: driver.settings.name)
        for operation in waiting { operation.failUnstarted(error) }
        waiting = []
        switch connection {
        case .idle:
            break
        case .connecting(let handshake):
            handshake.abort()
        case .connected(let live):
            for operation in active where operation.connectionLost("the SSH transport was shut down") == .retry {
                operation.failUnstarted(error)
            }
            live.close(reason: "the SSH transport was shut down")
        }
        active = []
        connection = .idle
    }
}
