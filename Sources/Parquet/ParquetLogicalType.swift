/// What a column's values mean beyond their physical type: the footer's LogicalType, or, for files
/// from writers that predate it, the ConvertedType it maps to (parquet-format LogicalTypes.md,
/// "Backward compatibility").
public enum ParquetLogicalType: Sendable, Equatable {
    case string, enumeration, json, bson, uuid, float16
    case map, list
    case decimal(precision: Int32, scale: Int32)
    case date
    case time(unit: ParquetTimeUnit, adjustedToUTC: Bool)
    case timestamp(unit: ParquetTimeUnit, adjustedToUTC: Bool)
    case integer(bitWidth: Int8, signed: Bool)
    /// Always null (LogicalType UNKNOWN).
    case null
    /// ConvertedType INTERVAL: 12 bytes of months, days, milliseconds.
    case interval

    /// The logical type a legacy ConvertedType stands for; `scale`/`precision` come with DECIMAL.
    static func converted(_ value: Int32, scale: Int32?, precision: Int32?) -> ParquetLogicalType? {
        switch value {
        case 0: return .string
        case 1, 2: return .map  // MAP and MAP_KEY_VALUE (the legacy name of MAP's repeated group)
        case 3: return .list
        case 4: return .enumeration
        case 5: return .decimal(precision: precision ?? 0, scale: scale ?? 0)
        case 6: return .date
        case 7: return .time(unit: .millis, adjustedToUTC: true)
        case 8: return .time(unit: .micros, adjustedToUTC: true)
        case 9: return .timestamp(unit: .millis, adjustedToUTC: true)
        case 10: return .timestamp(unit: .micros, adjustedToUTC: true)
        case 11: return .integer(bitWidth: 8, signed: false)
        case 12: return .integer(bitWidth: 16, signed: false)
        case 13: return .integer(bitWidth: 32, signed: false)
        case 14: return .integer(bitWidth: 64, signed: false)
        case 15: return .integer(bitWidth: 8, signed: true)
        case 16: return .integer(bitWidth: 16, signed: true)
        case 17: return .integer(bitWidth: 32, signed: true)
        case 18: return .integer(bitWidth: 64, signed: true)
        case 19: return .json
        case 20: return .bson
        case 21: return .interval
        default: return nil
        }
    }
}
