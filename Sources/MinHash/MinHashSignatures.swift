/// Signatures of a batch of rows, row-major and contiguous: row i is `values[i * permutations ..<
/// (i + 1) * permutations]`. Entry j of a row is the low 32 bits of the minimum of permutation j over
/// the row's shingles (see `MinHasher`).
///
/// The store's BLOB form of a row is its entries as little-endian UInt32, `4 * permutations` bytes:
/// the cache key (`MinHasher.cacheKey`) says how they were made, so the bytes carry no header.
public struct MinHashSignatures: Sendable, Equatable {
    /// A BLOB whose length is not 4 x the permutations.
    public struct SizeError: Error, CustomStringConvertible {
        public let bytes: Int
        public let permutations: Int
        public var description: String {
            "MinHash signature of \(bytes) bytes, expected \(4 * permutations) (\(permutations) permutations)"
        }
    }

    public let permutations: Int
    public internal(set) var values: [UInt32]

    public init(permutations: Int, values: [UInt32] = []) {
        precondition(permutations > 0 && values.count % permutations == 0)
        self.permutations = permutations
        self.values = values
    }

    public var count: Int { values.count / permutations }

    /// Room for `rows` rows in all, so that appending them one by one never copies the array.
    public mutating func reserveCapacity(rows: Int) {
        values.reserveCapacity(rows * permutations)
    }

    public subscript(row: Int) -> ArraySlice<UInt32> {
        values[(row * permutations)..<((row + 1) * permutations)]
    }

    /// Row `row` as the store keeps it: little-endian UInt32s.
    public func bytes(row: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4 * permutations)
        for (j, value) in self[row].enumerated() {
            let v = value.littleEndian
            bytes[4 * j] = UInt8(truncatingIfNeeded: v)
            bytes[4 * j + 1] = UInt8(truncatingIfNeeded: v >> 8)
            bytes[4 * j + 2] = UInt8(truncatingIfNeeded: v >> 16)
            bytes[4 * j + 3] = UInt8(truncatingIfNeeded: v >> 24)
        }
        return bytes
    }

    /// Calls `body` with row `row` as the store keeps it (the bytes of `bytes(row:)`, valid during the
    /// call): on a little-endian machine the entries' own memory, without a copy per row.
    public func withBytes<T>(row: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        #if _endian(little)
        return try values.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[(row * permutations * 4)..<((row + 1) * permutations * 4)])) }
        #else
        return try bytes(row: row).withUnsafeBytes(body)
        #endif
    }

    /// Appends a row read back from the store; throws when the length does not match.
    public mutating func append(bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count == 4 * permutations else { throw SizeError(bytes: bytes.count, permutations: permutations) }
        // No reserveCapacity(count + permutations) here: it reserves exactly that, so appending row after
        // row reallocated and copied the whole array each time (30 s for 85k rows read from the store).
        let start = values.count
        values.append(contentsOf: repeatElement(0, count: permutations))
        #if _endian(little)
        values.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: 4 * start).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        #else
        for j in 0..<permutations { values[start + j] = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self)) }
        #endif
    }

    public mutating func append(bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append(bytes: $0) }
    }

    /// Appends a row given as its entries.
    public mutating func append(row: ArraySlice<UInt32>) {
        precondition(row.count == permutations)
        values.append(contentsOf: row)
    }

    public mutating func append(contentsOf other: MinHashSignatures) {
        precondition(other.permutations == permutations)
        values += other.values
    }

    /// The estimated Jaccard similarity of two rows: the fraction of equal entries.
    public func similarity(_ i: Int, _ j: Int) -> Double {
        values.withUnsafeBufferPointer {
            Double(Self.equalCount($0.baseAddress! + i * permutations, $0.baseAddress! + j * permutations, count: permutations))
        } / Double(permutations)
    }

    /// Number of positions where two signatures agree (8 lanes at a time).
    @inline(__always)
    public static func equalCount(_ x: UnsafePointer<UInt32>, _ y: UnsafePointer<UInt32>, count: Int) -> Int {
        var lanes = SIMD8<UInt32>()
        var i = 0
        while i + 8 <= count {
            let u = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<UInt32>.self)
            let v = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<UInt32>.self)
            lanes &+= SIMD8<UInt32>().replacing(with: 1, where: u .== v)
            i += 8
        }
        var total = Int(lanes.wrappedSum())
        while i < count {
            if x[i] == y[i] { total += 1 }
            i += 1
        }
        return total
    }
}
