import CLibSSH2

/// An authenticated libssh2 session and its socket.
///
/// Threading rule: a `LiveSession` — the `LIBSSH2_SESSION` pointer, every
/// channel and SFTP handle made from it, and its `SessionIO` — is created,
/// used and freed by one session thread only (`SessionLoop`). libssh2 is not
/// thread-safe per session; nothing here is locked because nothing here is
/// shared.
final class LiveSession {
    let session: OpaquePointer
    let io: SessionIO
    /// The inventory name, for messages.
    let hostName: String
    /// The operation whose channel open is in flight: libssh2 keeps the state
    /// of a channel open (and of `libssh2_sftp_init`) in the session, so only
    /// one may be in flight at a time.
    private var openSlotOwner: UInt64?
    /// Where operations read channel data before copying what arrived:
    /// one buffer per session instead of one allocation per read.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    init(session: OpaquePointer, io: SessionIO, hostName: String) {
        self.session = session
        self.io = io
        self.hostName = hostName
    }

    deinit {
        readBuffer.deallocate()
    }

    func acquireOpenSlot(_ id: UInt64) -> Bool {
        if openSlotOwner == nil { openSlotOwner = id }
        return openSlotOwner == id
    }

    func releaseOpenSlot(_ id: UInt64) {
        if openSlotOwner == id { openSlotOwner = nil }
    }

    func outcome(_ rc: Int32) -> LibSSH2.Outcome {
        LibSSH2.outcome(rc, session: session, io: io)
    }

    /// The outcome of a call that returned NULL (channel and SFTP opens).
    func outcomeOfNull() -> LibSSH2.Outcome {
        let rc = libssh2_session_last_errno(session)
        return LibSSH2.outcome(rc == 0 ? LIBSSH2_ERROR_SOCKET_NONE : rc, session: session, io: io)
    }

    /// Says goodbye if the socket still works, then frees the session and
    /// closes the socket. Channels still open are freed by libssh2; their
    /// operations must have dropped their pointers before.
    func close(reason: String) {
        if io.failure == nil {
            _ = libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, reason, "")
            io.flush()
        }
        // From here every send and receive fails at once, so libssh2 cannot
        // answer EAGAIN while it frees.
        io.fail(reason)
        var attempts = 0
        while libssh2_session_free(session) == LIBSSH2_ERROR_EAGAIN && attempts < 8 { attempts += 1 }
        io.close()
    }
}
