// The subset of parquet.thrift (apache/parquet-format) this writer emits. Field ids follow the spec.
// The enums list every value of the spec: the reader (`FooterMetadata.swift`) names them too.

enum ColumnEncoding: Int32, CustomStringConvertible {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5
    case deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9

    var description: String {
        switch self {
        case .plain: return "PLAIN"
        case .plainDictionary: return "PLAIN_DICTIONARY"
        case .rle: return "RLE"
        case .bitPacked: return "BIT_PACKED"
        case .deltaBinaryPacked: return "DELTA_BINARY_PACKED"
        case .deltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY"
        case .deltaByteArray: return "DELTA_BYTE_ARRAY"
        case .rleDictionary: return "RLE_DICTIONARY"
        case .byteStreamSplit: return "BYTE_STREAM_SPLIT"
        }
    }

    /// The name of encoding `raw`, known or not (for error messages).
    static func name(_ raw: Int32) -> String {
        ColumnEncoding(rawValue: raw)?.description ?? "#\(raw)"
    }
}

enum CompressionCodec: Int32, CustomStringConvertible {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7

    var description: String {
        switch self {
        case .uncompressed: return "UNCOMPRESSED"
        case .snappy: return "SNAPPY"
        case .gzip: return "GZIP"
        case .lzo: return "LZO"
        case .brotli: return "BROTLI"
        case .lz4: return "LZ4"
        case .zstd: return "ZSTD"
        case .lz4Raw: return "LZ4_RAW"
        }
    }
}

enum PageType: Int32 {
    case dataPage = 0, dictionaryPage = 2
}

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

/// The LogicalType union with the member of `type` set (the reader's `decodeLogicalType` in reverse).
struct LogicalTypeUnion: ThriftStruct {
    var type: ParquetLogicalType

    /// DecimalType, TimeType/TimestampType and IntType, the members with fields.
    private struct Decimal: ThriftStruct {
        var scale: Int32, precision: Int32
        func writeFields(to e: inout ThriftCompactEncoder) {
            e.writeI32(1, scale)
            e.writeI32(2, precision)
        }
    }

    private struct Time: ThriftStruct {
        var unit: ParquetTimeUnit, utc: Bool
        func writeFields(to e: inout ThriftCompactEncoder) {
            e.writeBool(1, utc)
            e.writeStruct(2, Unit(unit: unit))
        }
    }

    /// TimeUnit union: MILLIS 1, MICROS 2, NANOS 3 (empty structs).
    private struct Unit: ThriftStruct {
        var unit: ParquetTimeUnit
        func writeFields(to e: inout ThriftCompactEncoder) {
            switch unit {
            case .millis: e.writeStruct(1, ThriftEmptyStruct())
            case .micros: e.writeStruct(2, ThriftEmptyStruct())
            case .nanos: e.writeStruct(3, ThriftEmptyStruct())
            }
        }
    }

    private struct Integer: ThriftStruct {
        var bitWidth: Int8, signed: Bool
        func writeFields(to e: inout ThriftCompactEncoder) {
            e.writeByte(1, bitWidth)
            e.writeBool(2, signed)
        }
    }

    /// Whether the union has a member for `type` (INTERVAL has none: ConvertedType only).
    static func exists(for type: ParquetLogicalType) -> Bool { type != .interval }

    func writeFields(to e: inout ThriftCompactEncoder) {
        switch type {
        case .string: e.writeStruct(1, ThriftEmptyStruct())
        case .map: e.writeStruct(2, ThriftEmptyStruct())
        case .list: e.writeStruct(3, ThriftEmptyStruct())
        case .enumeration: e.writeStruct(4, ThriftEmptyStruct())
        case .decimal(let precision, let scale): e.writeStruct(5, Decimal(scale: scale, precision: precision))
        case .date: e.writeStruct(6, ThriftEmptyStruct())
        case .time(let unit, let utc): e.writeStruct(7, Time(unit: unit, utc: utc))
        case .timestamp(let unit, let utc): e.writeStruct(8, Time(unit: unit, utc: utc))
        case .integer(let bitWidth, let signed): e.writeStruct(10, Integer(bitWidth: bitWidth, signed: signed))
        case .null: e.writeStruct(11, ThriftEmptyStruct())
        case .json: e.writeStruct(12, ThriftEmptyStruct())
        case .bson: e.writeStruct(13, ThriftEmptyStruct())
        case .uuid: e.writeStruct(14, ThriftEmptyStruct())
        case .float16: e.writeStruct(15, ThriftEmptyStruct())
        case .interval: break
        }
    }

