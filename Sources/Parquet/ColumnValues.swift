/// The present (non-null) values of one leaf column in one row group, decoded to their physical type
/// and stored column-wise: one array of the type, or for byte arrays one buffer of all their bytes
/// with offsets (as Arrow stores them: a value is a slice, never an allocation of its own).
/// Only the array of the column's physical type is used.
struct ColumnValues {
    let physicalType: ParquetPhysicalType
    /// Bytes per value for FIXED_LEN_BYTE_ARRAY and INT96 (12); 0 for BYTE_ARRAY.
    let fixedWidth: Int
    var booleans: [Bool] = []
    var int32s: [Int32] = []
    var int64s: [Int64] = []
    var floats: [Float] = []
    var doubles: [Double] = []
    /// BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY and INT96 values, back to back.
    var bytes: [UInt8] = []
    /// BYTE_ARRAY only: value i is `bytes[offsets[i]..<offsets[i + 1]]`.
    var offsets: [Int] = [0]

    init(physicalType: ParquetPhysicalType, typeLength: Int) {
        self.physicalType = physicalType
        switch physicalType {
        case .fixedLenByteArray: fixedWidth = typeLength
        case .int96: fixedWidth = 12
        default: fixedWidth = 0
        }
    }

    var count: Int {
        switch physicalType {
        case .boolean: return booleans.count
        case .int32: return int32s.count
        case .int64: return int64s.count
        case .float: return floats.count
        case .double: return doubles.count
        case .byteArray: return offsets.count - 1
        case .int96, .fixedLenByteArray: return bytes.count / fixedWidth
        }
    }

    /// PLAIN (and BYTE_STREAM_SPLIT) width of one value; 0 for BYTE_ARRAY, and BOOLEAN's bits are
    /// counted elsewhere.
    var plainWidth: Int {
        switch physicalType {
        case .boolean, .byteArray: return 0
        case .int32, .float: return 4
        case .int64, .double: return 8
        case .int96, .fixedLenByteArray: return fixedWidth
        }
    }

    mutating func reserve(_ n: Int) {
        switch physicalType {
        case .boolean: booleans.reserveCapacity(n)
        case .int32: int32s.reserveCapacity(n)
        case .int64: int64s.reserveCapacity(n)
        case .float: floats.reserveCapacity(n)
        case .double: doubles.reserveCapacity(n)
        case .byteArray: offsets.reserveCapacity(n + 1)
        case .int96, .fixedLenByteArray: bytes.reserveCapacity(n * fixedWidth)
        }
    }

    /// The byte array value `i` (BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY, INT96), valid while `self` is not mutated.
    @inline(__always)
    func withBytes<R>(at i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = fixedWidth > 0 ? i * fixedWidth : offsets[i]
        let end = fixedWidth > 0 ? start + fixedWidth : offsets[i + 1]
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Appends `count` values stored back to back in little-endian order (PLAIN for fixed widths).
    mutating func appendFixedWidth(_ raw: UnsafeRawBufferPointer, count: Int) {
        switch physicalType {
        case .int32: Self.appendRaw(raw, count, to: &int32s)
        case .int64: Self.appendRaw(raw, count, to: &int64s)
        case .float: Self.appendRaw(raw, count, to: &floats)
        case .double: Self.appendRaw(raw, count, to: &doubles)
        case .int96, .fixedLenByteArray: bytes.appendBytes(UnsafeRawBufferPointer(rebasing: raw[0..<(count * fixedWidth)]))
        case .boolean, .byteArray: preconditionFailure("not a fixed-width type")
        }
    }

    /// Grows `array` by `count` zeros and copies the raw bytes over them (page buffers need not be
    /// aligned for `T`, so they are copied rather than rebound). Little-endian hosts only, as the
    /// writer (`appendLittleEndian` aside) assumes.
    private static func appendRaw<T: ExpressibleByIntegerLiteral>(_ raw: UnsafeRawBufferPointer, _ count: Int, to array: inout [T]) {
        guard count > 0 else { return }
        let old = array.count
        array.append(contentsOf: repeatElement(0, count: count))
        array.withUnsafeMutableBytes { dst in
            let width = MemoryLayout<T>.stride
            dst.baseAddress!.advanced(by: old * width).copyMemory(from: raw.baseAddress!, byteCount: count * width)
        }
    }

    /// Appends one byte array value.
    @inline(__always)
    mutating func appendByteArray(_ value: UnsafeRawBufferPointer) {
        bytes.appendBytes(value)
        offsets.append(bytes.count)
    }

    /// Appends value `i` of `other` (a dictionary of the same type).
    @inline(__always)
    mutating func append(from other: ColumnValues, at i: Int) {
        switch physicalType {
        case .boolean: booleans.append(other.booleans[i])
        case .int32: int32s.append(other.int32s[i])
        case .int64: int64s.append(other.int64s[i])
        case .float: floats.append(other.floats[i])
        case .double: doubles.append(other.doubles[i])
        case .byteArray:
            other.withBytes(at: i) { bytes.appendBytes($0) }
            offsets.append(bytes.count)
        case .int96, .fixedLenByteArray:
            other.withBytes(at: i) { bytes.appendBytes($0) }
        }
    }
}

extension Array {
    /// Makes room for `capacity` elements, at least doubling when it must grow: `reserveCapacity`
    /// alone allocates exactly what is asked, so calling it page after page would copy the column
    /// once per page (measured: a quarter of the read time of a dictionary-encoded text column).
    @inline(__always)
    mutating func reserveGeometrically(_ capacity: Int) {
        if capacity > self.capacity { reserveCapacity(Swift.max(capacity, 2 * self.capacity)) }
    }
}
