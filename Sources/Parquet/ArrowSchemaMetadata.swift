import Foundation

/// The Arrow schema that Arrow's Parquet writers (pyarrow, arrow-rs, polars) store in the footer's
/// key/value metadata under "ARROW:schema": base64 of an Arrow IPC message holding the Schema
/// flatbuffer (Arrow's format/Message.fbs and Schema.fbs). Readers that find it take the column
/// types Parquet cannot express from it: time zones, large strings and binaries, dictionaries, and
/// so on. It names the columns, so a file with other columns than the schema's must not carry it as
/// it is: `rebuilt` makes the one for such a file from the input's fields and new ones.
///
/// Nothing of the schema is decoded beyond its fields' names: `rebuilt` keeps the original buffer
/// whole at the end of the new one and points the new fields vector (and the renamed fields' tables)
/// at its objects, so every type, child, dictionary and metadata entry stays as it was, byte for
/// byte, whatever Arrow version wrote it.
public struct ArrowSchemaMetadata {
    /// The key Arrow's writers use.
    public static let key = "ARROW:schema"

    /// The top-level fields' names, in order.
    public let fieldNames: [String]

    /// The flatbuffer of the Message.
    private let buffer: FlatBufferView
    private let message: Int
    private let schema: Int
    /// Each top-level Field table's position.
    private let fields: [Int]

    /// A field of a rebuilt schema.
    public enum Field: Equatable {
        /// Field `index` of the original schema, named `name`.
        case original(index: Int, name: String)
        /// A new field for a column of the writer's: int64, double, boolean or string.
        case added(ParquetColumn)
    }

    // Field ids (Message.fbs, Schema.fbs) and union values.
    private enum MessageField { static let version = 0, headerType = 1, header = 2, bodyLength = 3, customMetadata = 4 }
    private enum SchemaField { static let endianness = 0, fields = 1, customMetadata = 2, features = 3 }
    private enum FieldField { static let name = 0, nullable = 1, typeType = 2, type = 3, dictionary = 4, children = 5, customMetadata = 6 }
    private static let schemaHeader: UInt8 = 1
    /// Type union members: Int, FloatingPoint, Utf8, Bool.
    private static let intType: UInt8 = 2, floatingPointType: UInt8 = 3, utf8Type: UInt8 = 5, boolType: UInt8 = 6
    /// The IPC stream's continuation marker before the metadata length (absent in pre-0.15 streams).
    private static let continuation: UInt32 = 0xFFFF_FFFF

    /// Decodes the base64 value of "ARROW:schema".
    /// - Throws: `ParquetError.invalidArgument` when it is not a schema message.
    public init(base64 value: String) throws {
        guard let data = Data(base64Encoded: value) else { throw ParquetError.invalidArgument("\(Self.key) is not base64") }
        let bytes = [UInt8](data)
        do {
            let prefix = FlatBufferView(bytes: bytes)
            var start = 4
            var length = Int(try prefix.u32(0))
            if UInt32(length) == Self.continuation {
                start = 8
                length = Int(try prefix.u32(4))
            }
            guard length <= bytes.count - start else { throw FlatBufferView.Malformed() }
            let buffer = FlatBufferView(bytes: Array(bytes[start..<(start + length)]))
            let message = try buffer.root()
            guard let headerType = try buffer.field(MessageField.headerType, of: message), try buffer.u8(headerType) == Self.schemaHeader,
                  let schema = try buffer.reference(MessageField.header, of: message) else {
                throw ParquetError.invalidArgument("\(Self.key) holds no schema message")
            }
            let fields = try buffer.reference(SchemaField.fields, of: schema).map { try buffer.offsetVector(at: $0) } ?? []
            fieldNames = try fields.map { field in try buffer.reference(FieldField.name, of: field).map { try buffer.string(at: $0) } ?? "" }
            self.buffer = buffer
            self.message = message
            self.schema = schema
            self.fields = fields
        } catch is FlatBufferView.Malformed {
            throw ParquetError.invalidArgument("\(Self.key) is not a valid Arrow schema message")
        }
    }

