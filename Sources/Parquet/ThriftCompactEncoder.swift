/// Type nibbles of the Thrift compact protocol.
enum ThriftCompactType: UInt8 {
    case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
    case binary = 8, list = 9, set = 10, map = 11, structure = 12
}

/// A value that serializes itself as a Thrift struct body (fields + stop byte are handled by the encoder).
protocol ThriftStruct {
    func writeFields(to encoder: inout ThriftCompactEncoder)
}

/// Minimal Thrift compact-protocol writer: just what Parquet metadata needs
/// (i32/i64/bool/binary fields, nested structs, lists of i32/string/struct).
struct ThriftCompactEncoder {
    private(set) var bytes: [UInt8] = []
    /// Field ids are delta-encoded against the previous field of the same struct.
    private var lastFieldId: Int16 = 0
    private var enclosingFieldIds: [Int16] = []

    init() {}

    /// Encodes `value` as a top-level struct.
    static func encode(_ value: some ThriftStruct) -> [UInt8] {
        var encoder = ThriftCompactEncoder()
        encoder.writeStruct(value)
        return encoder.bytes
    }

    // MARK: fields

    mutating func writeI32(_ id: Int16, _ value: Int32) {
        writeFieldHeader(id, .i32)
        writeVarint(Self.zigzag(Int64(value)))
    }

    mutating func writeI64(_ id: Int16, _ value: Int64) {
        writeFieldHeader(id, .i64)
        writeVarint(Self.zigzag(value))
    }

    mutating func writeByte(_ id: Int16, _ value: Int8) {
        writeFieldHeader(id, .byte)
        bytes.append(UInt8(bitPattern: value))
    }

    /// Booleans carry their value in the field header's type nibble.
    mutating func writeBool(_ id: Int16, _ value: Bool) {
        writeFieldHeader(id, value ? .boolTrue : .boolFalse)
    }

    mutating func writeBinary(_ id: Int16, _ value: [UInt8]) {
        writeFieldHeader(id, .binary)
        writeBinaryBody(value)
    }

    mutating func writeString(_ id: Int16, _ value: String) {
        writeBinary(id, Array(value.utf8))
    }

    mutating func writeStruct(_ id: Int16, _ value: some ThriftStruct) {
        writeFieldHeader(id, .structure)
        writeStruct(value)
    }

    mutating func writeListHeader(_ id: Int16, elementType: ThriftCompactType, count: Int) {
        writeFieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    // MARK: list elements (written right after `writeListHeader`)

    mutating func writeI32Element(_ value: Int32) { writeVarint(Self.zigzag(Int64(value))) }

    mutating func writeStringElement(_ value: String) { writeBinaryBody(Array(value.utf8)) }

    /// Appends bytes another encoder wrote: whole list elements (struct bodies) only.
    mutating func writeRaw(_ raw: [UInt8]) { bytes += raw }

    /// Writes a struct body: its fields, then the stop byte.
    mutating func writeStruct(_ value: some ThriftStruct) {
        enclosingFieldIds.append(lastFieldId)
        lastFieldId = 0
        value.writeFields(to: &self)
        bytes.append(0)  // stop field
        lastFieldId = enclosingFieldIds.removeLast()
    }

    // MARK: primitives

    private mutating func writeFieldHeader(_ id: Int16, _ type: ThriftCompactType) {
        let delta = Int(id) - Int(lastFieldId)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeVarint(Self.zigzag(Int64(id)))
        }
        lastFieldId = id
    }

    private mutating func writeBinaryBody(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Unsigned LEB128.
    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    static func zigzag(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }
}

/// An empty struct, for the empty members of Thrift unions (StringType, TypeDefinedOrder).
struct ThriftEmptyStruct: ThriftStruct {
    func writeFields(to encoder: inout ThriftCompactEncoder) {}
}
