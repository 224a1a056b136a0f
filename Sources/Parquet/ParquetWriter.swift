/// Streams rows into a Parquet file (format version 1, v1 data pages); columns of the types of
/// `ParquetType`, nested ones (lists, maps, groups) included.
///
/// Rows are buffered per column and a row group is written whenever the buffered encoded data
/// reaches `options.rowGroupByteLimit`, so memory stays bounded by about one row group.
/// The file is written as a hidden temporary file next to `path` and renamed onto `path` by
/// `close()`. If the writer fails, is abandoned with `abandon()`, or is released without being
/// closed, the temporary file is removed and `path` is left untouched.
///
/// Not thread-safe: use one writer from one thread at a time.
///
/// ```swift
/// let writer = try ParquetWriter(path: "out.parquet",
///                                columns: [ParquetColumn(name: "id", type: .int64, optional: false),
///                                          ParquetColumn(name: "text", type: .string, optional: true)],
///                                options: ParquetWriterOptions(createdBy: "entropyguard 1.0.0"))
/// try writer.append([.int64(1), .string("hello")])
/// try writer.append([.int64(2), .null])
/// try writer.close()
/// ```
public final class ParquetWriter {
    /// Rows appended so far.
    @exclusivity(unchecked) public private(set) var rowCount = 0
    /// Row groups written so far (after `close()`, the file's total).
    public private(set) var rowGroupCount = 0
    /// Rows taken over from an earlier file (`ParquetFilePrefix`): the caller appends its rows from
    /// that one on. 0 when the writer was given none or could not use it.
    public private(set) var continuedRows = 0
    private var keptRowGroups: (count: Int, bytes: [UInt8]) = (0, [])

    private let columns: [ParquetColumn]
    /// Per column, the tree its values are shredded along (`ValueShredder`).
    private let roots: [ShredNode]
    /// Per column, its leaf when it is a primitive column (the fast paths take only those).
    private let flatLeaf: [Int?]
    /// Per column, the physical type of a primitive column, nil for a nested one: the fast paths'
    /// check. Read from here rather than from the column writer, whose struct the access copied
    /// (measured: 19% more CPU for the snapshots of 200k JSONL rows, retain/release and copies).
    private let flatPhysicalType: [ParquetPhysicalType?]
    private let schemaElements: [SchemaElement]
    private let options: ParquetWriterOptions
    private let compressor: PageCompressor
    private let background: BackgroundCompressor?
    // The per-value state is exempt from the runtime exclusivity checks that class properties get:
    // measured on 200k snapshot rows they were 7% of the export's CPU time. The writer is used from
    // one thread at a time and never hands these out, so no access can overlap another.
    @exclusivity(unchecked) private var columnWriters: [ColumnChunkWriter]
    private let file: AtomicFile
    private var rowGroups: [RowGroup] = []
    @exclusivity(unchecked) private var rowsInGroup = 0
    @exclusivity(unchecked) private var state = State.open
    /// The row being built value by value: which columns have their value, and how many.
    @exclusivity(unchecked) private var rowHasValue: [Bool] = []
    @exclusivity(unchecked) private var valuesInRow = 0

    private enum State { case open, closed, failed }

    private static let magic: [UInt8] = Array("PAR1".utf8)
    /// Rows handed to the column writers between two row-group size checks in `append(columns:)`.
    private static let batchSlice = 1024

