/// Min / max / null count of one column chunk, in the column type's sort order
/// (signed for INT32/INT64, numeric without NaN for FLOAT/DOUBLE, false < true, unsigned bytewise for
/// byte arrays).
struct ColumnStatistics {
    var nullCount: Int64 = 0
    private var minInt = Int64.max, maxInt = Int64.min
    private var minDouble = Double.infinity, maxDouble = -Double.infinity
    private var hasValue = false
    private var sawFalse = false, sawTrue = false
    private var minBytes: [UInt8] = [], maxBytes: [UInt8] = []

    mutating func observe(_ v: Int64) {
        hasValue = true
        if v < minInt { minInt = v }
        if v > maxInt { maxInt = v }
    }

    /// NaN is left out: it has no place in the order, and readers would prune wrongly with it.
    mutating func observe(_ v: Double) {
        if v.isNaN { return }
        hasValue = true
        if v < minDouble { minDouble = v }
        if v > maxDouble { maxDouble = v }
    }

    mutating func observe(_ v: Bool) {
        hasValue = true
        if v { sawTrue = true } else { sawFalse = true }
    }

    mutating func observe(_ bytes: UnsafeRawBufferPointer) {
        if !hasValue {
            hasValue = true
            minBytes = Array(bytes)
            maxBytes = minBytes
            return
        }
        if minBytes.withUnsafeBytes({ compareBytes(bytes, $0) }) < 0 {
            minBytes = Array(bytes)
        } else if maxBytes.withUnsafeBytes({ compareBytes(bytes, $0) }) > 0 {
            maxBytes = Array(bytes)
        }
    }

    /// The Thrift Statistics with PLAIN-encoded bounds (no bounds when there is no non-null, non-NaN
    /// value, or when the column's order is not the plain one: `WriterLeaf.hasSimpleOrder`).
    func encoded(for leaf: WriterLeaf) -> Statistics {
        var stats = Statistics(nullCount: nullCount)
        guard hasValue, leaf.hasSimpleOrder else { return stats }
        switch leaf.physicalType {
        case .int32:
            stats.minValue = Self.littleEndianBytes(Int32(truncatingIfNeeded: minInt))
            stats.maxValue = Self.littleEndianBytes(Int32(truncatingIfNeeded: maxInt))
        case .int64:
            stats.minValue = Self.littleEndianBytes(minInt)
            stats.maxValue = Self.littleEndianBytes(maxInt)
        case .float, .double:
            // The spec asks for -0.0 as a zero minimum and +0.0 as a zero maximum,
            // because a chunk with either zero may contain the other.
            let low = minDouble == 0 ? -0.0 : minDouble
            let high = maxDouble == 0 ? 0.0 : maxDouble
            if leaf.physicalType == .float {
                stats.minValue = Self.littleEndianBytes(Float(low).bitPattern)
                stats.maxValue = Self.littleEndianBytes(Float(high).bitPattern)
            } else {
                stats.minValue = Self.littleEndianBytes(low.bitPattern)
                stats.maxValue = Self.littleEndianBytes(high.bitPattern)
            }
        case .boolean:
            stats.minValue = [sawFalse ? 0 : 1]
            stats.maxValue = [sawTrue ? 1 : 0]
        case .byteArray, .fixedLenByteArray:
            stats.minValue = minBytes
            stats.maxValue = maxBytes
        case .int96:
            break
        }
        return stats
    }

    private static func littleEndianBytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        var out: [UInt8] = []
        out.appendLittleEndian(v)
        return out
    }
}
