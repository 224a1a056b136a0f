/// Decodes DELTA_BINARY_PACKED (Encodings.md, "Delta Encoding = 5"): a header (block size, miniblocks
/// per block, value count, first value), then blocks of a zigzag min delta, one bit width per
/// miniblock and the miniblocks' bit-packed deltas above that min. Arithmetic wraps, as the spec says
/// (an INT32 column's deltas wrap in 32 bits: the caller truncates).
struct DeltaBinaryPackedDecoder {
    private let bytes: UnsafeRawBufferPointer
    /// Where the encoded values end (after the last miniblock holding a value): a following section
    /// (DELTA_LENGTH_BYTE_ARRAY's bytes, DELTA_BYTE_ARRAY's suffixes) starts there.
    private(set) var end = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Decodes every value of the section at the start of `bytes`; a section claiming more than
    /// `limit` values (the page's present values) is a bad page, refused before allocating them.
    mutating func decodeAll(limit: Int) throws -> [Int64] {
        var position = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < bytes.count, shift < 64 else { throw PageProblem.bad("DELTA_BINARY_PACKED header ends early") }
                let b = bytes[position]
                position += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }
        func zigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }

        let blockSize = try varint()
        let miniblocks = try varint()
        let total = try varint()
        var last = zigzag(try varint())
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
              (blockSize / miniblocks) % 32 == 0 else {
            throw PageProblem.bad("DELTA_BINARY_PACKED block size \(blockSize) with \(miniblocks) miniblocks")
        }
        // Equal deltas take no bits at all: the count is bounded by the page's, not by the bytes.
        guard total <= UInt64(limit) else { throw PageProblem.bad("DELTA_BINARY_PACKED of \(total) values in a page of \(limit)") }
        let count = Int(total)
        let perMiniblock = Int(blockSize / miniblocks)
        var out: [Int64] = []
        out.reserveCapacity(count)
        if count > 0 { out.append(last) }
        let reader = BitReader(bytes: bytes)
        while out.count < count {
            let minDelta = zigzag(try varint())
            let widthsStart = position
            guard Int(miniblocks) <= bytes.count - position else { throw PageProblem.bad("DELTA_BINARY_PACKED bit widths past the end") }
            position += Int(miniblocks)
            for m in 0..<Int(miniblocks) where out.count < count {
                let width = Int(bytes[widthsStart + m])
                guard width <= 64 else { throw PageProblem.bad("DELTA_BINARY_PACKED bit width \(width)") }
                let size = BitReader.byteCount(values: perMiniblock, bitWidth: width)
                let n = min(perMiniblock, count - out.count)
                // The last miniblock may be cut to the bytes its values need.
                guard BitReader.byteCount(values: n, bitWidth: width) <= bytes.count - position else {
                    throw PageProblem.bad("DELTA_BINARY_PACKED miniblock past the end")
                }
                for k in 0..<n {
                    last = last &+ minDelta &+ Int64(bitPattern: reader.value(start: position, index: k, bitWidth: width))
                    out.append(last)
                }
                position += min(size, bytes.count - position)
            }
        }
        end = position
        return out
    }
}