    /// Creates the temporary file and writes the leading magic.
    /// - Throws: `ParquetError` when `columns` is empty, has duplicate/empty names or a type that
    ///   cannot be stored (`WriterSchema`), or on I/O error.
    /// `continuing`: an earlier file whose first rows are this one's (see `ParquetFilePrefix`); its
    /// bytes up to its last row group are copied when its schema and key-value metadata are this
    /// writer's, and `continuedRows` says how many rows that kept. `observer`: sees every byte of the
    /// file as it is written (`AtomicFile`), the copied ones first; when `continuedRows` > 0 it has
    /// seen exactly the prefix's `byteCount` bytes when this returns, so its owner can check them.
    public init(path: String, columns: [ParquetColumn], options: ParquetWriterOptions = .init(),
                continuing prefix: ParquetFilePrefix? = nil, observer: AtomicFileObserver? = nil) throws {
        let schema = try WriterSchema(columns: columns)
        guard options.rowGroupByteLimit > 0, options.rowGroupRowLimit > 0, options.pageByteLimit > 0, options.dictionaryByteLimit >= 0 else {
            throw ParquetError.invalidArgument("byte limits must be positive")
        }
        self.columns = columns
        roots = schema.roots
        let flatLeaf = schema.roots.map { root -> Int? in if case .leaf(let index) = root.kind { return index } else { return nil } }
        self.flatLeaf = flatLeaf
        flatPhysicalType = flatLeaf.map { $0.map { schema.leaves[$0].physicalType } }
        schemaElements = schema.elements
        self.options = options
        let compressor = try PageCompressor(options.compression)
        self.compressor = compressor
        let background = options.compressInBackground && options.compression != .uncompressed
            ? try BackgroundCompressor(options.compression) : nil
        columnWriters = schema.leaves.map { ColumnChunkWriter(leaf: $0, options: options, compressor: compressor, background: background) }
        self.background = background
        file = try AtomicFile(path: path, observer: observer)
        if let prefix, prefix.matches(template: footer(rows: 0, groups: [], kept: (0, []))) {
            try guarded { try file.copy(from: prefix.descriptor, count: prefix.byteCount) }
            rowCount = prefix.rowCount
            continuedRows = prefix.rowCount
            rowGroupCount = prefix.rowGroupCount
            keptRowGroups = (prefix.rowGroupCount, prefix.rowGroupBytes)
        } else {
            try guarded { try file.write(Self.magic) }
        }
    }

    /// The footer's FileMetaData.
    private func footer(rows: Int, groups: [RowGroup], kept: (count: Int, bytes: [UInt8])) -> [UInt8] {
        var metadata = FileMetaData(schema: schemaElements, numRows: Int64(rows), rowGroups: groups,
                                    keyValueMetadata: options.keyValueMetadata, createdBy: options.createdBy, leafColumnCount: columnWriters.count)
        metadata.keptRowGroups = kept
        return ThriftCompactEncoder.encode(metadata)
    }

    deinit {
        if state == .open { file.discard() }
    }

    /// Appends one row: one value per column, in schema order.
    /// - Throws: `ParquetError` on a wrong value count or a value that does not fit its column
    ///   (the writer stays usable; the row is not added), or on an I/O / compression failure
    ///   (the writer is then failed and its temporary file removed).
    public func append(_ row: [ParquetValue]) throws {
        try checkOpen()
        guard valuesInRow == 0 else { throw ParquetError.invalidArgument("append(_:) in the middle of a row built value by value") }
        guard row.count == columns.count else {
            throw ParquetError.invalidArgument("row has \(row.count) values, schema has \(columns.count) columns")
        }
        for (index, value) in row.enumerated() where !accepts(value, column: index) {
            throw mismatch(value, column: index)
        }
        try guarded {
            for (index, value) in row.enumerated() { try append(value, column: index) }
            rowsInGroup += 1
            rowCount += 1
            if try rowGroupIsFull() { try flushRowGroup() }
        }
    }

    /// Column-oriented fast path: `columns[i]` holds the values of schema column `i`; all arrays
    /// must have the same length. Same values as appending the rows one by one; the row-group size
    /// is checked every 1,024 rows, so row-group boundaries may differ slightly.
    public func append(columns batch: [[ParquetValue]]) throws {
        try checkOpen()
        guard valuesInRow == 0 else { throw ParquetError.invalidArgument("append(columns:) in the middle of a row built value by value") }
        guard batch.count == columns.count else {
            throw ParquetError.invalidArgument("batch has \(batch.count) columns, schema has \(columns.count)")
        }
        let rows = batch.first?.count ?? 0
        for (index, values) in batch.enumerated() {
            guard values.count == rows else { throw ParquetError.invalidArgument("batch columns have different lengths") }
            for value in values where !accepts(value, column: index) { throw mismatch(value, column: index) }
        }
        try guarded {
            var start = 0
            while start < rows {
                let end = min(start + Self.batchSlice, rows)
                for (index, values) in batch.enumerated() {
                    for row in start..<end { try append(values[row], column: index) }
                }
                rowsInGroup += end - start
                rowCount += end - start
                if try rowGroupIsFull() { try flushRowGroup() }
                start = end
            }
        }
    }

