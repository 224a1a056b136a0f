// The subset of parquet.thrift (apache/parquet-format) this writer emits. Field ids follow the spec.

enum PhysicalType: Int32 {
    case boolean = 0, int64 = 2, double = 5, byteArray = 6
}

enum FieldRepetition: Int32 {
    case required = 0, optional = 1
}

enum ColumnEncoding: Int32 {
    case plain = 0, rle = 3, rleDictionary = 8
}

enum CompressionCodec: Int32 {
    case uncompressed = 0, snappy = 1, zstd = 6
}

enum PageType: Int32 {
    case dataPage = 0, dictionaryPage = 2
}

/// ConvertedType.UTF8
let convertedTypeUTF8: Int32 = 0

struct Statistics: ThriftStruct {
    var nullCount: Int64
    /// PLAIN-encoded, without length prefix for byte arrays.
    var maxValue: [UInt8]?
    var minValue: [UInt8]?

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeI64(3, nullCount)
        if let maxValue { e.writeBinary(5, maxValue) }
        if let minValue { e.writeBinary(6, minValue) }
    }
}

/// LogicalType union with only its STRING member.
struct StringLogicalType: ThriftStruct {
    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeStruct(1, ThriftEmptyStruct())
    }
}

struct SchemaElement: ThriftStruct {
    var type: PhysicalType?
    var repetition: FieldRepetition?
    var name: String
    var numChildren: Int32?
    var isString = false

    func writeFields(to e: inout ThriftCompactEncoder) {
        if let type { e.writeI32(1, type.rawValue) }
        if let repetition { e.writeI32(3, repetition.rawValue) }
        e.writeString(4, name)
        if let numChildren { e.writeI32(5, numChildren) }
        if isString {
            e.writeI32(6, convertedTypeUTF8)
            e.writeStruct(10, StringLogicalType())
        }
    }
}

struct DataPageHeader: ThriftStruct {
    var numValues: Int32
    var encoding: ColumnEncoding

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeI32(1, numValues)
        e.writeI32(2, encoding.rawValue)
        e.writeI32(3, ColumnEncoding.rle.rawValue)  // definition levels
        e.writeI32(4, ColumnEncoding.rle.rawValue)  // repetition levels (none: flat schema)
    }
}

struct DictionaryPageHeader: ThriftStruct {
    var numValues: Int32

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeI32(1, numValues)
        e.writeI32(2, ColumnEncoding.plain.rawValue)
    }
}

struct PageHeader: ThriftStruct {
    var type: PageType
    var uncompressedSize: Int32
    var compressedSize: Int32
    var dataPage: DataPageHeader?
    var dictionaryPage: DictionaryPageHeader?

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeI32(1, type.rawValue)
        e.writeI32(2, uncompressedSize)
        e.writeI32(3, compressedSize)
        if let dataPage { e.writeStruct(5, dataPage) }
        if let dictionaryPage { e.writeStruct(7, dictionaryPage) }
    }
}

struct ColumnMetaData: ThriftStruct {
    var type: PhysicalType
    var encodings: [ColumnEncoding]
    var path: [String]
    var codec: CompressionCodec
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: Statistics

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeI32(1, type.rawValue)
        e.writeListHeader(2, elementType: .i32, count: encodings.count)
        for encoding in encodings { e.writeI32Element(encoding.rawValue) }
        e.writeListHeader(3, elementType: .binary, count: path.count)
        for part in path { e.writeStringElement(part) }
        e.writeI32(4, codec.rawValue)
        e.writeI64(5, numValues)
        e.writeI64(6, totalUncompressedSize)
        e.writeI64(7, totalCompressedSize)
        e.writeI64(9, dataPageOffset)
        if let dictionaryPageOffset { e.writeI64(11, dictionaryPageOffset) }
        e.writeStruct(12, statistics)
    }
}

struct ColumnChunk: ThriftStruct {
    /// Offset of the chunk's first page (parquet-mr convention).
    var fileOffset: Int64
    var metaData: ColumnMetaData

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeI64(2, fileOffset)
        e.writeStruct(3, metaData)
    }
}

struct RowGroup: ThriftStruct {
    var columns: [ColumnChunk]
    var totalByteSize: Int64
    var numRows: Int64

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeListHeader(1, elementType: .structure, count: columns.count)
        for column in columns { e.writeStruct(column) }
        e.writeI64(2, totalByteSize)
        e.writeI64(3, numRows)
    }
}

/// ColumnOrder union set to TYPE_ORDER: tells readers min_value/max_value follow the type's
/// order (unsigned bytewise for strings), so they may trust the statistics.
struct TypeDefinedColumnOrder: ThriftStruct {
    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeStruct(1, ThriftEmptyStruct())
    }
}

struct FileMetaData: ThriftStruct {
    var schema: [SchemaElement]
    var numRows: Int64
    var rowGroups: [RowGroup]
    var createdBy: String
    var leafColumnCount: Int

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeI32(1, 1)  // format version 1: v1 data pages only
        e.writeListHeader(2, elementType: .structure, count: schema.count)
        for element in schema { e.writeStruct(element) }
        e.writeI64(3, numRows)
        e.writeListHeader(4, elementType: .structure, count: rowGroups.count)
        for group in rowGroups { e.writeStruct(group) }
        e.writeString(6, createdBy)
        e.writeListHeader(7, elementType: .structure, count: leafColumnCount)
        for _ in 0..<leafColumnCount { e.writeStruct(TypeDefinedColumnOrder()) }
    }
}
