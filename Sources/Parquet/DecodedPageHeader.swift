/// parquet.thrift `PageHeader` as the reader decodes it, with the data page (v1 or v2) and
/// dictionary page headers flattened in; index pages and statistics are skipped.
struct DecodedPageHeader {
    /// PageType: DATA_PAGE 0, INDEX_PAGE 1, DICTIONARY_PAGE 2, DATA_PAGE_V2 3.
    var type: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    var crc: Int32?
    /// Values in the page (levels, nulls included), or entries of a dictionary page.
    var numValues: Int32 = -1
    var encoding: Int32 = 0
    var definitionLevelEncoding: Int32 = 3
    var repetitionLevelEncoding: Int32 = 3
    // DataPageHeaderV2
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsByteLength: Int32 = 0
    var repetitionLevelsByteLength: Int32 = 0
    var isCompressed = true

    static let dataPage: Int32 = 0, indexPage: Int32 = 1, dictionaryPage: Int32 = 2, dataPageV2: Int32 = 3

    static func decode(_ d: inout ThriftCompactDecoder) throws -> DecodedPageHeader {
        var h = DecodedPageHeader()
        try d.readStruct { d, id, type in
            switch (id, type) {
            case (1, .i32): h.type = try d.readI32()
            case (2, .i32): h.uncompressedSize = try d.readI32()
            case (3, .i32): h.compressedSize = try d.readI32()
            case (4, .i32): h.crc = try d.readI32()
            case (5, .structure):
                try d.readStruct { d, id, type in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try d.readI32()
                    case (2, .i32): h.encoding = try d.readI32()
                    case (3, .i32): h.definitionLevelEncoding = try d.readI32()
                    case (4, .i32): h.repetitionLevelEncoding = try d.readI32()
                    default: try d.skip(type)
                    }
                }
            case (7, .structure):
                try d.readStruct { d, id, type in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try d.readI32()
                    case (2, .i32): h.encoding = try d.readI32()
                    default: try d.skip(type)
                    }
                }
            case (8, .structure):
                try d.readStruct { d, id, type in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try d.readI32()
                    case (2, .i32): h.numNulls = try d.readI32()
                    case (3, .i32): h.numRows = try d.readI32()
                    case (4, .i32): h.encoding = try d.readI32()
                    case (5, .i32): h.definitionLevelsByteLength = try d.readI32()
                    case (6, .i32): h.repetitionLevelsByteLength = try d.readI32()
                    case (7, .boolTrue), (7, .boolFalse): h.isCompressed = d.readBool()
                    default: try d.skip(type)
                    }
                }
            default: try d.skip(type)
            }
        }
        return h
    }
}