    /// Appends one row of `ParquetFieldValue`s (what `ParquetFileReader` returns), one per column in
    /// schema order: any type, nested ones included (see `ParquetType` for which values each takes).
    /// - Throws: `ParquetError` on a wrong value count or a value that does not fit its column (the
    ///   writer stays usable; the row is not added), or on an I/O / compression failure.
    public func append(fields row: [ParquetFieldValue]) throws {
        try checkOpen()
        guard valuesInRow == 0 else { throw ParquetError.invalidArgument("append(fields:) in the middle of a row built value by value") }
        guard row.count == columns.count else {
            throw ParquetError.invalidArgument("row has \(row.count) values, schema has \(columns.count) columns")
        }
        for (index, value) in row.enumerated() {
            try ValueShredder.shred(value, roots[index], repetition: 0, definition: 0, into: &columnWriters, dryRun: true)
        }
        try guarded {
            for (index, value) in row.enumerated() { try shred(value, column: index) }
            rowsInGroup += 1
            rowCount += 1
            if try rowGroupIsFull() { try flushRowGroup() }
        }
    }

    // MARK: value by value

    /// Any column's value as a `ParquetFieldValue` (as in `append(fields:)`); a value that does not
    /// fit fails the writer.
    public func appendField(_ value: ParquetFieldValue, column: Int) throws {
        try beginValue(column, fits: true)
        try guarded { try shred(value, column: column) }
    }

    /// Fast path for callers that decode rows field by field: give each column its value with one
    /// `append…(column:)` call (in any column order), then call `endRow()`. No `[ParquetValue]` per row
    /// and no copy of string values; the file is the same as with `append(_:)`. A value that does not
    /// fit its column, a column given twice or missing, fails the writer (its temporary file is removed).
    public func appendNull(column: Int) throws {
        try beginValue(column, fits: columns[column].optional)
        try guarded { try append(.null, column: column) }
    }

    /// An INT64 column's value (a timestamp's, a decimal's unscaled one: the physical value).
    public func appendInt64(_ value: Int64, column: Int) throws {
        try beginValue(column, fits: physicalType(column) == .int64)
        try guarded { try columnWriters[flatLeaf[column]!].appendInt64(value) }
    }

    public func appendDouble(_ value: Double, column: Int) throws {
        try beginValue(column, fits: physicalType(column) == .double)
        try guarded { try columnWriters[flatLeaf[column]!].appendDouble(value) }
    }

    public func appendBool(_ value: Bool, column: Int) throws {
        try beginValue(column, fits: physicalType(column) == .boolean)
        try guarded { try columnWriters[flatLeaf[column]!].appendBool(value) }
    }

    /// A BYTE_ARRAY column's value (a string's UTF-8, not checked: as with `ParquetValue.bytes`).
    public func appendBytes(_ bytes: UnsafeRawBufferPointer, column: Int) throws {
        try beginValue(column, fits: physicalType(column) == .byteArray)
        try guarded { try columnWriters[flatLeaf[column]!].appendBytes(bytes) }
    }

    /// Ends the row built with the `append…(column:)` calls.
    public func endRow() throws {
        try checkOpen()
        guard valuesInRow == columns.count else {
            abandon()
            throw ParquetError.invalidArgument("row has \(valuesInRow) values, schema has \(columns.count) columns")
        }
        valuesInRow = 0
        for index in rowHasValue.indices { rowHasValue[index] = false }
        try guarded {
            rowsInGroup += 1
            rowCount += 1
            if try rowGroupIsFull() { try flushRowGroup() }
        }
    }

    @inline(__always)
    private func beginValue(_ column: Int, fits: Bool) throws {
        try checkOpen()
        if rowHasValue.isEmpty { rowHasValue = [Bool](repeating: false, count: columns.count) }
        guard fits, !rowHasValue[column] else {
            abandon()
            throw ParquetError.invalidArgument(fits ? "column \(columns[column].name) was given two values in one row"
                                    : "a value does not fit \(columns[column].optional ? "optional" : "required") \(Self.typeName(columns[column].type)) column \(columns[column].name)")
        }
        rowHasValue[column] = true
        valuesInRow += 1
    }

    /// Writes the last row group and the footer, then renames the file onto `path`.
    public func close() throws {
        try checkOpen()
        if valuesInRow > 0 {
            abandon()
            throw ParquetError.invalidArgument("close() in the middle of a row (\(valuesInRow) of \(columns.count) values given)")
        }
        try guarded {
            if rowsInGroup > 0 { try flushRowGroup() }
            let footer = footer(rows: rowCount, groups: rowGroups, kept: keptRowGroups)
            var tail = footer
            tail.appendLittleEndian(UInt32(footer.count))
            tail.append(contentsOf: Self.magic)
            try file.write(tail)
            try file.commit()
            state = .closed
        }
    }

    /// Gives up on the file: removes the temporary file. Later calls throw.
    public func abandon() {
        guard state == .open else { return }
        state = .failed
        file.discard()
    }

