/// The PEM armour (RFC 7468, with RFC 1421 headers) around a key: the label
/// of its BEGIN line, its headers and its base64 body.
struct Armor {
    let label: String
    let headers: [String]
    let base64: String

    init?(_ text: String) {
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline)
            .map { $0.trimmingBlanks() }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            return nil
        }
        let label = String(lines[begin].dropFirst("-----BEGIN ".count).dropLast(5))
        guard let end = lines[begin...].firstIndex(of: "-----END \(label)-----") else { return nil }
        let inner = lines[(begin + 1)..<end]
        // Headers are "Name: value" lines before the body (RFC 1421 §4.4).
        let headers = inner.prefix { $0.contains(":") }
        self.label = label
        self.headers = headers.map { String($0) }
        self.base64 = inner.dropFirst(headers.count).joined()
    }

    var isEncryptedPEM: Bool {
        headers.contains { $0.filter { $0 != " " && $0 != "\t" } == "Proc-Type:4,ENCRYPTED" }
    }
}

/// Just enough DER (X.690) to read the algorithm of a PKCS#8 key:
/// SEQUENCE { INTEGER version, SEQUENCE { OBJECT IDENTIFIER algorithm, ... }, ... }.
enum DER {
    static func pkcs8KeyType(_ der: [UInt8]) -> String? {
        var offset = 0
        guard enter(0x30, der, &offset) != nil,  // PrivateKeyInfo
            skip(0x02, der, &offset),  // version
            enter(0x30, der, &offset) != nil,  // AlgorithmIdentifier
            let oid = enter(0x06, der, &offset)
        else { return nil }
        switch Array(der[oid]) {
        case [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]: return "rsa"  // 1.2.840.113549.1.1.1
        case [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]: return "ecdsa"  // 1.2.840.10045.2.1
        case [0x2A, 0x86, 0x48, 0xCE, 0x38, 0x04, 0x01]: return "dsa"  // 1.2.840.10040.4.1
        case [0x2B, 0x65, 0x70]: return "ed25519"  // 1.3.101.112
        default: return nil
        }
    }

    /// Reads the header of an element with `tag` at `offset` and moves past
    /// the header; returns the range of its contents.
    private static func enter(_ tag: UInt8, _ der: [UInt8], _ offset: inout Int) -> Range<Int>? {
        guard offset + 2 <= der.count, der[offset] == tag else { return nil }
        var length = Int(der[offset + 1])
        var start = offset + 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard (1...4).contains(count), start + count <= der.count else { return nil }
            length = der[start..<start + count].reduce(0) { $0 << 8 | Int($1) }
            start += count
        }
        guard start + length <= der.count else { return nil }
        offset = start
        return start..<start + length
    }

    private static func skip(_ tag: UInt8, _ der: [UInt8], _ offset: inout Int) -> Bool {
        guard let contents = enter(tag, der, &offset) else { return false }
        offset = contents.upperBound
        return true
    }
}
