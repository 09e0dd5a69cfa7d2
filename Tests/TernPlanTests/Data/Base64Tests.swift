import Testing

@testable import TernPlan

/// Base64 with the standard alphabet and padding; strict decoding.
@Suite struct Base64Tests {
    /// RFC 4648 §10, plus bytes that use '+' and '/'.
    static let vectors: [([UInt8], String)] = [
        ([], ""),
        (Array("f".utf8), "Zg=="),
        (Array("fo".utf8), "Zm8="),
        (Array("foo".utf8), "Zm9v"),
        (Array("foob".utf8), "Zm9vYg=="),
        (Array("fooba".utf8), "Zm9vYmE="),
        (Array("foobar".utf8), "Zm9vYmFy"),
        ([0xFB, 0xFF, 0xBF], "+/+/"),
        ([0x00, 0x00, 0x00, 0xFF], "AAAA/w=="),
    ]

    @Test(arguments: vectors)
    func encodesAndDecodes(bytes: [UInt8], text: String) throws {
        #expect(Base64.encode(bytes) == text)
        #expect(try Base64.decode(text) == bytes)
    }

    @Test func ignoresOneTrailingNewlineAsTheBase64CommandWritesIt() throws {
        #expect(try Base64.decode("Zm9vYmFy\n") == Array("foobar".utf8))
        #expect(try Base64.decode("\n") == [])
    }

    @Test func roundTripsEveryLengthAndByte() throws {
        for length in 0...70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ length) }
            #expect(try Base64.decode(Base64.encode(bytes)) == bytes)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(try Base64.decode(Base64.encode(all)) == all)
    }

    /// text, message fragment, column of the offending character (line 1).
    static let errors: [(String, String, Int)] = [
        ("Zg=", "not a multiple of 4", 4),
        ("Zm9vY", "not a multiple of 4", 6),
        ("Zm 9v", "not a base64 character", 3),
        ("Zm9v\n\n", "not a base64 character", 5),
        ("Zm9v\r\n", "not a base64 character", 5),
        ("Zm\n9v", "not a base64 character", 3),
        ("Zm-v", "not a base64 character", 3),
        ("Zm_v", "not a base64 character", 3),
        ("Zmé=", "not a base64 character", 3),
        ("=Zm9", "'=' padding may only appear at the end", 1),
        ("Zg==Zg==", "'=' padding may only appear at the end", 3),
        ("Z===", "at most two '='", 2),
        ("====", "at most two '='", 1),
        ("Zh==", "not canonical", 2),
        ("Zm9=", "not canonical", 3),
    ]

    @Test(arguments: errors)
    func rejects(text: String, fragment: String, column: Int) {
        #expect {
            try Base64.decode(text)
        } throws: { error in
            guard let e = error as? DataError else { return false }
            return e.message.contains(fragment) && e.line == 1 && e.column == column
        }
    }
}
