import Foundation

/// Applies the fuzzy-dedup rule to signatures given in row order: a row is dropped when its estimated
/// Jaccard similarity (fraction of equal signature entries) with an earlier *kept* row that shares an
/// LSH bucket with it (`LSHParameters.bandKey`) is at least the threshold; it points at the most similar
/// such row, the earliest among equals. Every candidate pair is verified on the full signature, and
/// since only kept rows can absorb others there is no chaining: with A ~ B and B ~ C but A !~ C, B goes
/// and C stays.
///
/// Bounded memory, exact rule. Keep-first without chaining makes each decision depend on the earlier
/// decisions, so the rows are cut into blocks of `blockRows` in row order rather than hash partitions
/// (a hash partition cannot tell which of a bucket's earlier rows are kept without the others, and
/// pairing every member of a bucket with every earlier one is quadratic in a cluster of near-copies).
/// For each block:
///  1. its rows' band keys are sorted (radix) and grouped, one group per distinct key;
///  2. the sorted keys are merged against the sorted runs of band keys that earlier blocks kept
///     (`KeptKeyRun`, on disk): each match is an earlier kept row that shares a bucket;
///  3. one pass in row order decides each row from those earlier kept rows and the kept rows of its own
///     block so far (a linked list per group), verifying each candidate on the signatures (`SignatureSpill`);
///  4. the band keys of the block's kept rows, already in key order, become the block's run.
/// Only kept rows ever enter a bucket, so a row meets at most the few mutually dissimilar kept rows of
/// each of its buckets, however large a cluster of near-copies is. Memory is about 60 bytes per band per
/// block row (around 140 MB at the default 262,144 rows x 9 bands), the same at 1M rows as at 4M; the
/// cost that grows is the merge against earlier runs, 16 bytes read per earlier kept band key per block.
///
/// Deterministic: the result is the rule's, whatever the block size or how the rows arrive in batches
/// (FuzzySelectorTests checks it against a plain in-memory implementation).
public final class FuzzySelector {
    public static let defaultBlockRows = 262_144

    public let lsh: LSHParameters
    public let permutations: Int
    public let blockRows: Int

    /// Counters for the run's summary.
    public struct Statistics: Sendable, Equatable {
        public var rows = 0
        public var blocks = 0
        /// Distinct (row, earlier kept row) pairs that shared a bucket, each verified.
        public var candidatePairs = 0
        /// Of those, pairs below the threshold on the full signature (rejected by verification).
        public var rejectedPairs = 0
        public var drops = 0
        /// Earlier kept band keys read while merging blocks against earlier runs.
        public var mergedRunEntries = 0
    }

    public private(set) var statistics = Statistics()

    private let directory: String
    private let spill: SignatureSpill
    private let minimumEqual: Int
    private var runs: [KeptKeyRun] = []
    private var drops: [FuzzyDrop] = []
    /// The current block: first row ordinal, row count, band keys and their entries (row * bands + band).
    private var blockStart = 0
    private var blockCount = 0
    private var blockKeys: [UInt64] = []
    private var blockEntries: [UInt32] = []
    private var finished = false

