/// Confirms exact-dedup candidate pairs by comparing texts: equal 64-bit keys are not enough, the
/// normalized texts must be equal too. Byte-equal texts need no normalizing (the common case).
/// Texts are compared as bytes throughout, never with `String ==` (canonical equivalence would merge
/// texts that differ only in Unicode normalization: see ExactDedupStage).
struct DuplicateConfirmation {
    /// Confirmed duplicates, each with the survivor it duplicates, in input order.
    var duplicates: [CandidatePair] = []
    /// Rows whose key matched an earlier row's but whose text did not: they survive.
    var collisions = 0

    private let normalizer = TextNormalizer()
    /// Per first row of a key, the other rows that kept the same key (after a real 64-bit collision).
    private var collided: [Int64: [Int64]] = [:]
    private var survivorText: [Int64: [UInt8]] = [:]
    private var survivorNormalized: [Int64: [UInt8]] = [:]

    private init() {}

    /// The texts of the pairs' rows and their survivors, fetched in row-id order in batches of ids.
    /// Needs row-id order = input order (no chunks), so each survivor's text is read
    /// before its duplicates'. A survivor's text is kept only until its last duplicate has been seen.
    static func inRowOrder(_ pairs: [CandidatePair], store: WorkingStore) throws -> DuplicateConfirmation {
        var result = DuplicateConfirmation()
        var remaining: [Int64: Int] = [:]
        for pair in pairs { remaining[pair.first, default: 0] += 1 }
        let survivors = remaining.keys.sorted()
        // Survivors and duplicates merged in row order (the two lists are sorted and disjoint).
        var needed: [Int64] = []
        needed.reserveCapacity(survivors.count + pairs.count)
        var s = 0, p = 0
        while s < survivors.count || p < pairs.count {
            if p == pairs.count || (s < survivors.count && survivors[s] < pairs[p].row) {
                needed.append(survivors[s]); s += 1
            } else {
                needed.append(pairs[p].row); p += 1
            }
        }
        var nextSurvivor = 0
        var nextPair = 0
        var start = 0
        while start < needed.count {
            let end = min(start + 8192, needed.count)
            try store.forEachText(ofSortedRows: needed[start..<end]) { row, text in
                if nextSurvivor < survivors.count && survivors[nextSurvivor] == row {
                    result.survivorText[row] = Array(text)
                    nextSurvivor += 1
                } else if nextPair < pairs.count && pairs[nextPair].row == row {
                    let first = pairs[nextPair].first
                    result.confirm(row: row, text: text, first: first)
                    remaining[first]! -= 1
                    if remaining[first] == 0 { result.forget(first) }
                    nextPair += 1
                }
            }
            try Interrupt.check()
            start = end
        }
        return result
    }

    /// Pair by pair, for any row order (chunks): the survivors' texts are read first, in row-id order,
    /// then each duplicate's.
    static func byLookup(_ pairs: [CandidatePair], store: WorkingStore) throws -> DuplicateConfirmation {
        var result = DuplicateConfirmation()
        for first in Set(pairs.map(\.first)).sorted() { result.survivorText[first] = try store.withText(ofRow: first) { Array($0) } }
        for (index, pair) in pairs.enumerated() {
            if index % 65_536 == 0 { try Interrupt.check() }
            try store.withText(ofRow: pair.row) { result.confirm(row: pair.row, text: $0, first: pair.first) }
        }
        return result
    }

    /// Compares `row` with the survivors of its key in input order: the first with an equal normalized
    /// text is the one it duplicates; with none, `row` survives as another text with that key. Bytes
    /// equal to the key's first row (the common case) are compared in place: nothing is copied.
    private mutating func confirm(row: Int64, text: UnsafeRawBufferPointer, first: Int64) {
        if survivorText[first]?.withUnsafeBytes({ sameBytes($0, text) }) == true {
            duplicates.append(CandidatePair(row: row, first: first))
            return
        }
        let text = Array(text)
        let candidates = [first] + (collided[first] ?? [])
        let normalized = normalize(text)
        for candidate in candidates where normalizedSurvivor(candidate) == normalized {
            duplicates.append(CandidatePair(row: row, first: candidate))
            return
        }
        collided[first, default: []].append(row)
        survivorText[row] = text
        collisions += 1
    }

    private mutating func normalizedSurvivor(_ row: Int64) -> [UInt8] {
        if let known = survivorNormalized[row] { return known }
        let value = normalize(survivorText[row] ?? [])
        survivorNormalized[row] = value
        return value
    }

    private func normalize(_ text: [UInt8]) -> [UInt8] {
        normalizer.normalize(String(decoding: text, as: UTF8.self))
    }

    /// Drops what was kept for the survivors of `first`'s key once none of its pairs is left.
    private mutating func forget(_ first: Int64) {
        survivorText[first] = nil
        survivorNormalized[first] = nil
        guard let others = collided.removeValue(forKey: first) else { return }
        for row in others {
            survivorText[row] = nil
            survivorNormalized[row] = nil
        }
    }
}
