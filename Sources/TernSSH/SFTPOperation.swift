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

    override func step(_ live: LiveSession) -> StepResult {
        if isCancelRequested { expireOnce(cancelled: true) }
        var progressed = false
        for _ in 0..<8 {
            let result = advance(live)
            switch result {
            case .progressed: progressed = true
            case .idle: return progressed ? .progressed : .idle
            case .finished, .connectionLost: return result
            }
        }
        return .progressed
    }

    private func advance(_ live: LiveSession) -> StepResult {
        switch phase {
        case .queued:
            if hasReported {
                phase = .finished
                return .finished
            }
            guard live.acquireOpenSlot(id) else { return .idle }
            phase = .initializing
            return .progressed

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
            switch live.outcome(rc) {
            case .again: return .idle
            case .connectionLost(let reason): return .connectionLost(reason)
            case .done, .failed:
                phase = .shuttingDown
                return .progressed
            }

        case .shuttingDown:
            guard let sftp else { return vanished() }
            switch live.outcome(libssh2_sftp_shutdown(sftp)) {
            case .again: return .idle
            case .connectionLost(let reason): return .connectionLost(reason)
            case .done, .failed:
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

/// Writes bytes to a new remote file, syncs it to disk (`fsync@openssh.com`)
/// and sets its mode; the caller then renames it into place.
final class SFTPWriteOperation: SFTPOperation<Void>, @unchecked Sendable {
    private let data: [UInt8]
    private let mode: Int
    private var offset = 0
    private var synced = false
    private var modeSet = false

    /// At most this much is handed to libssh2 at a time; it splits it into
    /// pipelined SFTP writes and keeps the packets until they are sent.
    private static let window = 1 << 20

    /// Writes `data` to `path`; messages name `destination`.
    init(data: [UInt8], path: String, destination: String, mode: Int, hostName: String) {
        self.data = data
        self.mode = mode
        super.init(path: path, shownPath: destination, hostName: hostName)
    }

    override var openFlags: UInt {
        UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC | LIBSSH2_FXF_EXCL)
    }
    override var openMode: Int { mode }
    override var removesFileOnFailure: Bool { true }
    override func value() -> Void? { () }

    override func transfer(_ handle: OpaquePointer, _ live: LiveSession) -> Progress {
        guard let sftp else { return .failed("the SFTP channel vanished") }
        var progressed = false
        // libssh2_sftp_write must be called again with the same bytes until
        // it reports them written; it returns how many the server acknowledged.
        while offset < data.count {
            guard live.io.canTakeBulk else { return .pending(progressed: progressed) }
            let written = data.withUnsafeBytes { bytes -> Int in
                guard let base = bytes.baseAddress else { return 0 }
                let count = min(bytes.count - offset, Self.window)
                return libssh2_sftp_write(handle, base.advanced(by: offset).assumingMemoryBound(to: CChar.self), count)
            }
            if written > 0 {
                offset += written
                progressed = true
                continue
            }
            switch sftpOutcome(live.outcome(Int32(clamping: written)), sftp) {
            case .pending, .complete: return .pending(progressed: progressed)
            case .failed(let reason): return .failed("writing failed: \(reason)")
            case .connectionLost(let reason): return .connectionLost(reason)
            }
        }
        if !synced {
            switch sftpOutcome(live.outcome(libssh2_sftp_fsync(handle)), sftp) {
            case .pending: return .pending(progressed: progressed)
            case .connectionLost(let reason): return .connectionLost(reason)
            case .failed(let reason):
                // A server without fsync@openssh.com still gets the file.
                if reason != LibSSH2.sftpStatusText(UInt(LIBSSH2_FX_OP_UNSUPPORTED)) {
                    return .failed("fsync failed: \(reason)")
                }
            case .complete: break
            }
            synced = true
        }
        if !modeSet {
            // The server's umask applied to the mode given at open.
            var attributes = LIBSSH2_SFTP_ATTRIBUTES()
            attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
            attributes.permissions = UInt(mode)
            switch sftpOutcome(live.outcome(libssh2_sftp_fstat_ex(handle, &attributes, 1)), sftp) {
            case .pending: return .pending(progressed: progressed)
            case .connectionLost(let reason): return .connectionLost(reason)
            case .failed(let reason): return .failed("setting the mode failed: \(reason)")
            case .complete: modeSet = true
            }
        }
        return .complete
    }
}

/// Reads a whole remote file.
final class SFTPReadOperation: SFTPOperation<[UInt8]>, @unchecked Sendable {
    private var contents: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)

    override func value() -> [UInt8]? { contents }

    override func transfer(_ handle: OpaquePointer, _ live: LiveSession) -> Progress {
        guard let sftp else { return .failed("the SFTP channel vanished") }
        var progressed = false
        var budget = 4 << 20
        while budget > 0 {
            let read = buffer.withUnsafeMutableBytes { bytes in
                libssh2_sftp_read(handle, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
            }
            if read > 0 {
                contents += buffer[0..<read]
                budget -= read
                progressed = true
                continue
            }
            if read == 0 { return .complete }
            switch sftpOutcome(live.outcome(Int32(clamping: read)), sftp) {
            case .pending, .complete: return .pending(progressed: progressed)
            case .failed(let reason): return .failed("reading failed: \(reason)")
            case .connectionLost(let reason): return .connectionLost(reason)
            }
        }
        return .pending(progressed: progressed)
    }
}
