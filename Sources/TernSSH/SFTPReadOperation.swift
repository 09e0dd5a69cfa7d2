import CLibSSH2
import TernEngine

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