    /// The legacy ConvertedType of `type`, for readers older than LogicalType (LogicalTypes.md,
    /// "Backward compatibility"); nil where there is none (TIMESTAMP not adjusted to UTC, nanoseconds,
    /// UUID, FLOAT16, UNKNOWN).
    static func convertedType(of type: ParquetLogicalType) -> Int32? {
        switch type {
        case .string: return 0
        case .map: return 1
        case .list: return 3
        case .enumeration: return 4
        case .decimal: return 5
        case .date: return 6
        case .time(.millis, true): return 7
        case .time(.micros, true): return 8
        case .timestamp(.millis, true): return 9
        case .timestamp(.micros, true): return 10
        case .integer(let bitWidth, let signed):
            let base: Int32 = signed ? 15 : 11
            switch bitWidth {
            case 8: return base
            case 16: return base + 1
            case 32: return base + 2
            case 64: return base + 3
            default: return nil
            }
        case .json: return 19
        case .bson: return 20
        case .interval: return 21
        default: return nil
        }
    }
}

struct SchemaElement: ThriftStruct {
    var type: ParquetPhysicalType?
    /// FIXED_LEN_BYTE_ARRAY's width.
    var typeLength: Int32?
    var repetition: ParquetRepetition?
    var name: String
    var numChildren: Int32?
    /// The logical type: written as LogicalType (field 10) and as its ConvertedType (6, with scale
    /// and precision for decimals) where it has one.
    var logicalType: ParquetLogicalType?
    /// A ConvertedType to write (field 6) when there is no logical type; the reader's tests use
    /// it to build legacy schemas (LIST groups of other writers).
    var convertedType: Int32?

    init(type: ParquetPhysicalType? = nil, typeLength: Int32? = nil, repetition: ParquetRepetition? = nil, name: String,
         numChildren: Int32? = nil, logicalType: ParquetLogicalType? = nil, convertedType: Int32? = nil) {
        self.type = type
        self.typeLength = typeLength
        self.repetition = repetition
        self.name = name
        self.numChildren = numChildren
        self.logicalType = logicalType
        self.convertedType = convertedType
    }

    func writeFields(to e: inout ThriftCompactEncoder) {
        if let type { e.writeI32(1, type.rawValue) }
        if let typeLength { e.writeI32(2, typeLength) }
        if let repetition { e.writeI32(3, repetition.rawValue) }
        e.writeString(4, name)
        if let numChildren { e.writeI32(5, numChildren) }
        if let converted = logicalType.flatMap(LogicalTypeUnion.convertedType(of:)) ?? convertedType { e.writeI32(6, converted) }
        if case .decimal(let precision, let scale)? = logicalType {
            e.writeI32(7, scale)
            e.writeI32(8, precision)
        }
        if let logicalType, LogicalTypeUnion.exists(for: logicalType) { e.writeStruct(10, LogicalTypeUnion(type: logicalType)) }
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
    var type: ParquetPhysicalType
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

/// parquet.thrift `KeyValue`: one entry of the footer's key_value_metadata.
struct KeyValue: ThriftStruct {
    var key: String
    var value: String?

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeString(1, key)
        if let value { e.writeString(2, value) }
    }
}

struct FileMetaData: ThriftStruct {
    var schema: [SchemaElement]
    var numRows: Int64
    var rowGroups: [RowGroup]
    var keyValueMetadata: [(key: String, value: String?)] = []
    var createdBy: String
    var leafColumnCount: Int
    /// Row groups of an earlier file kept before `rowGroups` (`ParquetFilePrefix`): their count and
    /// their entries as that file's footer has them.
    var keptRowGroups: (count: Int, bytes: [UInt8]) = (0, [])

    func writeFields(to e: inout ThriftCompactEncoder) {
        e.writeI32(1, 1)  // format version 1: v1 data pages only
        e.writeListHeader(2, elementType: .structure, count: schema.count)
        for element in schema { e.writeStruct(element) }
        e.writeI64(3, numRows)
        e.writeListHeader(4, elementType: .structure, count: keptRowGroups.count + rowGroups.count)
        e.writeRaw(keptRowGroups.bytes)
        for group in rowGroups { e.writeStruct(group) }
        if !keyValueMetadata.isEmpty {
            e.writeListHeader(5, elementType: .structure, count: keyValueMetadata.count)
            for pair in keyValueMetadata { e.writeStruct(KeyValue(key: pair.key, value: pair.value)) }
        }
        e.writeString(6, createdBy)
        e.writeListHeader(7, elementType: .structure, count: leafColumnCount)
        for _ in 0..<leafColumnCount { e.writeStruct(TypeDefinedColumnOrder()) }
    }
}
