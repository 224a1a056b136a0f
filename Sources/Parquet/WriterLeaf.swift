/// One primitive column the writer fills: where it sits in the schema and its levels (what
/// `ParquetLeafColumn` is to the reader).
struct WriterLeaf {
    /// Field names from the top-level column down to the leaf.
    var path: [String]
    var physicalType: ParquetPhysicalType
    /// FIXED_LEN_BYTE_ARRAY's width (12 for INT96), 0 otherwise.
    var typeLength: Int
    var logicalType: ParquetLogicalType?
    /// The optional and repeated fields on the path (0: a required top-level column).
    var maxDefinitionLevel: Int
    /// The repeated fields on the path.
    var maxRepetitionLevel: Int

    /// The dotted path, as messages name the column.
    var name: String { path.joined(separator: ".") }

    /// Whether statistics' min/max in the column's sort order are plain to compute: signed integers,
    /// floating point, booleans, and bytes compared unsigned. Left out (null count only) for unsigned
    /// integers, decimals stored as bytes (signed order), INT96, FLOAT16 and INTERVAL.
    var hasSimpleOrder: Bool {
        switch (physicalType, logicalType) {
        case (.int96, _), (_, .integer(_, false)?), (_, .float16?), (_, .interval?): return false
        case (.byteArray, .decimal?), (.fixedLenByteArray, .decimal?): return false
        default: return true
        }
    }
}
