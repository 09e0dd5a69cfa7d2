/// Base64 (RFC 4648 §4: standard alphabet, `=` padding), for the `base64`
/// and `base64_decode` builtins: Kubernetes Secret data, keys in config files.
///
/// Decoding is strict, so that a value either is the canonical encoding of
/// some bytes or is an error pointing at the first bad character: no
/// URL-safe alphabet, no missing padding, no non-zero bits in the unused low
/// bits of the last character (RFC 4648 §3.5), and no whitespace, with one
/// exception: a single trailing `\n` is ignored, because the `base64` command
/// ends its output with one and such output is the usual input here. Output
/// that `base64` wrapped at 76 columns is rejected at the first inner line
/// break; produce it with `base64 -w0` instead.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The 6-bit value of each alphabet byte; 0xFF for every other byte.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    /// The base64 text of `bytes`, padded, on one line.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes that `text` encodes; see the type's documentation for what
    /// is accepted. Errors are on line 1 at the offending character.
    public static func decode(_ text: String) throws(DataError) -> [UInt8] {
        var input = Array(text.utf8)
        if input.last == UInt8(ascii: "\n") { input.removeLast() }
        let padding = input.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
        let dataEnd = input.count - padding

        for (offset, byte) in input.enumerated() where offset < dataEnd && values[Int(byte)] == 0xFF {
            throw error(byte == UInt8(ascii: "=") ? .misplacedPadding : .notBase64, in: text, at: offset)
        }
        guard input.count % 4 == 0 else { throw error(.badLength(input.count), in: text, at: input.count) }
        guard padding <= 2 else { throw error(.tooMuchPadding, in: text, at: dataEnd) }

        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in input[..<dataEnd] {
            accumulator = accumulator << 6 | UInt32(values[Int(byte)])
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // With 1 or 2 '=' there are 4 or 2 bits left over, which a canonical
        // encoder sets to zero.
        if accumulator & (1 << UInt32(bits) - 1) != 0 {
            throw error(.nonCanonical, in: text, at: dataEnd - 1)
        }
        return out
    }

    /// Everything `decode` can object to.
    private enum Problem {
        case notBase64, misplacedPadding, badLength(Int), tooMuchPadding, nonCanonical

        var message: String {
            switch self {
            case .notBase64:
                "not a base64 character; the standard alphabet is A-Z, a-z, 0-9, '+' and '/', with '=' padding"
            case .misplacedPadding: "'=' padding may only appear at the end"
            case .badLength(let count):
                "base64 text is \(count) characters long, not a multiple of 4: it is cut short or lacks '=' padding"
            case .tooMuchPadding: "base64 text ends in at most two '='"
            case .nonCanonical:
                "the last character before '=' has bits set that encode nothing; this is not canonical base64"
            }
        }
    }

    private static func error(_ problem: Problem, in text: String, at offset: Int) -> DataError {
        DataError(problem.message, in: text, at: offset)
    }
}
