/// One leaf column of one row group, decoded: its levels and present values. Levels are only kept
/// where they carry information: none for a required column outside any list (every level would be
/// 0), repetition levels only under a repeated field.
struct ColumnChunkData {
    let leaf: ParquetLeafColumn
    /// One per level entry (value or null/empty marker); empty when `leaf.maxDefinitionLevel == 0`.
    var definitionLevels: [Int16] = []
    /// Empty when `leaf.maxRepetitionLevel == 0`.
    var repetitionLevels: [Int16] = []
    var values: ColumnValues
    /// Level entries (= values when the column has no definition levels).
    var levelCount = 0

    init(leaf: ParquetLeafColumn) {
        self.leaf = leaf
        values = ColumnValues(physicalType: leaf.physicalType, typeLength: leaf.typeLength)
    }

    /// Present value `i` as a `ParquetFieldValue`, by the column's logical type.
    @inline(__always)
    func value(at i: Int) -> ParquetFieldValue {
        let logical = leaf.logicalType
        switch leaf.physicalType {
        case .boolean:
            return .bool(values.booleans[i])
        case .int32:
            let v = values.int32s[i]
            switch logical {
            case .date: return .date(days: v)
            case .decimal(_, let scale): return .decimal(ParquetDecimal(Int64(v), scale: scale))
            case .time(let unit, _): return .time(Int64(v), unit: unit)
            case .integer(_, false): return .int(Int64(UInt32(bitPattern: v)))
            default: return .int(Int64(v))
            }
        case .int64:
            let v = values.int64s[i]
            switch logical {
            case .timestamp(let unit, let utc): return .timestamp(v, unit: unit, adjustedToUTC: utc)
            case .time(let unit, _): return .time(v, unit: unit)
            case .decimal(_, let scale): return .decimal(ParquetDecimal(v, scale: scale))
            case .integer(_, false): return .unsigned(UInt64(bitPattern: v))
            default: return .int(v)
            }
        case .int96:
            // Nanoseconds of the day (8 bytes), then the Julian day (4 bytes), little-endian.
            return values.withBytes(at: i) { raw in
                let nanos = Int64(bitPattern: UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)))
                let julian = Int64(Int32(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))))
                let value = (julian - Self.julianDayOfUnixEpoch) &* 86_400_000_000_000 &+ nanos
                return .timestamp(value, unit: .nanos, adjustedToUTC: false)
            }
        case .float:
            return .float(values.floats[i])
        case .double:
            return .double(values.doubles[i])
        case .byteArray, .fixedLenByteArray:
            return values.withBytes(at: i) { raw in
                switch logical {
                case .string, .enumeration, .json: return .string(String(decoding: raw, as: UTF8.self))
                case .decimal(_, let scale): return .decimal(ParquetDecimal(bigEndianTwosComplement: raw, scale: scale))
                case .uuid where raw.count == 16: return .string(Self.uuid(raw))
                case .float16 where raw.count == 2:
                    return .float(Self.halfToFloat(UInt16(raw[0]) | UInt16(raw[1]) << 8))
                default: return .bytes(Array(raw))
                }
            }
        }
    }

    /// IEEE 754 binary16 → Float, exactly (Swift's `Float16` is missing on Intel Macs).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exponent = UInt32(h >> 10 & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0:  // zero or subnormal: mantissa × 2^-24
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 31:  // infinity or NaN
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// 2440588 is the Julian day number of 1970-01-01 (INT96 timestamps count from it).
    static let julianDayOfUnixEpoch: Int64 = 2_440_588

    private static func uuid(_ raw: UnsafeRawBufferPointer) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for (k, b) in raw.enumerated() {
            if k == 4 || k == 6 || k == 8 || k == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
