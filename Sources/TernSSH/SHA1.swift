/// SHA-1 (FIPS 180-4 §6.1) and HMAC-SHA1 (RFC 2104), for hashed
/// known_hosts entries only: OpenSSH writes `|1|salt|hash` where hash is
/// HMAC-SHA1 of the host name keyed with the salt. SHA-1 is broken for
/// collision resistance, which does not matter here: the hash only hides host
/// names, and the format is OpenSSH's, not ours to choose.
///
/// The algorithm follows `SHA256` in TernPlan: pad the message with a 1 bit,
/// zeros and its 64-bit big-endian bit length to a multiple of 512 bits; then
/// for each block expand 16 words into 80 and run 80 rounds over five 32-bit
/// working variables, adding the result into the hash state.
enum SHA1 {
    static let blockSize = 64

    /// The 20-byte digest of `bytes`.
    static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var state: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        var message = bytes
        let bitLength = UInt64(bytes.count) &* 8
        message.append(0x80)
        while message.count % blockSize != 56 { message.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        var w = [UInt32](repeating: 0, count: 80)
        for block in stride(from: 0, to: message.count, by: blockSize) {
            compress(message, at: block, into: &state, schedule: &w)
        }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        for word in state {
            out += [UInt8(word >> 24), UInt8(word >> 16 & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word & 0xFF)]
        }
        return out
    }

    /// HMAC-SHA1 of `message` under `key`: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)),
    /// where a key longer than a block is first replaced by its digest.
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > blockSize ? digest(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = digest(block.map { $0 ^ 0x36 } + message)
        return digest(block.map { $0 ^ 0x5C } + inner)
    }

    private static func compress(
        _ message: [UInt8], at start: Int, into state: inout [UInt32], schedule w: inout [UInt32]
    ) {
        for t in 0..<16 {
            let j = start + 4 * t
            w[t] = UInt32(message[j]) << 24 | UInt32(message[j + 1]) << 16
                | UInt32(message[j + 2]) << 8 | UInt32(message[j + 3])
        }
        for t in 16..<80 {
            w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1)
        }
        var a = state[0], b = state[1], c = state[2], d = state[3], e = state[4]
        for t in 0..<80 {
            let f: UInt32
            let k: UInt32
            switch t {
            case 0..<20:
                f = (b & c) | (~b & d)
                k = 0x5A82_7999
            case 20..<40:
                f = b ^ c ^ d
                k = 0x6ED9_EBA1
            case 40..<60:
                f = (b & c) | (b & d) | (c & d)
                k = 0x8F1B_BCDC
            default:
                f = b ^ c ^ d
                k = 0xCA62_C1D6
            }
            let temp = rotl(a, 5) &+ f &+ e &+ k &+ w[t]
            e = d
            d = c
            c = rotl(b, 30)
            b = a
            a = temp
        }
        state[0] &+= a
        state[1] &+= b
        state[2] &+= c
        state[3] &+= d
        state[4] &+= e
    }

    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 {
        x << n | x >> (32 - n)
    }
}
