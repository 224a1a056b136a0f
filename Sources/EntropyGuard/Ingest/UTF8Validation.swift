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
            // ASCII fast path: 8 bytes with no high bit.
            while i + 8 <= n {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            if i >= n { break }
            let b0 = p[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF // allowed range of the second byte
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F // excludes UTF-16 surrogates
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            if i + length > n { return i }
            let b1 = p[i + 1]
            if b1 < lower || b1 > upper { return i }
            var k = 2
            while k < length {
                if p[i + k] & 0xC0 != 0x80 { return i }
                k += 1
            }
            i += length
        }
        return nil
    }
}
