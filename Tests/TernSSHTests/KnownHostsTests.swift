import Foundation
import Testing

@testable import TernSSH

/// known_hosts: which lines apply to a host, and what they say about the key
/// it presents.
@Suite struct KnownHostsTests {
    static let edA = fakeKey("ssh-ed25519", seed: 1)
    static let edB = fakeKey("ssh-ed25519", seed: 2)
    static let ecdsa = fakeKey("ecdsa-sha2-nistp256", seed: 3)

    /// A verdict, as a word and the line it rests on, to keep the table short.
    enum Expect: Hashable, CustomStringConvertible {
        case match(line: Int)
        case mismatch(lines: [Int])
        case revoked(line: Int)
        case unknown

        var description: String {
            switch self {
            case .match(let line): "match at \(line)"
            case .mismatch(let lines): "mismatch with \(lines)"
            case .revoked(let line): "revoked at \(line)"
            case .unknown: "unknown"
            }
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let file: String
        let host: String
        let port: Int
        let key: HostKey
        let expected: Expect

        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "a plain entry matches its host", file: "web1 \(edA.knownHostsText)", host: "web1", port: 22,
            key: edA, expected: .match(line: 1)),
        Case(
            label: "any name of a comma-separated list", file: "web1,127.0.0.1 \(edA.knownHostsText)",
            host: "127.0.0.1", port: 22, key: edA, expected: .match(line: 1)),
        Case(
            label: "the same type with another key is a mismatch", file: "web1 \(edA.knownHostsText)", host: "web1",
            port: 22, key: edB, expected: .mismatch(lines: [1])),
        Case(
            label: "another type is unknown", file: "web1 \(edA.knownHostsText)", host: "web1", port: 22,
            key: ecdsa, expected: .unknown),
        Case(
            label: "another host is unknown", file: "web1 \(edA.knownHostsText)", host: "web2", port: 22, key: edA,
            expected: .unknown),
        Case(
            label: "a port other than 22 is written [host]:port", file: "[web1]:2222 \(edA.knownHostsText)",
            host: "web1", port: 2222, key: edA, expected: .match(line: 1)),
        Case(
            label: "a [host]:port entry is not the host on port 22", file: "[web1]:2222 \(edA.knownHostsText)",
            host: "web1", port: 22, key: edA, expected: .unknown),
        Case(
            label: "a plain entry is only port 22", file: "web1 \(edA.knownHostsText)", host: "web1", port: 2222,
            key: edA, expected: .unknown),
        Case(
            label: "wildcards", file: "*.example.com \(edA.knownHostsText)", host: "db.example.com", port: 22,
            key: edA, expected: .match(line: 1)),
        Case(
            label: "wildcards within [host]:port", file: "[127.0.0.?]:2200 \(edA.knownHostsText)",
            host: "127.0.0.7", port: 2200, key: edA, expected: .match(line: 1)),
        Case(
            label: "a negated pattern excludes a host", file: "*.example.com,!bad.example.com \(edA.knownHostsText)",
            host: "bad.example.com", port: 22, key: edA, expected: .unknown),
        Case(
            label: "host names compare without case", file: "Web1.Example.COM \(edA.knownHostsText)",
            host: "WEB1.example.com", port: 22, key: edA, expected: .match(line: 1)),
        Case(
            label: "any of several keys of the type may match",
            file: "web1 \(edB.knownHostsText)\nweb1 \(edA.knownHostsText)", host: "web1", port: 22, key: edA,
            expected: .match(line: 2)),
        Case(
            label: "a mismatch lists every recorded key of the type",
            file: "web1 \(edA.knownHostsText)\nweb1 \(ecdsa.knownHostsText)\n*1 \(edB.knownHostsText)", host: "web1",
            port: 22, key: fakeKey("ssh-ed25519", seed: 9), expected: .mismatch(lines: [1, 3])),
        Case(
            label: "a revoked key is refused although another line accepts it",
            file: "web1 \(edA.knownHostsText)\n@revoked * \(edA.knownHostsText)", host: "web1", port: 22, key: edA,
            expected: .revoked(line: 2)),
        Case(
            label: "revocation is of one key only",
            file: "web1 \(edB.knownHostsText)\n@revoked * \(edA.knownHostsText)", host: "web1", port: 22, key: edB,
            expected: .match(line: 1)),
        Case(
            label: "certificate authorities are not host keys",
            file: "@cert-authority *.example.com \(edA.knownHostsText)", host: "a.example.com", port: 22, key: edA,
            expected: .unknown),
        Case(
            label: "CRLF line ends", file: "# written on Windows\r\nweb1 \(edA.knownHostsText)\r\n", host: "web1",
            port: 22, key: edA, expected: .match(line: 2)),
        Case(
            label: "comments, blank lines and unreadable lines are skipped",
            file: """
                # a comment

                   # indented comment
                web1 ssh-ed25519 not-base64!
                web1 ssh-ed25519
                web1 1024 35 1234567890
                @unknown-marker web1 \(edA.knownHostsText)
                web1 ssh-rsa \(edA.knownHostsText.split(separator: " ")[1])
                \tweb1 \(edA.knownHostsText) trailing comment
                """,
            host: "web1", port: 22, key: edA, expected: .match(line: 9)),
    ]

