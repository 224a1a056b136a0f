// The footer as the reader decodes it: the subset of parquet.thrift's FileMetaData that reading values
// needs (field ids follow the spec; every other field is skipped). The writer's `FileMetadata.swift`
// holds the structs it encodes; these are their decoded counterparts.

/// parquet.thrift `SchemaElement`: one node of the depth-first schema list.
struct FooterSchemaElement {
    var type: Int32?
    var typeLength: Int32?
    var repetition: Int32?
    var name = ""
    var numChildren: Int32?
    var convertedType: Int32?
    var scale: Int32?
    var precision: Int32?
    var fieldId: Int32?
    var logicalType: ParquetLogicalType?
    /// A LogicalType union member this reader does not know (newer format): the column is read by its
    /// physical type.
    var hasUnknownLogicalType = false

    static func decode(_ d: inout ThriftCompactDecoder) throws -> FooterSchemaElement {
        var e = FooterSchemaElement()
        try d.readStruct { d, id, type in
            switch (id, type) {
            case (1, .i32): e.type = try d.readI32()
            case (2, .i32): e.typeLength = try d.readI32()
            case (3, .i32): e.repetition = try d.readI32()
            case (4, .binary): e.name = try d.readString()
            case (5, .i32): e.numChildren = try d.readI32()
            case (6, .i32): e.convertedType = try d.readI32()
            case (7, .i32): e.scale = try d.readI32()
            case (8, .i32): e.precision = try d.readI32()
            case (9, .i32): e.fieldId = try d.readI32()
            case (10, .structure):
                e.logicalType = try Self.decodeLogicalType(&d)
                e.hasUnknownLogicalType = e.logicalType == nil
            default: try d.skip(type)
            }
        }
        return e
    }

    /// The LogicalType union (one member set); nil for a member this reader does not know.
    private static func decodeLogicalType(_ d: inout ThriftCompactDecoder) throws -> ParquetLogicalType? {
        var result: ParquetLogicalType?
        try d.readStruct { d, id, type in
            guard type == .structure else { return try d.skip(type) }
            switch id {
            case 1: result = .string
            case 2: result = .map
            case 3: result = .list
            case 4: result = .enumeration
            case 5:
                var scale: Int32 = 0, precision: Int32 = 0
                try d.readStruct { d, id, type in
                    switch (id, type) {
                    case (1, .i32): scale = try d.readI32()
                    case (2, .i32): precision = try d.readI32()
                    default: try d.skip(type)
                    }
                }
                result = .decimal(precision: precision, scale: scale)
                return
            case 6: result = .date
            case 7, 8:
                var utc = false
                var unit = ParquetTimeUnit.millis
                try d.readStruct { d, id, type in
                    switch (id, type) {
                    case (1, .boolTrue), (1, .boolFalse): utc = d.readBool()
                    case (2, .structure): unit = try decodeTimeUnit(&d)
                    default: try d.skip(type)
                    }
                }
                result = id == 7 ? .time(unit: unit, adjustedToUTC: utc) : .timestamp(unit: unit, adjustedToUTC: utc)
                return
            case 10:
                var bitWidth: Int8 = 64
                var signed = true
                try d.readStruct { d, id, type in
                    switch (id, type) {
                    case (1, .byte): bitWidth = Int8(truncatingIfNeeded: try d.readI8())
                    case (2, .boolTrue), (2, .boolFalse): signed = d.readBool()
                    default: try d.skip(type)
                    }
                }
                result = .integer(bitWidth: bitWidth, signed: signed)
                return
            case 11: result = .null
            case 12: result = .json
            case 13: result = .bson
            case 14: result = .uuid
            case 15: result = .float16
            default: result = nil
            }
            try d.skip(type)
        }
        return result
    }

    private static func decodeTimeUnit(_ d: inout ThriftCompactDecoder) throws -> ParquetTimeUnit {
        var unit = ParquetTimeUnit.millis
        try d.readStruct { d, id, type in
            switch id {
            case 2: unit = .micros
            case 3: unit = .nanos
            default: unit = .millis
            }
            try d.skip(type)
        }
        return unit
    }
}

