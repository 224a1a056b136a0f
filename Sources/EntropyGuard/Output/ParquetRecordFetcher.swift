import Parquet

/// Reads a Parquet input's records back by their `ParquetRecordID`, as JSON objects
/// (`ParquetRecordJSON`). The outputs ask in input order, so one row group is decoded at a time (all
/// its fields) and walked with one row iterator (rows not asked for are skipped, a row before the
/// iterator's position decodes the group again): memory is one row group's columns.
final class ParquetRecordFetcher {
    private let files: [String]
    private var fileIndex = -1
    private var reader: ParquetFileReader?
    private var keys: [[UInt8]] = []
    private var groupIndex = -1
    private var group: ParquetRowGroup?
    private var rows: ParquetRowIterator?
    /// The row `row` holds (-1 before the first).
    private var rowsAt = -1
    private var groupRows = 0
    private var record: [UInt8] = []
    private var row: [ParquetFieldValue] = []

    init(files: [String]) {
        self.files = files
    }

    /// Calls `body` with the record's JSON bytes (valid only inside `body`).
    func withRecord<T>(_ id: ParquetRecordID, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        try withRow(id) { row in
            record.removeAll(keepingCapacity: true)
            ParquetRecordJSON.append(keys: keys, values: row, to: &record)
            return try record.withUnsafeBytes { try body($0) }
        }
    }

    /// Calls `body` with the record's values, one per top-level field (the array is reused for the next row).
    func withRow<T>(_ id: ParquetRecordID, _ body: ([ParquetFieldValue]) throws -> T) throws -> T {
        if id.file != fileIndex {
            // The input matches the store's hash: a record outside it is a damaged row in the store.
            guard id.file >= 0 && id.file < files.count else { throw StoreDamage("a row points to file \(id.file) of a \(files.count)-file input") }
            reader = try ParquetFileReader(path: files[id.file])
            keys = ParquetRecordJSON.keys(reader!.schema.fieldNames)
            fileIndex = id.file
            groupIndex = -1
        }
        if id.rowGroup != groupIndex {
            guard let reader, id.rowGroup >= 0 && id.rowGroup < reader.rowGroupCount else {
                throw StoreDamage("a row points to row group \(id.rowGroup) of \(files[id.file])")
            }
            group = nil   // the old group's columns go before the new one's are decoded
            group = try reader.readRowGroup(id.rowGroup)
            groupRows = group!.rowCount
            groupIndex = id.rowGroup
            rows = group!.makeRowIterator()
            rowsAt = -1
        }
        guard id.row >= 0 && id.row < groupRows else {
            throw StoreDamage("a row points to row \(id.row) of row group \(id.rowGroup) (\(groupRows) rows) of \(files[id.file])")
        }
        if id.row < rowsAt {
            rows = group!.makeRowIterator()
            rowsAt = -1
        }
        while rowsAt < id.row {
            _ = rows!.next(into: &row)
            rowsAt += 1
        }
        return try body(row)
    }
}
