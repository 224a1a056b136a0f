/// The column types the writer supports, mapped to Parquet physical/logical types (LogicalTypes.md):
///
/// | type | physical | logical (and legacy ConvertedType) |
/// | --- | --- | --- |
/// | `boolean` | BOOLEAN | |
/// | `int32`, `int64` | INT32, INT64 | |
/// | `float`, `double` | FLOAT, DOUBLE | |
/// | `string` | BYTE_ARRAY | STRING (UTF8) |
/// | `binary` | BYTE_ARRAY | |
/// | `fixedLenByteArray(n)` | FIXED_LEN_BYTE_ARRAY(n) | |
/// | `date` | INT32 | DATE |
/// | `timestamp(unit, utc)` | INT64 | TIMESTAMP(unit, isAdjustedToUTC) (TIMESTAMP_MILLIS/MICROS when UTC) |
/// | `decimal(p, s, storage)` | INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY | DECIMAL(p, s) |
/// | `primitive(…)` | as given | as given (TIME, INTEGER, UUID, JSON, ENUM, BSON, FLOAT16, INTERVAL, INT96…) |
/// | `list(element)` | group LIST → repeated group `list` → `element` | LIST (the standard three-level list) |
/// | `map(key, value)` | group MAP → repeated group `key_value` → `key` (required), `value` | MAP |
/// | `structure(fields)` | group | |
///
/// Values are given as `ParquetFieldValue`s (what the reader returns; `ParquetWriter.append(fields:)`,
/// `appendField(_:column:)`), or for the four original types also as `ParquetValue`s.
public indirect enum ParquetType: Sendable, Equatable {
    case boolean, int64, double, string
    case int32, float
    /// BYTE_ARRAY without a logical type.
    case binary
    case fixedLenByteArray(length: Int)
    /// Days since 1970-01-01.
    case date
    case timestamp(unit: ParquetTimeUnit, adjustedToUTC: Bool)
    case decimal(precision: Int32, scale: Int32, storage: ParquetDecimalStorage)
    /// Any primitive column as a file's footer declares it (`typeLength` only for FIXED_LEN_BYTE_ARRAY):
    /// how a column read from another file keeps its type (`ParquetColumn(copying:)`).
    case primitive(ParquetPhysicalType, typeLength: Int, logical: ParquetLogicalType?)
    /// A LIST of `element` (named as given; "element" is the standard name).
    case list(element: ParquetColumn)
    /// A MAP; the key column must not be optional.
    case map(key: ParquetColumn, value: ParquetColumn)
    /// A group (STRUCT) of fields.
    case structure([ParquetColumn])
}

/// How a DECIMAL column stores its unscaled values: INT32 (precision ≤ 9), INT64 (≤ 18), or big-endian
/// two's complement bytes (FIXED_LEN_BYTE_ARRAY of `length` bytes, or BYTE_ARRAY of the fewest bytes).
public enum ParquetDecimalStorage: Sendable, Equatable {
    case int32, int64
    case fixedLenByteArray(length: Int)
    case byteArray
}

/// One column of the file schema (a top-level field, or a field of a nested type).
public struct ParquetColumn: Sendable, Equatable {
    /// Column name as it appears in the schema.
    public var name: String
    /// Value type of the column.
    public var type: ParquetType
    /// `true` for an OPTIONAL column (accepts `.null`), `false` for REQUIRED.
    public var optional: Bool

    /// Creates a column description.
    public init(name: String, type: ParquetType, optional: Bool) {
        self.name = name
        self.type = type
        self.optional = optional
    }
}

/// One cell of a row. `.bytes` is raw UTF-8 for a string column (skips String → UTF-8 conversion);
/// the caller guarantees it is valid UTF-8.
public enum ParquetValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int64(Int64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
}
