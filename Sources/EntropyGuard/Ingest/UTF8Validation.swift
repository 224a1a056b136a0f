/// Strict UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF),
/// with an 8-bytes-at-a-time fast path for ASCII runs, which are most of a typical record.
public enum UTF8Validation {
    /// The offset of the first byte of the first invalid sequence, or `nil` if `bytes` is valid UTF-8.
    public static func firstInvalidOffset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidOffset($0) }
    }

    /// The offset of the first byte of the first invalid sequence, or `nil` if valid.
    public static func firstInvalidOffset(_ buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let p = buffer.baseAddress else { return nil }
        let n = buffer.count
        var i = 0
        while i < n {
            // ASCII fast path: skip 8 bytes at a time, then straight to the first non-ASCII byte.
            while i + 8 <= n {
                let high = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080
                if high != 0 {
                    i += high.trailingZeroBitCount >> 3 // little-endian: the lowest byte comes first
                    break
                }
                i += 8
            }
            if i >= n { break }
            let b0 = p[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            guard let length = sequenceLength(p, i, n) else { return i }
            i += length
        }
        return nil
    }

    /// The length of the valid multi-byte sequence starting at `p[i]` (a byte >= 0x80), or `nil` if invalid.
    @inline(__always)
    static func sequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int? {
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF // allowed range of the second byte
        switch p[i] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0 // no overlong forms
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F // excludes UTF-16 surrogates
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F // nothing above U+10FFFF
        default: return nil
        }
        if i + length > n { return nil }
        let b1 = p[i + 1]
        if b1 < lower || b1 > upper { return nil }
        if length > 2 && p[i + 2] & 0xC0 != 0x80 { return nil }
        if length > 3 && p[i + 3] & 0xC0 != 0x80 { return nil }
        return length
    }
}

// The eight-bytes-at-a-time scans here and in JSONScanner find "the first byte" by the lowest set bit.
#if _endian(big)
#error("The SWAR byte scans assume a little-endian CPU")
#endif
