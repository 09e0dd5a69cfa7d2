import Testing

@testable import TernSSH

/// Fingerprints agree with what `ssh-keygen -lf` prints for real keys.
@Suite struct FingerprintTests {
    @Test(arguments: [
        ("ed25519", nil), ("ecdsa", 256), ("ecdsa", 384), ("ecdsa", 521), ("rsa", 1024), ("dsa", nil),
    ] as [(String, Int?)])
    func matchesSSHKeygen(type: String, bits: Int?) throws {
        let directory = try TemporaryDirectory()
        let key = try generateKey(in: directory, name: "id_\(type)", type: type, bits: bits)
        // "256 SHA256:… id_ed25519@tern-test (ED25519)"
        let listed = try run("ssh-keygen", ["-l", "-E", "sha256", "-f", key + ".pub"]).stdout
        let expected = try #require(listed.split(separator: " ").dropFirst().first.map(String.init))
        #expect(Fingerprint.sha256(try hostKey(publicKeyFile: key + ".pub").blob) == expected)
    }

    @Test func hasNoPadding() {
        // 32 bytes of digest are 44 base64 characters with one '='; OpenSSH drops it.
        let fingerprint = Fingerprint.sha256([])
        #expect(fingerprint == "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")
    }
}