/// parquet.thrift `ColumnChunk` with its `ColumnMetaData` (meta_data) flattened in.
struct FooterColumnChunk {
    var filePath: String?
    var type: Int32 = -1
    var encodings: [Int32] = []
    var pathInSchema: [String] = []
    var codec: Int32 = 0
    var numValues: Int64 = 0
    var totalUncompressedSize: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = -1
    var dictionaryPageOffset: Int64?
    var hasMetaData = false
    /// The chunk is encrypted (crypto_metadata / encrypted_column_metadata present).
    var encrypted = false

    static func decode(_ d: inout ThriftCompactDecoder) throws -> FooterColumnChunk {
        var c = FooterColumnChunk()
        try d.readStruct { d, id, type in
            switch (id, type) {
            case (1, .binary): c.filePath = try d.readString()
            case (3, .structure):
                c.hasMetaData = true
                try c.decodeMetaData(&d)
            case (8, _), (9, _):
                c.encrypted = true
                try d.skip(type)
            default: try d.skip(type)
            }
        }
        return c
    }

    private mutating func decodeMetaData(_ d: inout ThriftCompactDecoder) throws {
        try d.readStruct { d, id, type in
            switch (id, type) {
            case (1, .i32): self.type = try d.readI32()
            case (2, .list): self.encodings = try d.readI32List()
            case (3, .list): self.pathInSchema = try d.readStringList()
            case (4, .i32): self.codec = try d.readI32()
            case (5, .i64): self.numValues = try d.readI64()
            case (6, .i64): self.totalUncompressedSize = try d.readI64()
            case (7, .i64): self.totalCompressedSize = try d.readI64()
            case (9, .i64): self.dataPageOffset = try d.readI64()
            case (11, .i64): self.dictionaryPageOffset = try d.readI64()
            default: try d.skip(type)
            }
        }
    }
}

/// parquet.thrift `RowGroup`.
struct FooterRowGroup {
    var columns: [FooterColumnChunk] = []
    var totalByteSize: Int64 = 0
    var numRows: Int64 = 0

    static func decode(_ d: inout ThriftCompactDecoder) throws -> FooterRowGroup {
        var g = FooterRowGroup()
        try d.readStruct { d, id, type in
            switch (id, type) {
            case (1, .list): g.columns = try d.readStructList { try FooterColumnChunk.decode(&$0) }
            case (2, .i64): g.totalByteSize = try d.readI64()
            case (3, .i64): g.numRows = try d.readI64()
            default: try d.skip(type)
            }
        }
        return g
    }
}

/// parquet.thrift `FileMetaData`.
struct FooterFileMetaData {
    var version: Int32 = 0
    var schema: [FooterSchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [FooterRowGroup] = []
    var keyValueMetadata: [(key: String, value: String?)] = []
    var createdBy: String?

    static func decode(_ d: inout ThriftCompactDecoder) throws -> FooterFileMetaData {
        var m = FooterFileMetaData()
        try d.readStruct { d, id, type in
            switch (id, type) {
            case (1, .i32): m.version = try d.readI32()
            case (2, .list): m.schema = try d.readStructList { try FooterSchemaElement.decode(&$0) }
            case (3, .i64): m.numRows = try d.readI64()
            case (4, .list): m.rowGroups = try d.readStructList { try FooterRowGroup.decode(&$0) }
            case (5, .list):
                m.keyValueMetadata = try d.readStructList { d in
                    var key = "", value: String?
                    try d.readStruct { d, id, type in
                        switch (id, type) {
                        case (1, .binary): key = try d.readString()
                        case (2, .binary): value = try d.readString()
                        default: try d.skip(type)
                        }
                    }
                    return (key, value)
                }
            case (6, .binary): m.createdBy = try d.readString()
            default: try d.skip(type)
            }
        }
        return m
    }
}