    @Test(arguments: cases)
    func verdicts(_ test: Case) {
        let knownHosts = KnownHosts.parse(test.file, path: "known_hosts")
        let check = knownHosts.check(host: test.host, port: test.port, key: test.key)
        let actual: Expect =
            switch check {
            case .match(let place): .match(line: place.line)
            case .mismatch(let expected): .mismatch(lines: expected.map(\.place.line))
            case .revoked(let place): .revoked(line: place.line)
            case .unknown: .unknown
            }
        #expect(actual == test.expected)
    }

    @Test func verifyReportsTheExpectedFingerprintOrWhyItRefuses() {
        let knownHosts = KnownHosts.parse(
            "web1 \(Self.edA.knownHostsText)\n@revoked web2 \(Self.edB.knownHostsText)", path: "/k")
        #expect(knownHosts.verify(host: "web1", port: 22, key: Self.edA) == .match)
        #expect(
            knownHosts.verify(host: "web1", port: 22, key: Self.edB)
                == .mismatch(expectedFingerprint: Fingerprint.sha256(Self.edA.blob)))
        #expect(knownHosts.verify(host: "web1", port: 22, key: Self.ecdsa) == .unknown)
        guard case .mismatch(let reason) = knownHosts.verify(host: "web2", port: 22, key: Self.edB) else {
            Issue.record("a revoked key must be refused")
            return
        }
        #expect(reason == "none (\(Fingerprint.sha256(Self.edB.blob)) is marked @revoked at /k:2)")
    }

    @Test(arguments: [
        ("web1", 22, ["ssh-ed25519", "ecdsa-sha2-nistp256"]),
        ("web1", 2222, ["ssh-rsa"]),
        ("web2", 22, ["ecdsa-sha2-nistp256"]),
        ("other", 22, []),
    ])
    func keyTypesInFileOrderWithoutRepeats(host: String, port: Int, expected: [String]) {
        let knownHosts = KnownHosts.parse(
            """
            web1 \(Self.edA.knownHostsText)
            web1,web2 \(Self.ecdsa.knownHostsText)
            web1 \(Self.edB.knownHostsText)
            @revoked web1 \(fakeKey("ssh-dss", seed: 4).knownHostsText)
            @cert-authority web1 \(fakeKey("ecdsa-sha2-nistp384", seed: 5).knownHostsText)
            [web1]:2222 \(fakeKey("ssh-rsa", seed: 6).knownHostsText)
            """, path: "known_hosts")
        #expect(knownHosts.keyTypes(host: host, port: port) == expected)
    }

    /// Hashed entries as OpenSSH writes them: `ssh-keygen -H` rewrites a
    /// plain file, and every host must still be found, and only those hosts.
    @Test func hashedEntriesFromSSHKeygen() throws {
        let directory = try TemporaryDirectory()
        let ed25519 = try hostKey(publicKeyFile: generateKey(in: directory, name: "ed", type: "ed25519") + ".pub")
        let ecdsa = try hostKey(publicKeyFile: generateKey(in: directory, name: "ec", type: "ecdsa") + ".pub")
        let path = try directory.write(
            "known_hosts",
            """
            web1 \(ed25519.knownHostsText)
            [web2.example.com]:2222 \(ed25519.knownHostsText)
            127.0.0.7,db \(ecdsa.knownHostsText)

            """)
        try run("ssh-keygen", ["-H", "-f", path])
        let hashed = try directory.read("known_hosts")
        #expect(!hashed.contains("web1") && !hashed.contains("web2") && !hashed.contains("127.0.0.7"))
        #expect(hashed.split(separator: "\n").allSatisfy { $0.hasPrefix("|1|") })

        let knownHosts = try KnownHosts.load([path])
        #expect(knownHosts.verify(host: "web1", port: 22, key: ed25519) == .match)
        #expect(knownHosts.verify(host: "WEB1", port: 22, key: ed25519) == .match)
        #expect(knownHosts.verify(host: "web2.example.com", port: 2222, key: ed25519) == .match)
        #expect(knownHosts.verify(host: "web2.example.com", port: 22, key: ed25519) == .unknown)
        #expect(knownHosts.verify(host: "127.0.0.7", port: 22, key: ecdsa) == .match)
        #expect(knownHosts.verify(host: "db", port: 22, key: ecdsa) == .match)
        #expect(knownHosts.verify(host: "web3", port: 22, key: ed25519) == .unknown)
        #expect(
            knownHosts.verify(host: "db", port: 22, key: fakeKey("ecdsa-sha2-nistp256", seed: 7))
                == .mismatch(expectedFingerprint: Fingerprint.sha256(ecdsa.blob)))
        #expect(knownHosts.keyTypes(host: "db", port: 22) == ["ecdsa-sha2-nistp256"])
    }

    @Test func loadReadsFilesInOrderAndSkipsMissingOnes() throws {
        let directory = try TemporaryDirectory()
        let first = try directory.write("first", "web1 \(Self.edA.knownHostsText)\n")
        let second = try directory.write("second", "web2 \(Self.edB.knownHostsText)\n")
        let knownHosts = try KnownHosts.load([first, directory.file("missing"), second])
        #expect(knownHosts.verify(host: "web1", port: 22, key: Self.edA) == .match)
        #expect(knownHosts.check(host: "web2", port: 22, key: Self.edB) == .match(at: .init(path: second, line: 1)))
    }

    @Test func loadFailsOnAnUnreadableFile() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file("dir"), withIntermediateDirectories: true)
        #expect(throws: KnownHostsError.self) { try KnownHosts.load([directory.file("dir")]) }
    }

    /// Recording a key creates the file and its directory privately, writes
    /// one plain line per key, and the keys are then verified — by Tern and
    /// by `ssh-keygen -F`.
    @Test func appendThenVerify() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("home/.ssh/known_hosts")
        let key = try hostKey(publicKeyFile: generateKey(in: directory, name: "host", type: "ed25519") + ".pub")

        try KnownHosts.append(host: "Web1.example.com", port: 22, key: key, to: path)
        try KnownHosts.append(host: "127.0.0.9", port: 2200, key: Self.ecdsa, to: path)

        #expect(try directory.read("home/.ssh/known_hosts") == """
            web1.example.com \(key.knownHostsText)
            [127.0.0.9]:2200 \(Self.ecdsa.knownHostsText)

            """)
        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let directoryMode =
            try FileManager.default.attributesOfItem(atPath: directory.file("home/.ssh"))[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(directoryMode == 0o700)

        let knownHosts = try KnownHosts.load([path])
        #expect(knownHosts.verify(host: "web1.example.com", port: 22, key: key) == .match)
        #expect(knownHosts.verify(host: "127.0.0.9", port: 2200, key: Self.ecdsa) == .match)
        #expect(try run("ssh-keygen", ["-F", "web1.example.com", "-f", path]).stdout.contains(key.knownHostsText))
        #expect(try run("ssh-keygen", ["-F", "[127.0.0.9]:2200", "-f", path]).stdout.contains("[127.0.0.9]:2200"))
    }

    @Test func appendStartsANewLineWhenTheFileLacksOne() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("known_hosts", "web1 \(Self.edA.knownHostsText)")
        try KnownHosts.append(host: "web2", port: 22, key: Self.edB, to: path)
        let expected = "web1 \(Self.edA.knownHostsText)\nweb2 \(Self.edB.knownHostsText)\n"
        #expect(try directory.read("known_hosts") == expected)
    }
}
