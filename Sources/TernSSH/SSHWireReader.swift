/// Reads the SSH wire encoding (RFC 4251 §5) that key blobs and OpenSSH's
/// private key container use: `uint32` big-endian, and `string` as a uint32
/// length followed by that many bytes. Every read checks the bounds and
/// returns nil past the end, so a truncated or hostile file is an error, not
/// a crash.
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func readUInt32() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        let value = UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        offset += 4
        return value
    }

    mutating func readString() -> [UInt8]? {
        let start = offset
        guard let length = readUInt32(), Int(length) <= bytes.count - offset else {
            offset = start
            return nil
        }
        let value = Array(bytes[offset..<offset + Int(length)])
        offset += Int(length)
        return value
    }

    /// A string that must be UTF-8 text (key type names, cipher names).
    mutating func readText() -> String? {
        guard let bytes = readString() else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return Array(text.utf8) == bytes ? text : nil  // decoding replaced invalid UTF-8
    }

    /// The key type name at the start of a public key blob, e.g. "ssh-ed25519".
    static func keyType(ofBlob blob: [UInt8]) -> String? {
        var reader = SSHWireReader(blob)
        return reader.readText()
    }
}
