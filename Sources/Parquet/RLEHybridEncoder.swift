/// The RLE / bit-packing hybrid encoding (Encodings.md, "RLE = 3"), used for definition levels
/// and dictionary indices. Runs of >= 8 equal values become RLE runs; the rest is bit-packed in
/// groups of 8 values, LSB first.
enum RLEHybridEncoder {
    /// Shortest repeat worth an RLE run: shorter repeats stay in the bit-packed groups.
    private static let minimumRunLength = 8

    /// Appends the encoded `values` (each < 2^bitWidth, bitWidth in 1...32) to `out`, without length prefix.
    static func encode<T: FixedWidthInteger & UnsignedInteger>(_ values: [T], bitWidth: Int, into out: inout [UInt8]) {
        precondition(bitWidth >= 1 && bitWidth <= 32)
        values.withUnsafeBufferPointer { v in
            let n = v.count
            var literalStart = 0
            var i = 0
            while i < n {
                let value = v[i]
                var runEnd = i + 1
                while runEnd < n && v[runEnd] == value { runEnd += 1 }
                var run = runEnd - i
                if run >= minimumRunLength {
                    // Complete the pending literal values to a whole group of 8 with values of this run.
                    let pending = (i - literalStart) % 8
                    if pending != 0 {
                        let borrow = 8 - pending
                        i += borrow
                        run -= borrow
                    }
                    if run >= minimumRunLength {
                        appendBitPacked(v, literalStart..<i, bitWidth: bitWidth, into: &out)
                        appendRun(UInt64(value), count: run, bitWidth: bitWidth, into: &out)
                        i += run
                        literalStart = i
                        continue
                    }
                }
                i = runEnd
            }
            appendBitPacked(v, literalStart..<n, bitWidth: bitWidth, into: &out)
        }
    }

    /// Number of bits needed to represent `maxValue` (at least 1).
    static func bitWidth(forMaxValue maxValue: UInt64) -> Int {
        max(1, 64 - maxValue.leadingZeroBitCount)
    }

    private static func appendRun(_ value: UInt64, count: Int, bitWidth: Int, into out: inout [UInt8]) {
        appendVarint(UInt64(count) << 1, into: &out)
        var v = value
        for _ in 0..<((bitWidth + 7) / 8) {
            out.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// Bit-packs `range`, padding the last group of 8 with zeros (readers stop at the value count).
    private static func appendBitPacked<T: FixedWidthInteger & UnsignedInteger>(
        _ v: UnsafeBufferPointer<T>, _ range: Range<Int>, bitWidth: Int, into out: inout [UInt8]
    ) {
        guard !range.isEmpty else { return }
        let groups = (range.count + 7) / 8
        appendVarint(UInt64(groups) << 1 | 1, into: &out)
        out.reserveCapacity(out.count + groups * bitWidth)
        var accumulator: UInt64 = 0
        var bits = 0
        for k in 0..<(groups * 8) {
            let index = range.lowerBound + k
            let value: UInt64 = index < range.upperBound ? UInt64(v[index]) : 0
            accumulator |= value << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
    }

    static func appendVarint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