    /// `temporaryDirectory`: where the selector makes its own folder for the spill and runs (removed
    /// when it is released).
    public init(lsh: LSHParameters, temporaryDirectory: String, blockRows: Int = defaultBlockRows) throws {
        precondition(blockRows >= 1)
        precondition(blockRows * lsh.bands < Int(UInt32.max))
        self.lsh = lsh
        permutations = lsh.permutations
        self.blockRows = blockRows
        minimumEqual = lsh.minimumEqualEntries
        var template = Array((temporaryDirectory + "/fuzzy-dedup.XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SignatureSpill.IOError(description: "cannot create a temporary folder in \(temporaryDirectory): \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        spill = try SignatureSpill(path: directory + "/signatures", permutations: permutations)
        blockKeys.reserveCapacity(blockRows * lsh.bands)
        blockEntries.reserveCapacity(blockRows * lsh.bands)
    }

    deinit { rmdir(directory) }

    /// Adds the next rows in order: `signatures[i]` belongs to `rowIDs[i]`. Decides each block as it fills.
    public func append(_ signatures: MinHashSignatures, rowIDs: [Int64]) throws {
        precondition(!finished && signatures.permutations == permutations && signatures.count == rowIDs.count)
        try signatures.values.withUnsafeBufferPointer { values in
            for i in 0..<rowIDs.count {
                try append(values.baseAddress! + i * permutations, rowID: rowIDs[i])
            }
        }
    }

    /// Adds one row (`permutations` entries).
    public func append(_ signature: UnsafePointer<UInt32>, rowID: Int64) throws {
        try spill.append(row: rowID, signature: signature)
        let bands = lsh.bands
        let base = UInt32(blockCount * bands)
        for band in 0..<bands {
            blockKeys.append(lsh.bandKey(signature, band: band))
            blockEntries.append(base + UInt32(band))
        }
        blockCount += 1
        statistics.rows += 1
        if blockCount == blockRows { try decideBlock() }
    }

    /// Decides the last block and returns every drop, in row order.
    public func finish() throws -> [FuzzyDrop] {
        precondition(!finished)
        if blockCount > 0 { try decideBlock() }
        finished = true
        runs.removeAll()
        statistics.drops = drops.count
        return drops
    }

    // MARK: - One block

    private func decideBlock() throws {
        try spill.flush()
        statistics.blocks += 1
        let bands = lsh.bands
        let n = blockCount
        var keys = blockKeys
        var entries = blockEntries
        blockKeys.removeAll(keepingCapacity: true)
        blockEntries.removeAll(keepingCapacity: true)

        // 1. Sort the block's band keys; distinct key d spans sorted positions distinctStart[d] ..< [d + 1].
        RadixSort.sort(keys: &keys, values: &entries)
        var distinctStart: [Int32] = []
        distinctStart.reserveCapacity(keys.count + 1)
        for i in 0..<keys.count where i == 0 || keys[i] != keys[i - 1] { distinctStart.append(Int32(i)) }
        let distinct = distinctStart.count
        distinctStart.append(Int32(keys.count))

        // 2. Earlier kept rows with each distinct key, from every earlier run.
        var matchKeys: [Int32] = []      // distinct key index
        var matchRows: [UInt64] = []
        for run in runs {
            var d = 0
            statistics.mergedRunEntries += run.count
            try run.forEachChunk { pairs in
                var i = 0
                while i < pairs.count && d < distinct {
                    let key = pairs[i]
                    let blockKey = keys[Int(distinctStart[d])]
                    if key < blockKey {
                        i += 2
                    } else if key > blockKey {
                        d += 1
                    } else {
                        matchKeys.append(Int32(d))
                        matchRows.append(pairs[i + 1])
                        i += 2
                    }
                }
            }
        }

        // Live groups: keys that can yield a candidate, shared by two rows of the block or by an earlier
        // kept row. Usually few: a unique row's keys are all dead, so the decision pass touches only
        // `groupOf` for it (row-major, sequential) instead of a per-key table in key order.
        var liveOf = [Int32](repeating: -1, count: distinct)
        for d in matchKeys { liveOf[Int(d)] = 0 }
        var groups = 0
        for d in 0..<distinct where liveOf[d] == 0 || distinctStart[d + 1] - distinctStart[d] > 1 {
            liveOf[d] = Int32(groups)
            groups += 1
        }
        var groupOf = [Int32](repeating: -1, count: n * bands)
        for d in 0..<distinct where liveOf[d] >= 0 {
            for i in Int(distinctStart[d])..<Int(distinctStart[d + 1]) { groupOf[Int(entries[i])] = liveOf[d] }
        }
        var crossStart = [Int32](repeating: 0, count: groups + 1)
        for d in matchKeys { crossStart[Int(liveOf[Int(d)]) + 1] += 1 }
        for g in 0..<groups { crossStart[g + 1] += crossStart[g] }
        var crossRows = [UInt64](repeating: 0, count: matchRows.count)
        var fill = crossStart
        for (d, row) in zip(matchKeys, matchRows) {
            let g = Int(liveOf[Int(d)])
            crossRows[Int(fill[g])] = row
            fill[g] += 1
        }
        matchKeys = []
        matchRows = []
        fill = []
        liveOf = []
        distinctStart = []

        // 3. Decide the rows in order.
        var keptHead = [Int32](repeating: -1, count: groups)
        var nodeRow: [Int32] = []
        var nodeNext: [Int32] = []
        var kept = [Bool](repeating: false, count: n)
        var candidates: [UInt64] = []
        let recordSize = spill.recordSize
        let chunkRows = max(1, (1 << 20) / recordSize)
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkRows * recordSize, alignment: 16)
        let other = UnsafeMutableRawPointer.allocate(byteCount: recordSize, alignment: 16)
        defer {
            chunk.deallocate()
            other.deallocate()
        }
        var chunkFirst = 0
        var chunkCount = 0
        for local in 0..<n {
            if local == chunkFirst + chunkCount {
                chunkFirst = local
                chunkCount = min(chunkRows, n - local)
                try spill.read(first: blockStart + local, records: chunkCount, into: chunk)
            }
            let record = chunk + (local - chunkFirst) * recordSize
            candidates.removeAll(keepingCapacity: true)
            for band in 0..<bands {
                let g = Int(groupOf[local * bands + band])
                if g < 0 { continue }
                for k in Int(crossStart[g])..<Int(crossStart[g + 1]) { candidates.append(crossRows[k]) }
                var node = keptHead[g]
                while node >= 0 {
                    candidates.append(UInt64(blockStart) + UInt64(nodeRow[Int(node)]))
                    node = nodeNext[Int(node)]
                }
            }
            var bestEqual = -1
            var bestID: Int64 = 0
            if !candidates.isEmpty {
                candidates.sort()
                var previous: UInt64 = .max
                let signature = (record + 8).assumingMemoryBound(to: UInt32.self)
                for candidate in candidates where candidate != previous {
                    previous = candidate
                    statistics.candidatePairs += 1
                    let ordinal = Int(candidate)
                    let earlier: UnsafeMutableRawPointer
                    if ordinal >= blockStart + chunkFirst {
                        earlier = chunk + (ordinal - blockStart - chunkFirst) * recordSize
                    } else {
                        try spill.read(first: ordinal, records: 1, into: other)
                        earlier = other
                    }
                    let equal = MinHashSignatures.equalCount(signature, (earlier + 8).assumingMemoryBound(to: UInt32.self),
                                                             count: permutations)
                    if equal < minimumEqual {
                        statistics.rejectedPairs += 1
                    } else if equal > bestEqual {   // candidates ascend: the earliest wins ties
                        bestEqual = equal
                        bestID = earlier.loadUnaligned(as: Int64.self)
                    }
                }
            }
            if bestEqual >= 0 {
                drops.append(FuzzyDrop(row: record.loadUnaligned(as: Int64.self), duplicateOf: bestID,
                                       similarity: Double(bestEqual) / Double(permutations)))
            } else {
                kept[local] = true
                for band in 0..<bands {
                    let g = Int(groupOf[local * bands + band])
                    if g < 0 { continue }
                    nodeRow.append(Int32(local))
                    nodeNext.append(keptHead[g])
                    keptHead[g] = Int32(nodeRow.count - 1)
                }
            }
        }
        groupOf = []
        keptHead = []
        nodeRow = []
        nodeNext = []

        // 4. The kept rows' keys, in key order (the sort is stable, so rows ascend within a key).
        var runKeys: [UInt64] = []
        var runRows: [UInt64] = []
        runKeys.reserveCapacity(keys.count)
        runRows.reserveCapacity(keys.count)
        for i in 0..<keys.count {
            let local = Int(entries[i]) / bands
            if kept[local] {
                runKeys.append(keys[i])
                runRows.append(UInt64(blockStart + local))
            }
        }
        if !runKeys.isEmpty {
            runs.append(try KeptKeyRun(directory: directory, keys: runKeys, ordinals: runRows))
            // Binary-counter merging: runs stay within a factor of 2 of each other's size upwards, so
            // there are O(log blocks) of them and each entry is rewritten O(log blocks) times.
            while runs.count >= 2 && runs[runs.count - 2].count <= 2 * runs[runs.count - 1].count {
                let last = runs.removeLast()
                let previous = runs.removeLast()
                runs.append(try KeptKeyRun.merged(previous, last, directory: directory))
            }
        }
        blockStart += n
        blockCount = 0
    }
}
