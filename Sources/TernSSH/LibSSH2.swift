import CLibSSH2

/// Process-wide facts about libssh2 1.10: its one-time setup and how to read
/// its return codes.
///
/// In non-blocking mode almost every call can answer `LIBSSH2_ERROR_EAGAIN`,
/// which means "call me again with the same arguments when the socket is
/// ready". Everything else is either success or an error whose text
/// `libssh2_session_last_error` holds; `Outcome` sorts a return code into
/// those three, and further into errors that mean the connection itself is
/// gone (every operation on the session fails) and errors of one operation.
enum LibSSH2 {
    /// `libssh2_init` is not thread-safe: a static's initializer runs exactly
    /// once, on whichever thread gets there first, before any session exists.
    private static let initialized: Int32 = libssh2_init(0)

    static func ensureInitialized() {
        _ = initialized
    }

    /// What one libssh2 return code means for the caller.
    enum Outcome: Equatable {
        case done
        /// Would block: repeat the same call when the socket is ready.
        case again
        /// The connection is unusable; every operation on it has failed.
        case connectionLost(String)
        /// This operation failed; the session is still good.
        case failed(code: Int32, message: String)
    }

    /// Sorts `rc` (a return code, or `libssh2_session_last_errno` after a
    /// NULL return) for `session`, whose socket state `io` tracks.
    static func outcome(_ rc: Int32, session: OpaquePointer, io: SessionIO) -> Outcome {
        if rc >= 0 { return .done }
        if rc == LIBSSH2_ERROR_EAGAIN {
            // A dead socket makes libssh2 report EAGAIN in a few paths (its
            // own recv wrapper maps some errors); trust the socket instead.
            if let failure = io.failure { return .connectionLost(failure) }
            return .again
        }
        let message = lastErrorMessage(session)
        if let failure = io.failure { return .connectionLost(failure) }
        if isConnectionError(rc) { return .connectionLost(message.isEmpty ? errorName(rc) : message) }
        return .failed(code: rc, message: message.isEmpty ? errorName(rc) : message)
    }

    /// The text of the session's last error.
    static func lastErrorMessage(_ session: OpaquePointer) -> String {
        var text: UnsafeMutablePointer<CChar>? = nil
        var length: Int32 = 0
        _ = libssh2_session_last_error(session, &text, &length, 0)
        guard let text, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: Int(length)), as: UTF8.self)
    }

    /// Codes after which the transport is broken: socket errors, a failed
    /// key exchange, corrupted packets, a peer that disconnected.
    static func isConnectionError(_ rc: Int32) -> Bool {
        switch rc {
        case LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND,
            LIBSSH2_ERROR_INVALID_MAC, LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_SOCKET_SEND,
            LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE, LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_DECRYPT,
            LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_PROTO, LIBSSH2_ERROR_SOCKET_TIMEOUT,
            LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_ENCRYPT, LIBSSH2_ERROR_BAD_SOCKET:
            return true
        default:
            return false
        }
    }

    /// A readable name for a code whose message libssh2 left empty.
    static func errorName(_ rc: Int32) -> String {
        switch rc {
        case LIBSSH2_ERROR_SOCKET_SEND: "sending on the socket failed"
        case LIBSSH2_ERROR_SOCKET_RECV: "receiving from the socket failed"
        case LIBSSH2_ERROR_SOCKET_DISCONNECT: "the server disconnected"
        case LIBSSH2_ERROR_CHANNEL_FAILURE: "the server refused to open a channel"
        case LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED: "the server denied the channel request"
        case LIBSSH2_ERROR_CHANNEL_CLOSED: "the channel was closed"
        case LIBSSH2_ERROR_CHANNEL_EOF_SENT: "end of input was already sent"
        case LIBSSH2_ERROR_SFTP_PROTOCOL: "SFTP error"
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED: "the server refused the key"
        case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED: "the server could not verify the signature"
        case LIBSSH2_ERROR_FILE: "the key file could not be read (wrong passphrase?)"
        case LIBSSH2_ERROR_KEX_FAILURE: "key exchange failed (no common algorithm?)"
        default: "libssh2 error \(rc)"
        }
    }

    /// The names of the SFTP status codes (`libssh2_sftp_last_error`).
    static func sftpStatusText(_ status: UInt) -> String {
        switch status {
        case UInt(LIBSSH2_FX_EOF): "unexpected end of file"
        case UInt(LIBSSH2_FX_NO_SUCH_FILE): "no such file or directory"
        case UInt(LIBSSH2_FX_PERMISSION_DENIED): "permission denied"
        case UInt(LIBSSH2_FX_FAILURE): "the server reported a failure"
        case UInt(LIBSSH2_FX_BAD_MESSAGE): "bad SFTP message"
        case UInt(LIBSSH2_FX_NO_CONNECTION), UInt(LIBSSH2_FX_CONNECTION_LOST): "SFTP connection lost"
        case UInt(LIBSSH2_FX_OP_UNSUPPORTED): "operation not supported by the server"
        case UInt(LIBSSH2_FX_NO_SUCH_PATH): "no such path"
        case UInt(LIBSSH2_FX_FILE_ALREADY_EXISTS): "file already exists"
        case UInt(LIBSSH2_FX_WRITE_PROTECT): "write-protected"
        case UInt(LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM): "no space left on the file system"
        case UInt(LIBSSH2_FX_QUOTA_EXCEEDED): "quota exceeded"
        case UInt(LIBSSH2_FX_NOT_A_DIRECTORY): "not a directory"
        case UInt(LIBSSH2_FX_INVALID_FILENAME): "invalid file name"
        default: "SFTP status \(status)"
        }
    }
}
