import Dispatch

// How a Parquet file is laid out, and how this reader walks it
// ============================================================
//
// A Parquet file is `PAR1`, then the data, then the footer, its 4-byte little-endian length and `PAR1`
// again. The footer (FileMetaData, Thrift compact protocol: `ThriftCompactDecoder`) holds the schema
// as a depth-first list of SchemaElements (`ParquetFileSchema` rebuilds the tree), the number of rows,
// and the row groups. A row group is a horizontal slice of the rows; inside it each leaf (primitive)
// column has one column chunk: a run of pages, each a Thrift PageHeader and a body compressed on its
// own. An optional dictionary page comes first; data pages (v1 or v2) follow. A data page holds, for
// each of its entries, a repetition level (which list, if any, gets a new element), a definition
// level (how much of the path from the top-level field down to the leaf is present) and, when the
// definition level is the column's maximum, a value. Levels are RLE/bit-packed; values are PLAIN,
// dictionary indices, or one of the DELTA / BYTE_STREAM_SPLIT encodings (`PageValueDecoder`). v1 pages
// compress levels and values together and prefix each level run with its length; v2 pages keep the
// levels uncompressed in front, their lengths in the header.
//
// The reader is layered the same way:
//   ParquetFileReader    the file: magic, footer, schema, row-group directory (this file);
//   ParquetRowGroup      one row group's selected columns, decoded; rows out of them;
//   ColumnChunkReader    one column chunk: its bytes in one read, then page by page;
//   PageDecompressor     the codec (Debian's libzstd, libsnappy, zlib, liblz4, libbrotli);
//   PageValueDecoder, RLEHybridDecoder, DeltaBinaryPackedDecoder   the encodings;
//   RecordAssembler      nested fields rebuilt from levels (LIST, MAP, groups);
//   ParquetFieldValue    the values, with their JSON rendering.
//
// Memory is bounded by one row group: `readRowGroup` decodes the selected columns of one group into
// column-wise arrays (byte arrays as one buffer plus offsets, as Arrow does), and the file is never
// read whole. A writer's row group can still be large (pyarrow's default is 1M rows), so callers that
// stream should read only the fields they need (`fields:`) and drop each group before the next.
//
// Damage is reported, never trusted: every length and count from the file is checked against the
// bytes that are there before it is used, page CRCs are checked when the header has one, and each
// failure is a `ParquetReadError` naming the file, row group, column and page.

/// Reads a Parquet file: its schema at once, then row group by row group.
///
/// ```swift
/// let reader = try ParquetFileReader(path: "data.parquet")
/// print(reader.schema.fieldNames)
/// for group in 0..<reader.rowGroupCount {
///     let rows = try reader.readRowGroup(group)
///     for row in rows.makeRowIterator() { print(row.map(\.jsonText)) }
/// }
/// ```
///
/// Not thread-safe: use one reader from one thread at a time (it decodes columns on several threads
/// inside `readRowGroup`).
public final class ParquetFileReader {
    public let path: String
    public let schema: ParquetFileSchema
    /// Rows in the file (the row groups' sum).
    public let rowCount: Int64
    /// The footer's created_by, e.g. "parquet-cpp-arrow version 26.0.1".
    public let createdBy: String?
    /// The footer's key/value metadata (pyarrow stores its Arrow schema there as "ARROW:schema").
    public let keyValueMetadata: [(key: String, value: String?)]
    public let options: ParquetReaderOptions

    private let file: ReadOnlyFile
    private let rowGroups: [FooterRowGroup]
    /// One per leaf column, reused from row group to row group (each keeps its output buffer).
    private var decompressors: [PageDecompressor]

    static let magic: [UInt8] = Array("PAR1".utf8)
    /// Encrypted-footer files start and end with this magic instead.
    static let encryptedMagic: [UInt8] = Array("PARE".utf8)
    /// Magic, footer length, magic.
    static let minimumFileSize: Int64 = 12

