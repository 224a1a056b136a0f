/// One value read from a Parquet file: a primitive by its logical type, or a nested value (LIST, MAP,
/// group). `jsonText`/`appendJSON(to:)` render it as JSON (`ParquetFieldValue+JSON.swift`).
public indirect enum ParquetFieldValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// INT32/INT64 columns, signed, and unsigned ones below 2^63.
    case int(Int64)
    /// UINT_64 values (INTEGER(64, false)): all of them, so one column keeps one case.
    case unsigned(UInt64)
    case float(Float)
    case double(Double)
    /// STRING, ENUM, JSON columns (invalid UTF-8 repaired with U+FFFD), and UUIDs in their 8-4-4-4-12 form.
    case string(String)
    /// BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY without a text logical type (BSON, INTERVAL, plain binary).
    case bytes([UInt8])
    case decimal(ParquetDecimal)
    /// DATE: days since 1970-01-01.
    case date(days: Int32)
    /// TIME: units since midnight.
    case time(Int64, unit: ParquetTimeUnit)
    /// TIMESTAMP (and INT96, as nanoseconds): units since 1970-01-01T00:00:00, in UTC when
    /// `adjustedToUTC` (rendered with a `Z`), local time otherwise.
    case timestamp(Int64, unit: ParquetTimeUnit, adjustedToUTC: Bool)
    case list([ParquetFieldValue])
    case map([ParquetMapEntry])
    /// A group (STRUCT): its fields in schema order.
    case record([ParquetRecordField])
}

/// One key/value pair of a MAP value.
public struct ParquetMapEntry: Equatable, Sendable {
    public var key: ParquetFieldValue
    public var value: ParquetFieldValue

    public init(key: ParquetFieldValue, value: ParquetFieldValue) {
        self.key = key
        self.value = value
    }
}

/// One field of a group value.
public struct ParquetRecordField: Equatable, Sendable {
    public var name: String
    public var value: ParquetFieldValue

    public init(name: String, value: ParquetFieldValue) {
        self.name = name
        self.value = value
    }
}