    /// The base64 "ARROW:schema" value of a schema with `fields`, in order: the original schema's
    /// endianness, features and metadata, its fields as they are (renamed where asked) and new fields.
    /// - Throws: `ParquetError.invalidArgument` for an index out of range or a new column of another type.
    public func rebuilt(_ fields: [Field]) throws -> String {
        var builder = FlatBufferBuilder()
        let originalEnd = builder.prependBlock(buffer.bytes)
        /// The distance from the end of an object of the original buffer.
        func original(_ position: Int) -> Int { originalEnd - position }
        var fieldTables: [Int] = []
        for field in fields.reversed() {
            switch field {
            case .original(let index, let name):
                guard self.fields.indices.contains(index) else {
                    throw ParquetError.invalidArgument("\(Self.key) has no field \(index)")
                }
                let table = self.fields[index]
                if name == fieldNames[index] {
                    fieldTables.append(original(table))
                } else {
                    let nameString = builder.string(name)
                    var values = try copy(table, fields: [FieldField.nullable: 1, FieldField.typeType: 1],
                                          references: [FieldField.type, FieldField.dictionary, FieldField.children, FieldField.customMetadata],
                                          from: original)
                    values[FieldField.name] = .reference(nameString)
                    fieldTables.append(builder.table(values))
                }
            case .added(let column):
                let (typeType, typeFields) = try Self.arrowType(column)
                let type = builder.table(typeFields)
                let children = builder.offsetVector([])
                let name = builder.string(column.name)
                fieldTables.append(builder.table([FieldField.name: .reference(name), FieldField.nullable: .u8(column.optional ? 1 : 0),
                                                  FieldField.typeType: .u8(typeType), FieldField.type: .reference(type),
                                                  FieldField.children: .reference(children)]))
            }
        }
        let vector = builder.offsetVector(fieldTables.reversed())
        var schemaValues = try copy(schema, fields: [SchemaField.endianness: 2],
                                    references: [SchemaField.customMetadata, SchemaField.features], from: original)
        schemaValues[SchemaField.fields] = .reference(vector)
        let newSchema = builder.table(schemaValues)
        var messageValues = try copy(message, fields: [MessageField.version: 2, MessageField.headerType: 1, MessageField.bodyLength: 8],
                                     references: [MessageField.customMetadata], from: original)
        messageValues[MessageField.header] = .reference(newSchema)
        let flatbuffer = builder.finish(root: builder.table(messageValues))
        var message: [UInt8] = []
        message.appendLittleEndian(Self.continuation)
        message.appendLittleEndian(UInt32(flatbuffer.count))
        return Data(message + flatbuffer).base64EncodedString()
    }

    /// The values of `table`'s fields that are present: scalars (`fields`: index to size) copied, and
    /// `references` pointing at the same objects of the original buffer.
    private func copy(_ table: Int, fields: [Int: Int], references: [Int],
                      from original: (Int) -> Int) throws -> [Int: FlatBufferBuilder.Value] {
        var values: [Int: FlatBufferBuilder.Value] = [:]
        do {
            for (index, size) in fields {
                guard let at = try buffer.field(index, of: table) else { continue }
                values[index] = .scalar(try (0..<size).map { try buffer.u8(at + $0) })
            }
            for index in references {
                guard let target = try buffer.reference(index, of: table) else { continue }
                values[index] = .reference(original(target))
            }
        } catch is FlatBufferView.Malformed {
            throw ParquetError.invalidArgument("\(Self.key) is not a valid Arrow schema message")
        }
        return values
    }

    /// The type union member and the type table's fields of `column`'s Arrow type.
    private static func arrowType(_ column: ParquetColumn) throws -> (UInt8, [Int: FlatBufferBuilder.Value]) {
        switch column.type {
        case .int64: return (intType, [0: .i32(64), 1: .u8(1)])  // Int { bitWidth, is_signed }
        case .double: return (floatingPointType, [0: .i16(2)])  // FloatingPoint { precision: DOUBLE }
        case .string: return (utf8Type, [:])
        case .boolean: return (boolType, [:])
        default: throw ParquetError.invalidArgument("no Arrow type for column \(column.name) of type \(column.type)")
        }
    }
}
