/// One row group, its selected top-level fields decoded: what `ParquetFileReader.readRowGroup`
/// returns. It holds the group's decoded columns (memory: one row group's selected columns) and hands
/// out rows in order with `makeRowIterator()`, or one field's values for every row with `values(ofField:)`.
public final class ParquetRowGroup {
    /// Index of the group in its file.
    public let index: Int
    public let rowCount: Int
    /// The top-level fields the rows hold (indices into `ParquetFileSchema.fields`), in this order.
    public let fieldIndices: [Int]
    private let schema: ParquetFileSchema
    private let columns: [Int: ColumnChunkData]

    init(index: Int, rowCount: Int, fieldIndices: [Int], schema: ParquetFileSchema, columns: [Int: ColumnChunkData]) {
        self.index = index
        self.rowCount = rowCount
        self.fieldIndices = fieldIndices
        self.schema = schema
        self.columns = columns
    }

    /// Rows in order, each one value per selected field (in `fieldIndices` order).
    public func makeRowIterator() -> ParquetRowIterator {
        ParquetRowIterator(rowCount: rowCount, cursors: fieldIndices.map { makeCursor($0) })
    }

    /// Every row's value of top-level field `field` (an index into `ParquetFileSchema.fields`, one of
    /// `fieldIndices`): the columnar view of the group.
    public func values(ofField field: Int) -> [ParquetFieldValue] {
        precondition(fieldIndices.contains(field), "field \(field) was not read")
        let cursor = makeCursor(field)
        var out: [ParquetFieldValue] = []
        out.reserveCapacity(rowCount)
        for _ in 0..<rowCount { out.append(cursor.next()) }
        return out
    }

    /// Field `field` (one of `fieldIndices`) as a `ParquetFlatColumn`, when it is a primitive outside
    /// any list; nil for a group or a repeated field (read those with `values(ofField:)` or the rows).
    public func flatColumn(_ field: Int) -> ParquetFlatColumn? {
        precondition(fieldIndices.contains(field), "field \(field) was not read")
        let node = schema.fields[field]
        guard let leaf = node.leafIndex, node.repetition != .repeated, let column = columns[leaf] else { return nil }
        return ParquetFlatColumn(column: column, rowCount: rowCount)
    }

    private func makeCursor(_ field: Int) -> FieldCursor {
        let node = schema.fields[field]
        if let leaf = node.leafIndex, node.repetition != .repeated, let column = columns[leaf] {
            return FlatFieldCursor(column: column)
        }
        return NestedFieldCursor(assembler: RecordAssembler(field: node, columns: columns))
    }
}

/// Iterates a row group's rows: one `[ParquetFieldValue]` per row.
public struct ParquetRowIterator: IteratorProtocol, Sequence {
    private let rowCount: Int
    private let cursors: [FieldCursor]
    private var row = 0

    init(rowCount: Int, cursors: [FieldCursor]) {
        self.rowCount = rowCount
        self.cursors = cursors
    }

    public mutating func next() -> [ParquetFieldValue]? {
        guard row < rowCount else { return nil }
        row += 1
        return cursors.map { $0.next() }
    }

    /// The next row into `values` (resized to the field count), reusing its storage: no array per
    /// row. Returns false after the last row.
    public mutating func next(into values: inout [ParquetFieldValue]) -> Bool {
        guard row < rowCount else { return false }
        row += 1
        if values.count != cursors.count { values = [ParquetFieldValue](repeating: .null, count: cursors.count) }
        for k in cursors.indices { values[k] = cursors[k].next() }
        return true
    }
}

/// Hands out one field's values row after row.
protocol FieldCursor: AnyObject {
    func next() -> ParquetFieldValue
}

/// A top-level primitive field outside any list: one level entry per row, no assembly.
final class FlatFieldCursor: FieldCursor {
    private let column: ColumnChunkData
    private let maxDefinition: Int16
    private var level = 0
    private var value = 0

    init(column: ColumnChunkData) {
        self.column = column
        maxDefinition = Int16(column.leaf.maxDefinitionLevel)
    }

    func next() -> ParquetFieldValue {
        defer { level += 1 }
        if maxDefinition > 0 && column.definitionLevels[level] != maxDefinition { return .null }
        defer { value += 1 }
        return column.value(at: value)
    }
}

final class NestedFieldCursor: FieldCursor {
    private let assembler: RecordAssembler

    init(assembler: RecordAssembler) { self.assembler = assembler }

    func next() -> ParquetFieldValue { assembler.next() }
}
