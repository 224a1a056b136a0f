/// Builds a FlatBuffers buffer back to front, as the reference builders do: every object is prepended,
/// so an object's children (created first) end up after it and its offsets point forward. An object
/// is named by its distance from the end of the buffer, which does not change as more is prepended.
/// Every object is aligned from the end and `finish` pads the buffer to a multiple of 8 bytes, so the
/// alignment also holds from the start (Arrow verifies it).
struct FlatBufferBuilder {
    /// The buffer's tail, in reverse byte order (prepending is appending here).
    private var reversed: [UInt8] = []

    /// A table field's value.
    enum Value {
        case scalar([UInt8])
        /// An offset to the object at this distance from the end.
        case reference(Int)

        static func u8(_ value: UInt8) -> Value { .scalar([value]) }
        static func i16(_ value: Int16) -> Value { .scalar(littleEndian(UInt64(UInt16(bitPattern: value)), size: 2)) }
        static func i32(_ value: Int32) -> Value { .scalar(littleEndian(UInt64(UInt32(bitPattern: value)), size: 4)) }

        var size: Int {
            switch self {
            case .scalar(let bytes): return bytes.count
            case .reference: return 4
            }
        }
    }

    private static func littleEndian(_ value: UInt64, size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// Distance from the end of the buffer to where the next prepended byte goes.
    var size: Int { reversed.count }

    private mutating func prepend(_ bytes: [UInt8]) { reversed.append(contentsOf: bytes.reversed()) }

    /// Pads so that `length` more bytes prepended end up aligned to `alignment` (a power of two).
    private mutating func align(_ alignment: Int, before length: Int) {
        let padding = (alignment - (reversed.count + length) % alignment) % alignment
        reversed.append(contentsOf: repeatElement(0, count: padding))
    }

    /// Prepends `bytes` as they are (another buffer, kept whole), aligned to 8; returns its start.
    mutating func prependBlock(_ bytes: [UInt8]) -> Int {
        align(8, before: bytes.count)
        prepend(bytes)
        return size
    }

    /// Prepends a string (length, UTF-8, NUL); returns its position.
    mutating func string(_ text: String) -> Int {
        let utf8 = Array(text.utf8)
        align(4, before: 4 + utf8.count + 1)
        prepend(Self.littleEndian(UInt64(utf8.count), size: 4) + utf8 + [0])
        return size
    }

    /// Prepends a vector of offsets to `elements` (distances from the end); returns its position.
    mutating func offsetVector(_ elements: [Int]) -> Int {
        align(4, before: 4 + 4 * elements.count)
        let vector = size + 4 + 4 * elements.count
        var body = Self.littleEndian(UInt64(elements.count), size: 4)
        for (index, element) in elements.enumerated() {
            let slot = vector - 4 - 4 * index
            body += Self.littleEndian(UInt64(slot - element), size: 4)
        }
        prepend(body)
        return size
    }

    /// Prepends a table with `fields` (field index to value; absent ones omitted) and its vtable right
    /// before it; returns the table's position. Fields are laid out largest first, so each is aligned
    /// to its size.
    mutating func table(_ fields: [Int: Value]) -> Int {
        let order = fields.keys.sorted { (fields[$0]!.size, $1) > (fields[$1]!.size, $0) }
        var offsets: [Int: Int] = [:]
        var length = 4  // the soffset to the vtable
        let largest = max(4, fields.values.map(\.size).max() ?? 4)
        if largest == 8 { length = 8 }  // 8-byte fields start 8-aligned: the soffset is followed by padding
        for index in order {
            let fieldSize = fields[index]!.size
            length = (length + fieldSize - 1) / fieldSize * fieldSize
            offsets[index] = length
            length += fieldSize
        }
        length = (length + largest - 1) / largest * largest
        align(largest, before: length)
        let table = size + length
        var body = [UInt8](repeating: 0, count: length)
        for (index, value) in fields {
            let at = offsets[index]!
            switch value {
            case .scalar(let bytes): body.replaceSubrange(at..<(at + bytes.count), with: bytes)
            case .reference(let target):
                body.replaceSubrange(at..<(at + 4), with: Self.littleEndian(UInt64(table - at - target), size: 4))
            }
        }
        let fieldCount = (fields.keys.max() ?? -1) + 1
        let vtableSize = 4 + 2 * fieldCount
        var vtable = Self.littleEndian(UInt64(vtableSize), size: 2) + Self.littleEndian(UInt64(length), size: 2)
        for index in 0..<fieldCount { vtable += Self.littleEndian(UInt64(offsets[index] ?? 0), size: 2) }
        // The vtable sits right before the table: soffset = table - vtable = vtableSize.
        body.replaceSubrange(0..<4, with: Self.littleEndian(UInt64(vtableSize), size: 4))
        prepend(body)
        prepend(vtable)
        return table
    }

    /// The finished buffer: the root offset to `root`, padded so that its size is a multiple of 8.
    mutating func finish(root: Int) -> [UInt8] {
        align(8, before: 4)
        prepend(Self.littleEndian(UInt64(size + 4 - root), size: 4))
        return reversed.reversed()
    }
}
