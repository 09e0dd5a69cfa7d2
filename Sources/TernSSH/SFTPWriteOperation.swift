import CLibSSH2
import TernEngine

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
