/// Bounds-checked reading of a FlatBuffers buffer (the encoding of Arrow's IPC metadata): tables
/// through their vtables, offsets, vectors and strings. Positions are byte indices into `bytes`.
/// Only what `ArrowSchemaMetadata` needs: it reads a few fields and refers to the rest by position.
struct FlatBufferView {
    let bytes: [UInt8]

    struct Malformed: Error {}

    func u8(_ at: Int) throws -> UInt8 {
        guard at >= 0, at < bytes.count else { throw Malformed() }
        return bytes[at]
    }

    func u16(_ at: Int) throws -> UInt16 { UInt16(truncatingIfNeeded: try unsigned(at, size: 2)) }
    func u32(_ at: Int) throws -> UInt32 { UInt32(truncatingIfNeeded: try unsigned(at, size: 4)) }

    /// Little-endian unsigned value of `size` bytes at `at`.
    private func unsigned(_ at: Int, size: Int) throws -> UInt64 {
        guard at >= 0, size <= bytes.count, at <= bytes.count - size else { throw Malformed() }
        var value: UInt64 = 0
        for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[at + index]) }
        return value
    }

    /// The position a uoffset stored at `at` points to (always forward).
    func target(ofOffsetAt at: Int) throws -> Int {
        let position = at + Int(try u32(at))
        guard position < bytes.count else { throw Malformed() }
        return position
    }

    /// The root table's position.
    func root() throws -> Int { try target(ofOffsetAt: 0) }

    /// The position of field `index` of the table at `table`, nil when the field is absent.
    func field(_ index: Int, of table: Int) throws -> Int? {
        let vtable = table - Int(Int32(bitPattern: try u32(table)))
        let vtableSize = Int(try u16(vtable))
        let slot = 4 + 2 * index
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(try u16(vtable + slot))
        return offset == 0 ? nil : table + offset
    }

    /// The table, vector or string field `index` of `table` points to, nil when absent.
    func reference(_ index: Int, of table: Int) throws -> Int? {
        try field(index, of: table).map { try target(ofOffsetAt: $0) }
    }

    /// The positions the elements of the vector of offsets at `vector` point to.
    func offsetVector(at vector: Int) throws -> [Int] {
        let count = Int(try u32(vector))
        guard count <= (bytes.count - vector) / 4 else { throw Malformed() }
        return try (0..<count).map { try target(ofOffsetAt: vector + 4 + 4 * $0) }
    }

    /// The string at `position` (length-prefixed UTF-8).
    func string(at position: Int) throws -> String {
        let length = Int(try u32(position))
        guard length <= bytes.count - position - 4 else { throw Malformed() }
        return String(decoding: bytes[(position + 4)..<(position + 4 + length)], as: UTF8.self)
    }
}
