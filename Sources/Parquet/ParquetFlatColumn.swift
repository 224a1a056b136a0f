/// A top-level primitive field outside any list, in one row group, with random access by row and
/// without a value made per row: `isNull`, `value(row:)`, and `withBytes` for the bytes of a string
/// or binary value as stored (a text column can go to a store or a hash without becoming a `String`).
public struct ParquetFlatColumn {
    public let rowCount: Int
    private let column: ColumnChunkData
    /// Row → index among the present values, -1 for a null; empty when the column has no nulls
    /// possible (required: row i is value i).
    private let valueIndex: [Int32]

    init(column: ColumnChunkData, rowCount: Int) {
        self.column = column
        self.rowCount = rowCount
        if column.leaf.maxDefinitionLevel == 0 {
            valueIndex = []
        } else {
            let maxLevel = Int16(column.leaf.maxDefinitionLevel)
            var next: Int32 = 0
            valueIndex = column.definitionLevels.map { level in
                guard level == maxLevel else { return -1 }
                defer { next += 1 }
                return next
            }
        }
    }

    /// The leaf column (its path, physical and logical type).
    public var leaf: ParquetLeafColumn { column.leaf }

    public func isNull(_ row: Int) -> Bool {
        !valueIndex.isEmpty && valueIndex[row] < 0
    }

    public func value(row: Int) -> ParquetFieldValue {
        let index = valueIndex.isEmpty ? row : Int(valueIndex[row])
        return index < 0 ? .null : column.value(at: index)
    }

    /// Calls `body` with the stored bytes of a BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY value (UTF-8 for a
    /// string column, not checked), nil for a null or a column of another physical type.
    public func withBytes<R>(row: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        let index = valueIndex.isEmpty ? row : Int(valueIndex[row])
        guard index >= 0, column.values.physicalType == .byteArray || column.values.physicalType == .fixedLenByteArray else {
            return try body(nil)
        }
        return try column.values.withBytes(at: index) { try body($0) }
    }
}
