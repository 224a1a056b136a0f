import Foundation
@testable import Parquet

/// A one-leaf-column, one-page Parquet file assembled from the writer's Thrift structs, so a test can
/// give the page any encoding, codec, value count and body. By default the column is a required INT64
/// `n`; `schema` (root included), `leafPath`, `type` and `numRows` describe another one.
func writeHandMadeFile(_ path: String, encoding: ColumnEncoding = .plain, codec: CompressionCodec = .uncompressed,
                       body: [UInt8], uncompressedSize: Int? = nil, numValues: Int32,
                       schema: [SchemaElement] = [SchemaElement(name: "schema", numChildren: 1),
                                                  SchemaElement(type: .int64, repetition: .required, name: "n")],
                       leafPath: [String] = ["n"], type: ParquetPhysicalType = .int64, numRows: Int64? = nil) throws {
    var bytes = Array("PAR1".utf8)
    let header = ThriftCompactEncoder.encode(PageHeader(
        type: .dataPage, uncompressedSize: Int32(uncompressedSize ?? body.count), compressedSize: Int32(body.count),
        dataPage: DataPageHeader(numValues: numValues, encoding: encoding), dictionaryPage: nil))
    let offset = Int64(bytes.count)
    bytes += header + body
    let size = Int64(header.count + body.count)
    let metadata = ColumnMetaData(type: type, encodings: [encoding], path: leafPath, codec: codec, numValues: Int64(numValues),
                                  totalUncompressedSize: Int64(header.count + (uncompressedSize ?? body.count)), totalCompressedSize: size,
                                  dataPageOffset: offset, dictionaryPageOffset: nil,
                                  statistics: Statistics(nullCount: 0, maxValue: nil, minValue: nil))
    let footer = ThriftCompactEncoder.encode(FileMetaData(
        schema: schema, numRows: numRows ?? Int64(numValues),
        rowGroups: [RowGroup(columns: [ColumnChunk(fileOffset: offset, metaData: metadata)], totalByteSize: size,
                             numRows: numRows ?? Int64(numValues))],
        createdBy: "hand made", leafColumnCount: 1))
    bytes += footer
    bytes.appendLittleEndian(UInt32(footer.count))
    bytes += Array("PAR1".utf8)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// PLAIN INT64 values.
func plainInt64(_ values: [Int64]) -> [UInt8] {
    var out: [UInt8] = []
    for v in values { out.appendLittleEndian(v) }
    return out
}

/// Where each page of a column chunk sits in the file: (header start, body start, body size).
func pageLocations(_ path: String, rowGroup: Int, column: Int) throws -> [(header: Int, body: Int, size: Int)] {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let footerLength = Int(UInt32(bytes[bytes.count - 8]) | UInt32(bytes[bytes.count - 7]) << 8
                           | UInt32(bytes[bytes.count - 6]) << 16 | UInt32(bytes[bytes.count - 5]) << 24)
    return try bytes.withUnsafeBytes { raw -> [(header: Int, body: Int, size: Int)] in
        var decoder = ThriftCompactDecoder(UnsafeRawBufferPointer(rebasing: raw[(bytes.count - 8 - footerLength)..<(bytes.count - 8)]))
        let metadata = try FooterFileMetaData.decode(&decoder)
        let chunk = metadata.rowGroups[rowGroup].columns[column]
        var position = Int(chunk.dictionaryPageOffset.map { min($0, chunk.dataPageOffset) } ?? chunk.dataPageOffset)
        let end = position + Int(chunk.totalCompressedSize)
        var pages: [(header: Int, body: Int, size: Int)] = []
        while position < end {
            var pageDecoder = ThriftCompactDecoder(raw, position: position)
            let header = try DecodedPageHeader.decode(&pageDecoder)
            pages.append((position, pageDecoder.position, Int(header.compressedSize)))
            position = pageDecoder.position + Int(header.compressedSize)
        }
        return pages
    }
}

/// Replaces bytes of the file at `path` from `offset` on.
func overwrite(_ path: String, at offset: Int, with replacement: [UInt8]) throws {
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    bytes.replaceSubrange(offset..<(offset + replacement.count), with: replacement)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
