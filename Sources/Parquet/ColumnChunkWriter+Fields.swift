/// `ParquetFieldValue`s (what the reader returns) into a leaf column: each value is converted to the
/// leaf's physical type by its logical type, the reverse of `ColumnChunkData.value(at:)`, so a value
/// read from a column is written back with the same bits.
extension ColumnChunkWriter {
    /// A value in a leaf's physical type.
    enum PhysicalValue {
        case bool(Bool), int32(Int32), int64(Int64), float(Float), double(Double)
        /// BYTE_ARRAY, or FIXED_LEN_BYTE_ARRAY / INT96 of the leaf's width.
        case bytes([UInt8])
        /// BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY holding a string's UTF-8 (no copy made).
        case string(String)
    }

    /// Whether `value` (not null) can be stored in this leaf.
    func fits(_ value: ParquetFieldValue) -> Bool { physical(value) != nil }

    /// Appends `value` (not null); the caller has checked `fits`, or fails the writer on a throw.
    mutating func appendField(_ value: ParquetFieldValue) throws {
        guard let physical = physical(value) else {
            throw ParquetError.invalidArgument("value \(value) does not fit column \(leaf.name) (\(leaf.physicalType)\(leaf.logicalType.map { " \($0)" } ?? ""))")
        }
        switch physical {
        case .bool(let v): try appendBool(v)
        case .int32(let v): try appendInt32(v)
        case .int64(let v): try appendInt64(v)
        case .float(let v): try appendFloat(v)
        case .double(let v): try appendDouble(v)
        case .bytes(let b): try b.withUnsafeBytes { try leaf.physicalType == .byteArray ? appendBytes($0) : appendFixed($0) }
        case .string(var s): try s.withUTF8 { try leaf.physicalType == .byteArray ? appendBytes(UnsafeRawBufferPointer($0)) : appendFixed(UnsafeRawBufferPointer($0)) }
        }
    }

    /// `value` in this leaf's physical type; nil when it does not fit.
    func physical(_ value: ParquetFieldValue) -> PhysicalValue? {
        let logical = leaf.logicalType
        switch (value, leaf.physicalType) {
        case (.bool(let v), .boolean):
            return .bool(v)
        case (.int(let v), .int32):
            switch logical {
            case .integer(let bits, false)?: return v >= 0 && v <= (Int64(1) << bits) - 1 ? .int32(Int32(truncatingIfNeeded: v)) : nil
            case .integer(let bits, true)?: return v >= -(Int64(1) << (bits - 1)) && v < Int64(1) << (bits - 1) ? .int32(Int32(v)) : nil
            case nil: return Int32(exactly: v).map { .int32($0) }
            default: return nil
            }
        case (.int(let v), .int64):
            switch logical {
            case .integer(_, false)?: return v >= 0 ? .int64(v) : nil
            case .integer(_, true)?, nil: return .int64(v)
            default: return nil
            }
        case (.unsigned(let v), .int64):
            if case .integer(_, false)? = logical { return .int64(Int64(bitPattern: v)) }
            return nil
        case (.float(let v), .float):
            return .float(v)
        case (.float(let v), .fixedLenByteArray) where logical == .float16:
            let half = Self.floatToHalf(v)
            return .bytes([UInt8(truncatingIfNeeded: half), UInt8(half >> 8)])
        case (.double(let v), .double):
            return .double(v)
        case (.string(let s), .byteArray):
            switch logical {
            case .string?, .enumeration?, .json?, .bson?, nil: return .string(s)
            default: return nil
            }
        case (.string(let s), .fixedLenByteArray):
            if logical == .uuid { return Self.uuidBytes(s).map { .bytes($0) } }
            return logical == nil && s.utf8.count == leaf.typeLength ? .string(s) : nil
        case (.bytes(let b), .byteArray):
            if case .decimal? = logical { return nil }
            return .bytes(b)
        case (.bytes(let b), .fixedLenByteArray), (.bytes(let b), .int96):
            if case .decimal? = logical { return nil }
            return b.count == leaf.typeLength ? .bytes(b) : nil
        case (.decimal(let d), _):
            guard case .decimal(_, let scale)? = logical, d.scale == scale else { return nil }
            switch leaf.physicalType {
            case .int32: return d.unscaledInt64.flatMap { Int32(exactly: $0) }.map { .int32($0) }
            case .int64: return d.unscaledInt64.map { .int64($0) }
            case .fixedLenByteArray: return d.bigEndianTwosComplement(length: leaf.typeLength).map { .bytes($0) }
            case .byteArray: return d.bigEndianTwosComplement(length: nil).map { .bytes($0) }
            default: return nil
            }
        case (.date(let days), .int32):
            return logical == .date ? .int32(days) : nil
        case (.time(let v, let unit), _):
            guard case .time(unit, _)? = logical else { return nil }
            if leaf.physicalType == .int32 { return Int32(exactly: v).map { .int32($0) } }
            return leaf.physicalType == .int64 ? .int64(v) : nil
        case (.timestamp(let v, let unit, _), .int64):
            guard case .timestamp(unit, _)? = logical else { return nil }
            return .int64(v)
        case (.timestamp(let v, .nanos, _), .int96):
            return .bytes(Self.int96(nanos: v))
        default:
            return nil
        }
    }

    /// An INT96 timestamp: nanoseconds of the day (8 bytes) then the Julian day (4), little-endian.
    static func int96(nanos: Int64) -> [UInt8] {
        let perDay: Int64 = 86_400_000_000_000
        var day = nanos / perDay
        var ofDay = nanos % perDay
        if ofDay < 0 {
            day -= 1
            ofDay += perDay
        }
        var out: [UInt8] = []
        out.appendLittleEndian(UInt64(ofDay))
        out.appendLittleEndian(UInt32(truncatingIfNeeded: day + ColumnChunkData.julianDayOfUnixEpoch))
        return out
    }

    /// The 16 bytes of a UUID in its 8-4-4-4-12 hex form (either case); nil for anything else.
    static func uuidBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count == 36, [8, 13, 18, 23].allSatisfy({ chars[$0] == UInt8(ascii: "-") }) else { return nil }
        var out: [UInt8] = []
        var high: UInt8?
        for (k, c) in chars.enumerated() where ![8, 13, 18, 23].contains(k) {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return out
    }

    /// Float → IEEE 754 binary16, rounding to nearest even: exact for every value that came from a
    /// FLOAT16 column (`ColumnChunkData.halfToFloat`).
    static func floatToHalf(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16(bits >> 16) & 0x8000
        let exponent = Int(bits >> 23 & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? UInt16(0x200 | mantissa >> 13) : 0) }
        let e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        func rounded(_ value: UInt32, shift: UInt32) -> UInt32 {
            let half = UInt32(1) << (shift - 1)
            let rest = value & ((UInt32(1) << shift) - 1)
            var result = value >> shift
            if rest > half || (rest == half && result & 1 == 1) { result += 1 }
            return result
        }
        if e <= 0 {
            guard e >= -10 else { return sign }
            let full = mantissa | 0x80_0000
            return sign | UInt16(rounded(full, shift: UInt32(14 - e)))
        }
        // A carry out of the mantissa moves into the exponent, as it should (up to infinity).
        return sign | UInt16(UInt32(e) << 10 + rounded(mantissa, shift: 13))
    }
}
