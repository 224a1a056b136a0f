extension ParquetDecimal {
    /// The unscaled value as an Int64; nil when it does not fit.
    var unscaledInt64: Int64? { Int64(unscaled) }

    /// The unscaled value as big-endian two's complement in exactly `length` bytes (the reader's
    /// `init(bigEndianTwosComplement:)` in reverse), or in the fewest bytes that hold it when
    /// `length` is nil; nil when it does not fit or the text is not an integer.
    func bigEndianTwosComplement(length: Int?) -> [UInt8]? {
        let negative = unscaled.hasPrefix("-")
        let digits = negative ? unscaled.utf8.dropFirst() : unscaled.utf8[...]
        guard !digits.isEmpty else { return nil }
        // Magnitude in base 2^32, least significant limb first: times ten plus the digit, per digit.
        var limbs: [UInt32] = [0]
        for digit in digits {
            guard digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") else { return nil }
            var carry = UInt64(digit - UInt8(ascii: "0"))
            for i in limbs.indices {
                let v = UInt64(limbs[i]) * 10 + carry
                limbs[i] = UInt32(truncatingIfNeeded: v)
                carry = v >> 32
            }
            if carry > 0 { limbs.append(UInt32(carry)) }
        }
        // Big-endian magnitude bytes, then negated for a negative value.
        var bytes: [UInt8] = []
        for limb in limbs.reversed() {
            for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: limb >> UInt32(shift))) }
        }
        bytes.insert(0, at: 0)  // room for the sign bit
        if negative {
            var carry = 1
            for i in stride(from: bytes.count - 1, through: 0, by: -1) {
                let v = Int(~bytes[i]) + carry
                bytes[i] = UInt8(truncatingIfNeeded: v)
                carry = v >> 8
            }
        }
        // Drop leading bytes that only repeat the sign.
        var start = 0
        while start + 1 < bytes.count,
              (bytes[start] == 0 && bytes[start + 1] < 0x80) || (bytes[start] == 0xFF && bytes[start + 1] >= 0x80) {
            start += 1
        }
        let minimal = Array(bytes[start...])
        guard let length else { return minimal }
        guard minimal.count <= length else { return nil }
        return [UInt8](repeating: minimal[0] >= 0x80 ? 0xFF : 0, count: length - minimal.count) + minimal
    }
}
