import Testing

@testable import TernPlan

/// SHA-256 against the FIPS 180-4 example vectors and Python's hashlib.
@Suite struct SHA256Tests {
    static let nistVectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ]

    @Test(arguments: nistVectors)
    func matchesNISTVector(message: String, digest: String) {
        #expect(SHA256.hex(Array(message.utf8)) == digest)
    }

    @Test func hashesOneMillionAs() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(message) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every length around the padding boundaries (55, 56, 63, 64, 119, ...)
    /// agrees with Python's hashlib.
    @Test func agreesWithHashlibAtEveryLengthUpTo200() throws {
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let python = try PythonProcess.run(
            "import hashlib\nm = bytes((i * 7 + 3) % 256 for i in range(200))\n"
                + "for n in range(201): print(hashlib.sha256(m[:n]).hexdigest())",
            input: "")
        let expected = python.split(separator: "\n").map(String.init)
        #expect(expected.count == 201)
        for (n, digest) in expected.enumerated() {
            #expect(SHA256.hex(Array(message.prefix(n))) == digest, "length \(n)")
        }
    }

    @Test func digestIs32Bytes() {
        #expect(SHA256.digest(Array("abc".utf8)).prefix(4) == [0xba, 0x78, 0x16, 0xbf])
        #expect(SHA256.digest([]).count == 32)
    }
}
