/// Exact dedup against a reference (`--reference`): its kept rows' dedup keys, sorted, each with the
/// ReferenceRow id of the first kept row (in its row order) that has it, so a new row's key is one
/// binary search. Persisted in the reference's store (`reference_parts`, one part of 16 bytes a row)
/// by the first run against it and loaded by the next ones while its identity holds: scanning the
/// reference's rows table each run instead cost ~1 s at 1M kept rows (`ReferenceCorpus.keptKeys`).
struct ReferenceKeyLookup {
    /// Ascending.
    private(set) var keys: [Int64]
    private(set) var ids: [Int64]

    /// The parts' name.
    static let name = "exact;keys=xxh3-64,sorted;v1"

    /// From (key, id) pairs in the reference's row order: sorted by key, the first of equal keys kept.
    init(scanned pairs: [(key: Int64, id: Int64)]) {
        var order = Array(pairs.indices)
        order.sort { pairs[$0].key != pairs[$1].key ? pairs[$0].key < pairs[$1].key : $0 < $1 }
        keys = []
        ids = []
        keys.reserveCapacity(pairs.count)
        ids.reserveCapacity(pairs.count)
        for index in order where keys.last != pairs[index].key {
            keys.append(pairs[index].key)
            ids.append(pairs[index].id)
        }
    }

    /// From a persisted part; nil when it is not whole (a size that is not pairs, keys not ascending).
    init?(part bytes: UnsafeRawBufferPointer) {
        guard bytes.count % 16 == 0 else { return nil }
        let count = bytes.count / 16
        keys = (0..<count).map { Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 16, as: Int64.self)) }
        ids = (0..<count).map { Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 16 + 8, as: Int64.self)) }
        guard zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }), ids.allSatisfy(ReferenceRow.isReference) else { return nil }
    }

    /// The persisted part.
    var part: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(keys.count * 16)
        for (key, id) in zip(keys, ids) {
            withUnsafeBytes(of: key.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: id.littleEndian) { bytes += $0 }
        }
        return bytes
    }

    var count: Int { keys.count }

    /// The reference row whose key is `key`, if any.
    func id(forKey key: Int64) -> Int64? {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < keys.count && keys[low] == key ? ids[low] : nil
    }
}