    // MARK: - private

    @inline(__always)
    private func physicalType(_ column: Int) -> ParquetPhysicalType? { flatPhysicalType[column] }

    /// Whether a `ParquetValue` fits: a primitive column's by physical type, a nested one's only null.
    private func accepts(_ value: ParquetValue, column: Int) -> Bool {
        if let leaf = flatLeaf[column] { return columnWriters[leaf].accepts(value) }
        return value == .null && columns[column].optional
    }

    /// Appends a value `accepts` took.
    @inline(__always)
    private func append(_ value: ParquetValue, column: Int) throws {
        if let leaf = flatLeaf[column] {
            try columnWriters[leaf].append(value)
        } else {
            try shred(.null, column: column)
        }
    }

    /// Shreds one value of `column` into its leaves; a nested column's leaves then end the record.
    private func shred(_ value: ParquetFieldValue, column: Int) throws {
        let root = roots[column]
        try ValueShredder.shred(value, root, repetition: 0, definition: 0, into: &columnWriters, dryRun: false)
        if flatLeaf[column] == nil {
            for leaf in root.leaves { try columnWriters[leaf].endRecord() }
        } else {
            try columnWriters[root.leaves.lowerBound].endRecord()
        }
    }

    /// Whether the buffered encoded data reached `rowGroupByteLimit`. With background compression the
    /// pages' header sizes are known a few bytes either way until their compression is done: only
    /// when the limit falls in between does this wait for it, so the row groups are the same as
    /// without (and so is the file).
    private func rowGroupIsFull() throws -> Bool {
        if rowsInGroup >= options.rowGroupRowLimit { return true }
        var lowerBound = 0, uncertainty = 0
        // By index: `for writer in columnWriters` copied each writer (a retain and release of each of
        // its buffers) on every row.
        for index in columnWriters.indices {
            let (low, uncertain) = columnWriters[index].bufferedBytes
            lowerBound += low
            uncertainty += uncertain
        }
        if lowerBound >= options.rowGroupByteLimit { return true }
        if lowerBound + uncertainty < options.rowGroupByteLimit { return false }
        try background?.wait()
        return columnWriters.reduce(0) { $0 + $1.exactBufferedBytes } >= options.rowGroupByteLimit
    }

    private func checkOpen() throws {
        switch state {
        case .open: return
        case .closed: throw ParquetError.invalidArgument("writer is already closed")
        case .failed: throw ParquetError.invalidArgument("writer failed earlier; its file was removed")
        }
    }

    /// Runs `body`; any error fails the writer and removes the temporary file.
    private func guarded(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            abandon()
            throw error
        }
    }

    private func mismatch(_ value: ParquetValue, column index: Int) -> ParquetError {
        let column = columns[index]
        let kind = column.optional ? "optional" : "required"
        return ParquetError.invalidArgument("value \(value) does not fit \(kind) \(Self.typeName(column.type)) column \(column.name)")
    }

    /// A type as messages name it: "string", "list", "decimal(10, 2)"…
    private static func typeName(_ type: ParquetType) -> String {
        switch type {
        case .list: return "list"
        case .map: return "map"
        case .structure: return "struct"
        default: return "\(type)"
        }
    }

    private func flushRowGroup() throws {
        var chunks: [ColumnChunk] = []
        var totalByteSize: Int64 = 0
        for index in columnWriters.indices {
            let finished = try columnWriters[index].finishChunk()
            let leaf = columnWriters[index].leaf
            let chunkStart = file.offset
            var dictionaryOffset: Int64?
            if let page = finished.dictionaryPage {
                dictionaryOffset = chunkStart
                try file.write(page)
            }
            let dataOffset = file.offset
            for page in finished.dataPages { try file.write(page) }
            let metadata = ColumnMetaData(
                type: leaf.physicalType, encodings: finished.encodings,
                path: leaf.path, codec: compressor.codec, numValues: finished.valueCount,
                totalUncompressedSize: finished.totalUncompressedSize,
                totalCompressedSize: finished.totalCompressedSize,
                dataPageOffset: dataOffset, dictionaryPageOffset: dictionaryOffset,
                statistics: finished.statistics)
            chunks.append(ColumnChunk(fileOffset: chunkStart, metaData: metadata))
            totalByteSize += finished.totalUncompressedSize
        }
        rowGroups.append(RowGroup(columns: chunks, totalByteSize: totalByteSize, numRows: Int64(rowsInGroup)))
        rowGroupCount += 1
        rowsInGroup = 0
    }
}
