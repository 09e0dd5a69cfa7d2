import CLibSSH2
import TernEngine

/// A transfer of one file over its own SFTP channel: start SFTP, open the
/// file, move the bytes (`transfer`, in the subclass), close the file, shut
/// SFTP down.
///
/// Each transfer has its own SFTP instance because libssh2 keeps the state of
/// an SFTP request in the instance: two transfers sharing one could not be
/// interleaved in non-blocking mode. `libssh2_sftp_init` opens a channel,
/// so it takes the session's open slot like any channel open.
///
/// A failure answers the caller at once; the file is then closed (and, for
/// an upload, removed) and SFTP shut down in later steps.
class SFTPOperation<Value: Sendable>: ResultOperation<Value>, @unchecked Sendable {
    /// The remote file opened.
    let path: String
    /// The path messages name: an upload's destination, not its temporary file.
    let shownPath: String

    enum Progress {
        case pending(progressed: Bool)
        case complete
        case failed(String)
        case connectionLost(String)
    }

    private enum Phase: Int, Comparable {
        case queued, initializing, opening, transferring, closingFile, removingFile, shuttingDown, finished
        static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
    }

    // Session thread only, like every libssh2 pointer (see SessionOperation).
    private var phase = Phase.queued
    private(set) var sftp: OpaquePointer?
    private var handle: OpaquePointer?
    private var succeeded = false

    init(path: String, shownPath: String? = nil, hostName: String) {
        self.path = path
        self.shownPath = shownPath ?? path
        super.init(hostName: hostName, deadline: nil)
    }

    // MARK: What subclasses provide

    var openFlags: UInt { UInt(LIBSSH2_FXF_READ) }
    var openMode: Int { 0 }
    /// Moves bytes; called again until it completes or fails.
    func transfer(_ handle: OpaquePointer, _ live: LiveSession) -> Progress { .complete }
    /// The caller's answer after a complete transfer and a clean close.
    func value() -> Value? { nil }
    /// Whether to remove `path` after a failure (an upload's temporary file).
    var removesFileOnFailure: Bool { false }

    // MARK: Steps

    override var hasStarted: Bool { phase >= .opening }

    override func advance(_ live: LiveSession) -> StepResult {
        switch phase {
        case .queued:
            return leaveQueue(live, ended: { phase = .finished }, start: { phase = .initializing })

        case .initializing:
            guard let started = libssh2_sftp_init(live.session) else {
                switch live.outcomeOfNull() {
                case .again, .done: return .idle
                case .connectionLost(let reason): return .connectionLost(reason)
                case .failed(_, let message):
                    live.releaseOpenSlot(id)
                    report(.failure(.fileTransfer(host: hostName, path: shownPath, reason: "cannot start SFTP: \(message)")))
                    phase = .finished
                    return .finished
                }
            }
            live.releaseOpenSlot(id)
            sftp = started
            phase = hasReported ? .shuttingDown : .opening
            return .progressed

        case .opening:
            guard let sftp else { return vanished() }
            let opened = path.withCString { name in
                libssh2_sftp_open_ex(sftp, name, UInt32(path.utf8.count), openFlags, openMode, LIBSSH2_SFTP_OPENFILE)
            }
            guard let opened else {
                switch sftpOutcome(live.outcomeOfNull(), sftp) {
                case .pending: return .idle
                case .connectionLost(let reason): return .connectionLost(reason)
                case .failed(let reason):
                    report(.failure(.fileTransfer(host: hostName, path: shownPath, reason: reason)))
                    phase = .shuttingDown
                    return .progressed
                case .complete: return .idle
                }
            }
            handle = opened
            phase = hasReported ? .closingFile : .transferring
            return .progressed

        case .transferring:
            guard let handle else { return vanished() }
            switch transfer(handle, live) {
            case .pending(let progressed):
                return progressed ? .progressed : .idle
            case .complete:
                succeeded = true
                phase = .closingFile
                return .progressed
            case .failed(let reason):
                report(.failure(.fileTransfer(host: hostName, path: shownPath, reason: reason)))
                phase = .closingFile
                return .progressed
            case .connectionLost(let reason):
                return .connectionLost(reason)
            }

        case .closingFile:
            guard let handle, let sftp else { return vanished() }
            switch sftpOutcome(live.outcome(libssh2_sftp_close_handle(handle)), sftp) {
            case .pending: return .idle
            case .connectionLost(let reason): return .connectionLost(reason)
            case .failed(let reason):
                self.handle = nil
                if succeeded {
                    succeeded = false
                    report(.failure(.fileTransfer(host: hostName, path: shownPath, reason: "closing the file failed: \(reason)")))
                }
            case .complete:
                self.handle = nil
            }
            if succeeded, let value = value() {
                report(.success(value))
            }
            phase = !succeeded && removesFileOnFailure ? .removingFile : .shuttingDown
            return .progressed

        case .removingFile:
            guard let sftp else { return vanished() }
            let rc = path.withCString { name in libssh2_sftp_unlink_ex(sftp, name, UInt32(path.utf8.count)) }
            return settled(live.outcome(rc)) {
                phase = .shuttingDown
                return .progressed
            }

        case .shuttingDown:
            guard let sftp else { return vanished() }
            return settled(live.outcome(libssh2_sftp_shutdown(sftp))) {
                self.sftp = nil
                phase = .finished
                report(.failure(.fileTransfer(host: hostName, path: shownPath, reason: "the transfer ended without a result")))
                return .finished
            }

        case .finished:
            return .finished
        }
    }

    private func vanished() -> StepResult {
        phase = .finished
        report(.failure(.fileTransfer(host: hostName, path: shownPath, reason: "the SFTP channel vanished")))
        return .finished
    }

    /// Sorts a libssh2 outcome, reading the SFTP status behind an SFTP
    /// protocol error.
    func sftpOutcome(_ outcome: LibSSH2.Outcome, _ sftp: OpaquePointer) -> Progress {
        switch outcome {
        case .done: return .complete
        case .again: return .pending(progressed: false)
        case .connectionLost(let reason): return .connectionLost(reason)
        case .failed(let code, let message):
            if code == LIBSSH2_ERROR_SFTP_PROTOCOL {
                return .failed(LibSSH2.sftpStatusText(libssh2_sftp_last_error(sftp)))
            }
            return .failed(message)
        }
    }

    override func expire(cancelled: Bool) {
        report(.failure(.fileTransfer(host: hostName, path: shownPath, reason: cancelled ? "cancelled" : "timed out")))
        if phase == .transferring { phase = .closingFile }
    }

    override func connectionLost(_ reason: String) -> AfterConnectionLoss {
        // The SFTP instance is not freed with the session: shut it down now,
        // while every send and receive fails at once (no EAGAIN).
        if let sftp { _ = libssh2_sftp_shutdown(sftp) }
        sftp = nil
        handle = nil
        if !hasStarted && !hasReported && retries < 1 {
            retries += 1
            phase = .queued
            return .retry
        }
        phase = .finished
        report(.failure(.connectionLost(host: hostName, reason: reason)))
        return .drop
    }
}
