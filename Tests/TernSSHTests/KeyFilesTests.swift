import Foundation
import Testing

@testable import TernSSH

/// Private keys as `ssh-keygen` writes them, in each container it knows,
/// with and without a passphrase.
@Suite struct KeyFilesTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let type: String
        var bits: Int?
        /// `-m`: nil for OpenSSH's own format, "PEM" or "PKCS8".
        var format: String?
        let passphrase: String
        /// The first line of the file, to show which container it is.
        let armor: String
        let expectedType: String

        var testDescription: String {
            "\(type) \(format ?? "OpenSSH") \(passphrase.isEmpty ? "plain" : "encrypted")"
        }
    }

    static let cases: [Case] = [
        Case(type: "ed25519", passphrase: "", armor: "OPENSSH PRIVATE KEY", expectedType: "ed25519"),
        Case(type: "ed25519", passphrase: "secret", armor: "OPENSSH PRIVATE KEY", expectedType: "ed25519"),
        Case(type: "ecdsa", passphrase: "", armor: "OPENSSH PRIVATE KEY", expectedType: "ecdsa"),
        Case(type: "ecdsa", bits: 384, passphrase: "secret", armor: "OPENSSH PRIVATE KEY", expectedType: "ecdsa"),
        Case(type: "rsa", bits: 1024, passphrase: "", armor: "OPENSSH PRIVATE KEY", expectedType: "rsa"),
        Case(type: "rsa", bits: 1024, passphrase: "secret", armor: "OPENSSH PRIVATE KEY", expectedType: "rsa"),
        Case(type: "dsa", passphrase: "", armor: "OPENSSH PRIVATE KEY", expectedType: "dsa"),
        Case(type: "rsa", bits: 1024, format: "PEM", passphrase: "", armor: "RSA PRIVATE KEY", expectedType: "rsa"),
        Case(
            type: "rsa", bits: 1024, format: "PEM", passphrase: "secret", armor: "RSA PRIVATE KEY",
            expectedType: "rsa"),
        Case(type: "ecdsa", format: "PEM", passphrase: "", armor: "EC PRIVATE KEY", expectedType: "ecdsa"),
        Case(type: "ecdsa", format: "PEM", passphrase: "secret", armor: "EC PRIVATE KEY", expectedType: "ecdsa"),
        Case(type: "dsa", format: "PEM", passphrase: "", armor: "DSA PRIVATE KEY", expectedType: "dsa"),
        Case(type: "rsa", bits: 1024, format: "PKCS8", passphrase: "", armor: "PRIVATE KEY", expectedType: "rsa"),
        Case(type: "ecdsa", format: "PKCS8", passphrase: "", armor: "PRIVATE KEY", expectedType: "ecdsa"),
        // The encrypted PKCS#8 container hides the type: it comes from the .pub file.
        Case(
            type: "rsa", bits: 1024, format: "PKCS8", passphrase: "secret", armor: "ENCRYPTED PRIVATE KEY",
            expectedType: "rsa"),
        Case(
            type: "ecdsa", format: "PKCS8", passphrase: "secret", armor: "ENCRYPTED PRIVATE KEY",
            expectedType: "ecdsa"),
    ]

    @Test(arguments: cases)
    func inspectsGeneratedKeys(_ test: Case) throws {
        let directory = try TemporaryDirectory()
        let path = try generateKey(
            in: directory, name: "key", type: test.type, bits: test.bits, format: test.format,
            passphrase: test.passphrase)
        let firstLine = try String(contentsOfFile: path, encoding: .utf8).prefix { $0 != "\n" }
        #expect(firstLine == "-----BEGIN \(test.armor)-----")

        let info = try KeyFiles.inspect(path: path)
        #expect(info.type == test.expectedType)
        #expect(info.encrypted == !test.passphrase.isEmpty)
        #expect(info.publicKeyPath == path + ".pub")
    }

    @Test func withoutAPublicKeyFile() throws {
        let directory = try TemporaryDirectory()
        let plain = try generateKey(in: directory, name: "plain", type: "ed25519")
        let hidden = try generateKey(
            in: directory, name: "hidden", type: "ecdsa", format: "PKCS8", passphrase: "secret")
        try FileManager.default.removeItem(atPath: plain + ".pub")
        try FileManager.default.removeItem(atPath: hidden + ".pub")

        let plainInfo = try KeyFiles.inspect(path: plain)
        let hiddenInfo = try KeyFiles.inspect(path: hidden)
        #expect(plainInfo == PrivateKeyInfo(type: "ed25519", encrypted: false, publicKeyPath: nil))
        #expect(hiddenInfo == PrivateKeyInfo(type: "unknown", encrypted: true, publicKeyPath: nil))
    }

    @Test(arguments: [
        ("missing", nil, "no such file"),
        ("public.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== me@host\n", "is a public key"),
        ("putty.ppk", "PuTTY-User-Key-File-2: ssh-ed25519\n", "is a PuTTY key"),
        ("notes.txt", "hello\n", "is not a private key file"),
        ("cert.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "holds a 'CERTIFICATE'"),
        // Only the magic: the container stops before the cipher name.
        ("cut.key", openSSHArmor("b3BlbnNzaC1rZXktdjEA"), "is not a valid OpenSSH private key"),
        ("bad64.key", openSSHArmor("!!!!"), "has a damaged key body"),
    ] as [(String, String?, String)])
    func refusesWhatIsNotAUsablePrivateKey(name: String, content: String?, message: String) throws {
        let directory = try TemporaryDirectory()
        if let content { try directory.write(name, content) }
        let error = try #require(throws: KeyFileError.self) { try KeyFiles.inspect(path: directory.file(name)) }
        #expect(error.path == directory.file(name))
        #expect(error.message.hasPrefix(message), "\(error)")
    }

    @Test func rsaMessageSaysWhyAndWhatToDo() {
        let message = KeyFiles.rsaUnsupportedMessage
        let phrases = [
            "libssh2 1.10", "ssh-rsa", "SHA-1", "OpenSSH 8.8", "ssh-keygen -t ed25519", "ECDSA",
            "PubkeyAcceptedAlgorithms +ssh-rsa", "weaker security",
        ]
        for phrase in phrases {
            #expect(message.contains(phrase), "missing: \(phrase)")
        }
    }

    @Test(arguments: [
        ("ssh-ed25519", "ed25519"), ("ecdsa-sha2-nistp256", "ecdsa"), ("ecdsa-sha2-nistp521", "ecdsa"),
        ("ssh-rsa", "rsa"), ("ssh-dss", "dsa"), ("sk-ssh-ed25519@openssh.com", "ed25519-sk"),
    ])
    func shortNames(keyType: String, short: String) {
        #expect(KeyFiles.shortName(keyType) == short)
    }
}

/// An OpenSSH private key file around `body`.
private func openSSHArmor(_ body: String) -> String {
    "-----BEGIN OPENSSH PRIVATE KEY-----\n\(body)\n-----END OPENSSH PRIVATE KEY-----\n"
}
