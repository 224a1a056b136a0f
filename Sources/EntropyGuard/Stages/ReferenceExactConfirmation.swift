/// Exact dedup against a reference (`--reference`): confirms the candidate pairs whose first row is a
/// reference row (a `ReferenceRow` id) by comparing the normalized texts, as DuplicateConfirmation
/// does for the input's own pairs. Pairs are taken a reference row at a time, so one reference text is
/// held at once.
struct ReferenceExactConfirmation {
    /// Confirmed duplicates of reference rows.
    var duplicates: [CandidatePair] = []
    /// Rows whose key equals a reference row's but whose text does not (a 64-bit collision): the first
    /// of them (input order) takes the reference row's place for the others, which are paired with it
    /// here for the ordinary confirmation.
    var localPairs: [CandidatePair] = []
    var collisions = 0

    /// `pairs` in input order.
    init(_ pairs: [CandidatePair], store: WorkingStore, reference: ReferenceCorpus) throws {
        let normalizer = TextNormalizer()
        func normalize(_ bytes: UnsafeRawBufferPointer) -> [UInt8] { normalizer.normalize(String(decoding: bytes, as: UTF8.self)) }
        // By reference row (ids descending = rows ascending), each one's pairs in input order.
        let order = pairs.indices.sorted { pairs[$0].first != pairs[$1].first ? pairs[$0].first > pairs[$1].first : $0 < $1 }
        var index = 0
        while index < order.count {
            let first = pairs[order[index]].first
            let referenceText = try reference.withText(ofID: first) { Array($0) }
            var referenceNormalized: [UInt8]?
            var standIn: Int64?
            while index < order.count && pairs[order[index]].first == first {
                let row = pairs[order[index]].row
                let same = try store.withText(ofRow: row) { text -> Bool in
                    if referenceText.withUnsafeBytes({ sameBytes($0, text) }) { return true }
                    if referenceNormalized == nil { referenceNormalized = referenceText.withUnsafeBytes(normalize) }
                    return normalize(text) == referenceNormalized
                }
                if same {
                    duplicates.append(CandidatePair(row: row, first: first))
                } else if let standIn {
                    localPairs.append(CandidatePair(row: row, first: standIn))
                } else {
                    standIn = row
                    collisions += 1
                }
                index += 1
            }
            try Interrupt.check()
        }
    }
}
