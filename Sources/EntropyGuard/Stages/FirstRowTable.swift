/// key -> the first row that had it: an open-addressing hash table sized once for a partition.
/// The keys are XXH3 hashes already, so a multiply-shift of the key picks the slot; Swift's Dictionary
/// would hash them again with SipHash. Key and row sit side by side, so a probe costs one cache miss.
struct FirstRowTable {
    private struct Slot {
        var key: Int64
        var row: Int64      // Int64.min = empty (row ids are >= 0, reference rows' ReferenceRow ids < 0)
    }

    private var slots: [Slot]
    private let shift: UInt64
    private let mask: Int

    /// Room for `capacity` keys at a load factor of at most 1/2.
    init(capacity: Int) {
        var bits = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        slots = [Slot](repeating: Slot(key: 0, row: .min), count: 1 << bits)
        shift = UInt64(64 - bits)
        mask = (1 << bits) - 1
    }

    /// The first row recorded for `key`; records `row` and returns nil when the key is new.
    mutating func firstRow(forKey key: Int64, insertingIfNew row: Int64) -> Int64? {
        var slot = Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> shift)
        let mask = self.mask
        return slots.withUnsafeMutableBufferPointer { slots in
            while true {
                let existing = slots[slot].row
                if existing == .min {
                    slots[slot] = Slot(key: key, row: row)
                    return nil
                }
                if slots[slot].key == key { return existing }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Calls `body` with each (key, first row) recorded, in slot order.
    func forEachEntry(_ body: (Int64, Int64) throws -> Void) rethrows {
        for slot in slots where slot.row != .min { try body(slot.key, slot.row) }
    }
}
