import TernPlan

/// Key fingerprints as OpenSSH prints them (`ssh-keygen -lf`, the
/// "Host key verification failed" banner), so that what Tern reports can be
/// compared by eye with what `ssh` reported.
public enum Fingerprint {
    /// `SHA256:` and the unpadded base64 of the SHA-256 digest of a key blob
    /// (the base64-decoded second field of a known_hosts or `.pub` line).
    public static func sha256(_ blob: [UInt8]) -> String {
        var encoded = Base64.encode(SHA256.digest(blob))
        while encoded.hasSuffix("=") { encoded.removeLast() }
        return "SHA256:" + encoded
    }
}
