import Parquet

/// Reads a Parquet input's records back by their `ParquetRecordID`, as JSON objects
/// (`ParquetRecordJSON`). The outputs ask in input order, so one row group is decoded at a time (all
/// its fields) and kept until a record of another one is asked for: memory is one row group.
final class ParquetRecordFetcher {
    private let files: [String]
    private var fileIndex = -1
    private var reader: ParquetFileReader?
    private var names: [String] = []
    private var groupIndex = -1
    /// The current row group's values, per field.
    private var columns: [[ParquetFieldValue]] = []
    private var groupRows = 0
    private var record: [UInt8] = []
    private var row: [ParquetFieldValue] = []

    init(files: [String]) {
        self.files = files
    }

    /// Calls `body` with the record's JSON bytes (valid only inside `body`).
    func withRecord<T>(_ id: ParquetRecordID, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        if id.file != fileIndex {
            // The input matches the store's hash: a record outside it is a damaged row in the store.
            guard id.file >= 0 && id.file < files.count else { throw StoreDamage("a row points to file \(id.file) of a \(files.count)-file input") }
            reader = try ParquetFileReader(path: files[id.file])
            names = reader!.schema.fieldNames
            fileIndex = id.file
            groupIndex = -1
        }
        if id.rowGroup != groupIndex {
            guard let reader, id.rowGroup >= 0 && id.rowGroup < reader.rowGroupCount else {
                throw StoreDamage("a row points to row group \(id.rowGroup) of \(files[id.file])")
            }
            let group = try reader.readRowGroup(id.rowGroup)
            columns = group.fieldIndices.map { group.values(ofField: $0) }
            groupRows = group.rowCount
            groupIndex = id.rowGroup
        }
        guard id.row >= 0 && id.row < groupRows else {
            throw StoreDamage("a row points to row \(id.row) of row group \(id.rowGroup) (\(groupRows) rows) of \(files[id.file])")
        }
        row.removeAll(keepingCapacity: true)
        for column in columns { row.append(column[id.row]) }
        record = ParquetRecordJSON.bytes(names: names, values: row)
        return try record.withUnsafeBytes { try body($0) }
    }
}