    /// Opens `path` and reads its footer.
    /// - Throws: `ParquetReadError` (not Parquet, truncated, bad footer, unsupported feature, I/O).
    public init(path: String, options: ParquetReaderOptions = .init()) throws {
        self.path = path
        self.options = options
        let file = try ReadOnlyFile(path: path)
        self.file = file
        func fail(_ problem: ParquetReadError.Problem) -> ParquetReadError { ParquetReadError(file: path, problem: problem) }

        let head = try file.read(offset: 0, count: Int(min(file.size, 4)), what: "leading magic")
        if head == Self.encryptedMagic { throw fail(.unsupported("encrypted file (PARE magic)")) }
        guard head == Self.magic else { throw fail(.notParquet) }
        guard file.size >= Self.minimumFileSize else { throw fail(.truncated("\(file.size) bytes, too short for a footer")) }
        let tail = try file.read(offset: file.size - 8, count: 8, what: "footer length")
        guard Array(tail[4...]) == Self.magic else {
            throw fail(.truncated("no PAR1 magic at the end: the file is cut short or was not finished"))
        }
        let footerLength = Int64(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard footerLength <= file.size - Self.minimumFileSize else {
            throw fail(.truncated("footer of \(footerLength) bytes in a file of \(file.size)"))
        }
        let footer = try file.read(offset: file.size - 8 - footerLength, count: Int(footerLength), what: "footer")
        let metadata: FooterFileMetaData
        let schema: ParquetFileSchema
        do {
            metadata = try footer.withUnsafeBytes { raw in
                var decoder = ThriftCompactDecoder(raw)
                return try FooterFileMetaData.decode(&decoder)
            }
            schema = try ParquetFileSchema(elements: metadata.schema)
        } catch let failure as ThriftCompactDecoder.Failure {
            throw fail(.badMetadata("footer: \(failure.message)"))
        }
        for (g, group) in metadata.rowGroups.enumerated() {
            func groupFail(_ problem: ParquetReadError.Problem, column: Int? = nil) -> ParquetReadError {
                ParquetReadError(file: path, rowGroup: g, column: column.map { schema.leaves[$0].dottedPath }, problem: problem)
            }
            guard group.numRows >= 0 else { throw groupFail(.badMetadata("\(group.numRows) rows")) }
            guard group.columns.count == schema.leaves.count else {
                throw groupFail(.badMetadata("\(group.columns.count) column chunks for \(schema.leaves.count) leaf columns"))
            }
            for (c, chunk) in group.columns.enumerated() {
                if chunk.encrypted { throw groupFail(.unsupported("encrypted column"), column: c) }
                if let other = chunk.filePath, !other.isEmpty { throw groupFail(.unsupported("column chunk stored in another file (\(other))"), column: c) }
                guard chunk.hasMetaData else { throw groupFail(.badMetadata("column chunk without metadata"), column: c) }
            }
        }
        self.schema = schema
        rowGroups = metadata.rowGroups
        rowCount = metadata.rowGroups.reduce(0) { $0 + $1.numRows }
        createdBy = metadata.createdBy
        keyValueMetadata = metadata.keyValueMetadata
        decompressors = schema.leaves.map { _ in PageDecompressor() }
    }

    public var rowGroupCount: Int { rowGroups.count }

    /// Rows in row group `index`.
    public func rowCount(ofRowGroup index: Int) -> Int { Int(rowGroups[index].numRows) }

    /// Reads and decodes row group `index`: the top-level `fields` given (indices into
    /// `schema.fields`, every field when nil), in that order in each row.
    /// - Throws: `ParquetReadError` naming the row group, column and page.
    public func readRowGroup(_ index: Int, fields: [Int]? = nil) throws -> ParquetRowGroup {
        precondition(index >= 0 && index < rowGroups.count, "row group \(index) of \(rowGroups.count)")
        let fieldIndices = fields ?? Array(schema.fields.indices)
        let wanted = Set(fieldIndices)
        let leaves = schema.leaves.indices.filter { wanted.contains(schema.leaves[$0].topLevelField) }
        let group = rowGroups[index]
        var results = [Result<ColumnChunkData, Error>?](repeating: nil, count: leaves.count)
        let decode = { [file, schema, decompressors, options] (k: Int) -> Result<ColumnChunkData, Error> in
            let leaf = leaves[k]
            return Result {
                try ColumnChunkReader(file: file, chunk: group.columns[leaf], leaf: schema.leaves[leaf], rowGroup: index,
                                      rowCount: group.numRows, decompressor: decompressors[leaf],
                                      verifyChecksums: options.verifyChecksums).read()
            }
        }
        if options.decodeColumnsInParallel && leaves.count > 1 {
            results.withUnsafeMutableBufferPointer { slots in
                let out = slots
                DispatchQueue.concurrentPerform(iterations: leaves.count) { k in out[k] = decode(k) }
            }
        } else {
            for k in leaves.indices { results[k] = decode(k) }
        }
        var columns: [Int: ColumnChunkData] = [:]
        for (k, leaf) in leaves.enumerated() { columns[leaf] = try results[k]!.get() }
        return ParquetRowGroup(index: index, rowCount: Int(group.numRows), fieldIndices: fieldIndices, schema: schema, columns: columns)
    }

    /// Calls `body` with every row of the file in order (the `fields` given, all when nil), one row
    /// group in memory at a time.
    public func forEachRow(fields: [Int]? = nil, _ body: ([ParquetFieldValue]) throws -> Void) throws {
        for g in rowGroups.indices {
            let group = try readRowGroup(g, fields: fields)
            for row in group.makeRowIterator() { try body(row) }
        }
    }
}
