/// The column types the writer supports, mapped to Parquet physical/logical types:
/// `boolean` → BOOLEAN, `int64` → INT64, `double` → DOUBLE, `string` → BYTE_ARRAY annotated STRING (UTF8).
public enum ParquetType: Sendable, Equatable {
    case boolean, int64, double, string
}

/// One top-level (non-nested) column of the file schema.
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
