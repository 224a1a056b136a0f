/// A DECIMAL value, exactly: its unscaled integer in decimal digits and its scale, so 123.45 is
/// `unscaled: "12345", scale: 2`. Kept as text because FIXED_LEN_BYTE_ARRAY decimals go up to 38
/// digits (and beyond), more than any Swift integer type holds.
public struct ParquetDecimal: Equatable, Sendable, CustomStringConvertible {
    /// The unscaled value, `-` then digits for a negative one, no leading zeros ("0" for zero).
    public var unscaled: String
    public var scale: Int32

    public init(unscaled: String, scale: Int32) {
        self.unscaled = unscaled
        self.scale = scale
    }

    init(_ value: Int64, scale: Int32) {
        self.init(unscaled: String(value), scale: scale)
    }

    /// From big-endian two's complement bytes (BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY decimals).
    init(bigEndianTwosComplement bytes: UnsafeRawBufferPointer, scale: Int32) {
        guard !bytes.isEmpty else {
            self.init(unscaled: "0", scale: scale)
            return
        }
        if bytes.count <= 8 {
            var v: Int64 = bytes[0] >= 0x80 ? -1 : 0
            for b in bytes { v = v << 8 | Int64(b) }
            self.init(v, scale: scale)
            return
        }
        let negative = bytes[0] >= 0x80
        // Magnitude as big-endian bytes: two's complement negated when negative.
        var magnitude = Array(bytes)
        if negative {
            var carry = 1
            for i in stride(from: magnitude.count - 1, through: 0, by: -1) {
                let v = Int(~magnitude[i]) + carry
                magnitude[i] = UInt8(truncatingIfNeeded: v)
                carry = v >> 8
            }
        }
        // Repeated division by 10^9 of the base-256 number.
        var chunks: [UInt32] = []
        var start = 0
        while start < magnitude.count {
            var remainder: UInt64 = 0
            for i in start..<magnitude.count {
                let current = remainder << 8 | UInt64(magnitude[i])
                magnitude[i] = UInt8(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while start < magnitude.count && magnitude[start] == 0 { start += 1 }
        }
        var text = String(chunks.last ?? 0)
        for chunk in chunks.dropLast().reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 9 - digits.count) + digits
        }
        self.init(unscaled: negative && text != "0" ? "-" + text : text, scale: scale)
    }

    /// The value in plain notation, as many fraction digits as the scale: "123.45", "-0.05", "1200".
    public var description: String {
        let negative = unscaled.hasPrefix("-")
        var digits = negative ? String(unscaled.dropFirst()) : unscaled
        if scale <= 0 {
            if digits != "0" { digits += String(repeating: "0", count: Int(-scale)) }
            return negative ? "-" + digits : digits
        }
        let fraction = Int(scale)
        if digits.count <= fraction { digits = String(repeating: "0", count: fraction - digits.count + 1) + digits }
        let cut = digits.index(digits.endIndex, offsetBy: -fraction)
        return (negative ? "-" : "") + digits[..<cut] + "." + digits[cut...]
    }
}
