/// Reads little-endian bit-packed values (LSB first, as the RLE/bit-packing hybrid and
/// DELTA_BINARY_PACKED pack them) of up to 64 bits from `bytes`, starting at a byte offset.
struct BitReader {
    let bytes: UnsafeRawBufferPointer

    /// Value `index` of width `bitWidth` (0...64) of the packed run that starts at byte `start`.
    /// The caller has checked that the run's bytes are there.
    @inline(__always)
    func value(start: Int, index: Int, bitWidth: Int) -> UInt64 {
        if bitWidth == 0 { return 0 }
        let bit = index * bitWidth
        let byte = start + bit >> 3
        let shift = UInt64(bit & 7)
        let needed = (Int(shift) + bitWidth + 7) >> 3  // 1...9 bytes
        var low: UInt64
        if byte + 8 <= bytes.count {
            low = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
        } else {
            low = 0
            for k in 0..<min(8, bytes.count - byte) { low |= UInt64(bytes[byte + k]) << UInt64(8 * k) }
        }
        var v = low >> shift
        if needed == 9 {
            v |= UInt64(bytes[byte + 8]) << (64 - shift)
        }
        return bitWidth == 64 ? v : v & ((1 << UInt64(bitWidth)) - 1)
    }

    /// Bytes that `count` values of `bitWidth` bits take.
    @inline(__always)
    static func byteCount(values count: Int, bitWidth: Int) -> Int {
        (count * bitWidth + 7) >> 3
    }
}
