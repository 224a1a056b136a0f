/// key -> the first row that had it: an open-addressing hash table sized once for a partition.
/// The keys are XXH3 hashes already, so a multiply-shift of the key picks the slot; Swift's Dictionary
/// would hash them again with SipHash, which was about a third of the exact-dedup key scan.
struct FirstRowTable {
    private var keys: [Int64]
    private var rows: [Int64]          // -1 = empty slot (row ids are >= 0)
    private let shift: UInt64
    private let mask: Int

    /// Room for `capacity` keys at a load factor of at most 1/2.
    init(capacity: Int) {
        var bits = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        keys = [Int64](repeating: 0, count: 1 << bits)
        rows = [Int64](repeating: -1, count: 1 << bits)
        shift = UInt64(64 - bits)
        mask = (1 << bits) - 1
    }

    /// The first row recorded for `key`; records `row` and returns nil when the key is new.
    mutating func firstRow(forKey key: Int64, insertingIfNew row: Int64) -> Int64? {
        var slot = Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let existing = rows[slot]
            if existing < 0 {
                keys[slot] = key
                rows[slot] = row
                return nil
            }
            if keys[slot] == key { return existing }
            slot = (slot + 1) & mask
        }
    }
}
