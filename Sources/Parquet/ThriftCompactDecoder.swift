/// Minimal Thrift compact-protocol reader, the counterpart of `ThriftCompactEncoder`: what the Parquet
/// footer and page headers need (i16/i32/i64/bool/binary fields, nested structs, lists), and `skip`
/// for every type, so fields a newer writer adds (statistics, page indexes, encryption, geospatial
/// types…) are stepped over rather than refused.
///
/// It reads from a buffer the caller keeps alive and never trusts a length: each one is checked
/// against the bytes left, and structs may nest `maxDepth` deep at most, so a damaged footer is an
/// error, never a crash or an allocation of what a random varint says.
struct ThriftCompactDecoder {
    /// Why the bytes are not the struct expected; the caller adds where (footer, page header).
    struct Failure: Error, Equatable {
        var message: String
    }

    /// Deeper than any Parquet struct nests (FileMetaData → RowGroup → ColumnChunk → ColumnMetaData →
    /// Statistics is 5; a LogicalType inside a SchemaElement 4).
    static let maxDepth = 32

    private let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    private var lastFieldId: Int16 = 0
    private var enclosingFieldIds: [Int16] = []

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    // MARK: structs

    /// Reads one struct body: calls `field` with each field's id and type until the stop byte.
    /// `field` must consume the value (with a `read…` call) or `skip(type)` it.
    mutating func readStruct(_ field: (inout ThriftCompactDecoder, Int16, ThriftCompactType) throws -> Void) throws {
        guard enclosingFieldIds.count < Self.maxDepth else { throw Failure(message: "structs nested deeper than \(Self.maxDepth)") }
        enclosingFieldIds.append(lastFieldId)
        lastFieldId = 0
        while true {
            let header = try readByte()
            if header == 0 { break }
            let type = try Self.type(header & 0x0F)
            let delta = Int16(header >> 4)
            let id: Int16
            if delta != 0 {
                id = lastFieldId &+ delta
            } else {
                id = Int16(truncatingIfNeeded: try readZigzag())
            }
            lastFieldId = id
            currentFieldType = type
            try field(&self, id, type)
        }
        lastFieldId = enclosingFieldIds.removeLast()
    }

    /// The type nibble of the field being read: booleans carry their value in it.
    private var currentFieldType = ThriftCompactType.boolFalse

    // MARK: values

    mutating func readI32() throws -> Int32 {
        let v = try readZigzag()
        guard let narrow = Int32(exactly: v) else { throw Failure(message: "i32 value \(v) out of range") }
        return narrow
    }

    mutating func readI64() throws -> Int64 { try readZigzag() }

    /// A Thrift `byte` (i8): one raw byte.
    mutating func readI8() throws -> UInt8 { try readByte() }

    /// A boolean field: its value is the type nibble (1 true, 2 false).
    func readBool() -> Bool { currentFieldType == .boolTrue }

    mutating func readBinary() throws -> UnsafeRawBufferPointer {
        let count = try readVarint()
        guard count <= UInt64(bytes.count - position) else {
            throw Failure(message: "binary of \(count) bytes runs past the end (\(bytes.count - position) left)")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + Int(count))])
        position += Int(count)
        return slice
    }

    mutating func readString() throws -> String {
        String(decoding: try readBinary(), as: UTF8.self)
    }

    /// A list header: element count and type. The count is checked against the bytes left (every
    /// element takes at least one byte, except booleans and empty structs, which take one too).
    mutating func readListHeader() throws -> (count: Int, elementType: ThriftCompactType) {
        let header = try readByte()
        var count = UInt64(header >> 4)
        if count == 15 { count = try readVarint() }
        let type = try Self.type(header & 0x0F)
        guard count <= UInt64(bytes.count - position) else {
            throw Failure(message: "list of \(count) elements runs past the end")
        }
        return (Int(count), type)
    }

    mutating func readI32List() throws -> [Int32] {
        let (count, type) = try readListHeader()
        guard type == .i32 else {
            for _ in 0..<count { try skip(type) }
            return []
        }
        var out: [Int32] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readI32()) }
        return out
    }

    mutating func readStringList() throws -> [String] {
        let (count, type) = try readListHeader()
        guard type == .binary else {
            for _ in 0..<count { try skip(type) }
            return []
        }
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readString()) }
        return out
    }

    /// Reads a list of structs with `element` (each call reads one struct body with `readStruct`).
    mutating func readStructList<T>(_ element: (inout ThriftCompactDecoder) throws -> T) throws -> [T] {
        let (count, type) = try readListHeader()
        guard type == .structure else {
            for _ in 0..<count { try skip(type) }
            return []
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try element(&self)) }
        return out
    }

    /// Steps over a value of `type` (a field's or a list element's).
    mutating func skip(_ type: ThriftCompactType) throws {
        switch type {
        case .boolTrue, .boolFalse:
            // As a field the value is in the type nibble; as a list element it is one byte. Fields are
            // the only booleans skipped through here with `currentFieldType` set to them.
            if inListElement { try advance(1) }
        case .byte:
            _ = try readByte()
        case .i16, .i32, .i64:
            _ = try readVarint()
        case .double:
            try advance(8)
        case .binary:
            _ = try readBinary()
        case .list, .set:
            let (count, elementType) = try readListHeader()
            let wasInList = inListElement
            inListElement = true
            defer { inListElement = wasInList }
            for _ in 0..<count { try skip(elementType) }
        case .map:
            let count = try readVarint()
            guard count > 0 else { return }
            guard count <= UInt64(bytes.count - position) else { throw Failure(message: "map of \(count) entries runs past the end") }
            let types = try readByte()
            let keyType = try Self.type(types >> 4), valueType = try Self.type(types & 0x0F)
            let wasInList = inListElement
            inListElement = true
            defer { inListElement = wasInList }
            for _ in 0..<count {
                try skip(keyType)
                try skip(valueType)
            }
        case .structure:
            let wasInList = inListElement
            inListElement = false
            defer { inListElement = wasInList }
            try readStruct { decoder, _, fieldType in try decoder.skip(fieldType) }
        }
    }

    /// Whether `skip` is stepping over collection elements (booleans take a byte there).
    private var inListElement = false

    // MARK: primitives

    private mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw Failure(message: "unexpected end after \(position) bytes") }
        let b = bytes[position]
        position += 1
        return b
    }

    private mutating func advance(_ count: Int) throws {
        guard count <= bytes.count - position else { throw Failure(message: "unexpected end after \(position) bytes") }
        position += count
    }

    /// Unsigned LEB128, at most 10 bytes.
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            guard shift < 64 else { throw Failure(message: "varint longer than 10 bytes") }
        }
    }

    private mutating func readZigzag() throws -> Int64 {
        let v = try readVarint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    private static func type(_ nibble: UInt8) throws -> ThriftCompactType {
        guard let type = ThriftCompactType(rawValue: nibble) else { throw Failure(message: "unknown Thrift type \(nibble)") }
        return type
    }
}
