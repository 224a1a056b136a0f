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
/// each of its buckets, however large a cluster of near-copies is. Memory is about 50 bytes per band per
/// block row, reused from block to block, plus the drops not yet taken (`takeDrops`): peak RSS of the
/// benchmark 142 MB at 1M rows, 148 MB at 4M. The cost that grows is the merge against earlier runs,
/// 16 bytes read per earlier kept band key per block (quadratic in rows / `blockRows`).
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

    /// When set, a kept row whose best verified candidate reached this estimated similarity (but not the
    /// threshold) is reported by `takeNearMisses`, as a FuzzyDrop that was not dropped. Decisions do not change.
    public var nearMissFloor: Double? {
        didSet { nearMissEqual = nearMissFloor.map { floor in (0...permutations).first { Double($0) / Double(permutations) >= floor } ?? permutations + 1 } }
    }
    private var nearMissEqual: Int?
    private var nearMisses: [FuzzyDrop] = []

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

    /// The drops decided since the last call (whole blocks), in row order, handed over so that the
    /// caller can write them as they come instead of holding them all (24 bytes per drop).
    public func takeDrops() -> [FuzzyDrop] {
        defer { drops = [] }
        return drops
    }

    /// The near misses (see `nearMissFloor`) decided since the last call (whole blocks), in row order.
    public func takeNearMisses() -> [FuzzyDrop] {
        defer { nearMisses = [] }
        return nearMisses
    }

    /// Decides the last block and returns the drops not yet taken, in row order. `keptKeys`, when
    /// given, is told the sizes of the sorted runs of the kept rows' band keys (rows kept x bands in
    /// all), then called with each of them as (run, band key, ordinal of the row in the order rows
    /// were appended), run after run, each run in (key, ordinal) order: what a later append looks its
    /// new rows' band keys up in. Runs are not merged: a lookup searches each.
    public func finish(keptKeys: ((_ runs: [Int]) throws -> (_ run: Int, _ key: UInt64, _ ordinal: Int) throws -> Void)? = nil) throws -> [FuzzyDrop] {
        precondition(!finished)
        if blockCount > 0 { try decideBlock() }
        finished = true
        if let keptKeys {
            let body = try keptKeys(runs.map(\.count))
            for (index, run) in runs.enumerated() {
                try run.forEachChunk { pairs in
                    var i = 0
                    while i < pairs.count {
                        try body(index, pairs[i], Int(pairs[i + 1]))
                        i += 2
                    }
                }
            }
        }
        runs.removeAll()
        rmdir(directory)     // empty now (the spill and runs are unlinked files): gone even if never released
        return takeDrops()
    }

    // MARK: - One block

    /// Buffers reused from block to block. Allocating them anew for each block fragmented glibc's heap
    /// (its mmap threshold rises after the first large free, so the next blocks' arrays come from the
    /// heap): peak RSS grew from 120 MB at 1M rows to 195 MB at 4M. The block's keys are sorted in
    /// place and the run is written straight from them, so no other array of that size is held.
    private struct Buffers {
        var keyScratch: [UInt64] = []
        var entryScratch: [UInt32] = []
        var distinctStart: [Int32] = []
        var matchKeys: [Int32] = []
        var matchRows: [UInt64] = []
        var liveOf: [Int32] = []
        var groupOf: [Int32] = []
        var crossStart: [Int32] = []
        var crossRows: [UInt64] = []
        var fill: [Int32] = []
        var keptHead: [Int32] = []
        var nodeRow: [Int32] = []
        var nodeNext: [Int32] = []
        var kept: [Bool] = []
        var candidates: [UInt64] = []
    }

    private var buffers = Buffers()

    /// Empties `array` keeping its storage, then fills it with `count` copies of `value`.
    @inline(__always)
    private static func reset<T>(_ array: inout [T], _ count: Int, _ value: T) {
        array.removeAll(keepingCapacity: true)
        array.append(contentsOf: repeatElement(value, count: count))
    }

    private func decideBlock() throws {
        try spill.flush()
        statistics.blocks += 1
        let bands = lsh.bands
        let n = blockCount
        var b = Buffers()
        swap(&b, &buffers)
        defer { swap(&b, &buffers) }
        defer {
            blockKeys.removeAll(keepingCapacity: true)
            blockEntries.removeAll(keepingCapacity: true)
        }

        // 1. Sort the block's band keys; distinct key d spans sorted positions distinctStart[d] ..< [d + 1].
        RadixSort.sort(keys: &blockKeys, values: &blockEntries, keyScratch: &b.keyScratch, valueScratch: &b.entryScratch)
        b.distinctStart.removeAll(keepingCapacity: true)
        let keys = blockKeys    // shares the storage: not modified until the block is done
        let entries = blockEntries
        for i in 0..<keys.count where i == 0 || keys[i] != keys[i - 1] { b.distinctStart.append(Int32(i)) }
        let distinct = b.distinctStart.count
        b.distinctStart.append(Int32(keys.count))

        // 2. Earlier kept rows with each distinct key, from every earlier run.
        b.matchKeys.removeAll(keepingCapacity: true)      // distinct key index
        b.matchRows.removeAll(keepingCapacity: true)
        for run in runs {
            var d = 0
            statistics.mergedRunEntries += run.count
            try run.forEachChunk { pairs in
                var i = 0
                while i < pairs.count && d < distinct {
                    let key = pairs[i]
                    let blockKey = keys[Int(b.distinctStart[d])]
                    if key < blockKey {
                        i += 2
                    } else if key > blockKey {
                        d += 1
                    } else {
                        b.matchKeys.append(Int32(d))
                        b.matchRows.append(pairs[i + 1])
                        i += 2
                    }
                }
            }
        }

        // Live groups: keys that can yield a candidate, shared by two rows of the block or by an earlier
        // kept row. Usually few: a unique row's keys are all dead, so the decision pass touches only
        // `groupOf` for it (row-major, sequential) instead of a per-key table in key order.
        Self.reset(&b.liveOf, distinct, -1)
        for d in b.matchKeys { b.liveOf[Int(d)] = 0 }
        var groups = 0
        for d in 0..<distinct where b.liveOf[d] == 0 || b.distinctStart[d + 1] - b.distinctStart[d] > 1 {
            b.liveOf[d] = Int32(groups)
            groups += 1
        }
        Self.reset(&b.groupOf, n * bands, -1)
        for d in 0..<distinct where b.liveOf[d] >= 0 {
            for i in Int(b.distinctStart[d])..<Int(b.distinctStart[d + 1]) { b.groupOf[Int(entries[i])] = b.liveOf[d] }
        }
        Self.reset(&b.crossStart, groups + 1, 0)
        for d in b.matchKeys { b.crossStart[Int(b.liveOf[Int(d)]) + 1] += 1 }
        for g in 0..<groups { b.crossStart[g + 1] += b.crossStart[g] }
        Self.reset(&b.crossRows, b.matchRows.count, 0)
        b.fill.removeAll(keepingCapacity: true)
        b.fill.append(contentsOf: b.crossStart)
        for (d, row) in zip(b.matchKeys, b.matchRows) {
            let g = Int(b.liveOf[Int(d)])
            b.crossRows[Int(b.fill[g])] = row
            b.fill[g] += 1
        }

        // 3. Decide the rows in order.
        Self.reset(&b.keptHead, groups, -1)
        b.nodeRow.removeAll(keepingCapacity: true)
        b.nodeNext.removeAll(keepingCapacity: true)
        Self.reset(&b.kept, n, false)
        var keptRows = 0
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
            b.candidates.removeAll(keepingCapacity: true)
            for band in 0..<bands {
                let g = Int(b.groupOf[local * bands + band])
                if g < 0 { continue }
                for k in Int(b.crossStart[g])..<Int(b.crossStart[g + 1]) { b.candidates.append(b.crossRows[k]) }
                var node = b.keptHead[g]
                while node >= 0 {
                    b.candidates.append(UInt64(blockStart) + UInt64(b.nodeRow[Int(node)]))
                    node = b.nodeNext[Int(node)]
                }
            }
            var bestEqual = -1
            var bestID: Int64 = 0
            var missEqual = -1     // the best rejected candidate, for nearMisses
            var missID: Int64 = 0
            if !b.candidates.isEmpty {
                b.candidates.sort()
                var previous: UInt64 = .max
                let signature = (record + 8).assumingMemoryBound(to: UInt32.self)
                for candidate in b.candidates where candidate != previous {
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
                        if equal > missEqual {
                            missEqual = equal
                            missID = earlier.loadUnaligned(as: Int64.self)
                        }
                    } else if equal > bestEqual {   // candidates ascend: the earliest wins ties
                        bestEqual = equal
                        bestID = earlier.loadUnaligned(as: Int64.self)
                    }
                }
            }
            if bestEqual >= 0 {
                statistics.drops += 1
                drops.append(FuzzyDrop(row: record.loadUnaligned(as: Int64.self), duplicateOf: bestID,
                                       similarity: Double(bestEqual) / Double(permutations)))
            } else {
                if let nearMissEqual, missEqual >= nearMissEqual {
                    nearMisses.append(FuzzyDrop(row: record.loadUnaligned(as: Int64.self), duplicateOf: missID,
                                                similarity: Double(missEqual) / Double(permutations)))
                }
                b.kept[local] = true
                keptRows += 1
                for band in 0..<bands {
                    let g = Int(b.groupOf[local * bands + band])
                    if g < 0 { continue }
                    b.nodeRow.append(Int32(local))
                    b.nodeNext.append(b.keptHead[g])
                    b.keptHead[g] = Int32(b.nodeRow.count - 1)
                }
            }
        }

        // 4. The kept rows' keys, in key order (the sort is stable, so rows ascend within a key).
        if keptRows > 0 {
            runs.append(try KeptKeyRun(directory: directory, count: keptRows * bands) { write in
                for i in 0..<keys.count {
                    let local = Int(entries[i]) / bands
                    if b.kept[local] { try write(keys[i], UInt64(blockStart + local)) }
                }
            })
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
