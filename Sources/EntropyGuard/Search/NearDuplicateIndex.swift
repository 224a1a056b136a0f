/// Kept rows plus the rule that decides each new row: duplicate of the most similar earlier kept
/// row it can see (cosine >= threshold, ties to the lower id), otherwise kept and filed.
///
/// Which kept rows a row "can see" depends only on the row itself: all of them without
/// centroids (exact), those filed under one of its `probes` nearest centroids otherwise (IVF).
/// Because of that, and because every decision uses the fixed-order `VectorMath.dot`, the
/// result does not depend on how the input is cut into chunks.
struct NearDuplicateIndex {
    let dimension: Int
    let threshold: Float
    /// The lowest best score worth finding: below `threshold` when the caller wants the near misses.
    let floor: Float
    let centroids: CentroidSet?
    var probes: Int
    /// Scores the bfloat16 kept rows (`SearchKernel.active` unless a test picks one).
    var kernel: SearchKernel = .active
    private(set) var lists: KeptVectorLists
    /// Rows decided per internal step. Exact: chunk x page scores and chunk x chunk pairs bound
    /// the buffers. IVF: larger, so each list's GEMM gets more query rows.
    let chunkRows: Int

    /// Kept rows whose best score reached `floor` (but not `threshold`), in row order, not yet taken.
    var nearMisses: [SemanticMatch] = []

    init(dimension: Int, threshold: Float, centroids: CentroidSet?, probes: Int, nearMissFloor: Float? = nil) {
        self.dimension = dimension
        self.threshold = threshold
        floor = min(threshold, nearMissFloor ?? threshold)
        self.centroids = centroids
        self.probes = centroids == nil ? 1 : max(1, min(probes, centroids!.count))
        // Exact: one big list, 4096 kept rows per page. IVF: ~1000 small lists; pages are allocated
        // whole, so small pages keep the slack (one partly filled page per list) small: 64 rows, at
        // most 32 KB per list (30 MB at 1M rows).
        lists = KeptVectorLists(dimension: dimension, lists: centroids?.count ?? 1,
                                pageRows: centroids == nil ? 4096 : 64)
        // IVF 32,768 (was 16,384): each chunk scores every list once, with more askers per pass
        // (selection alone at 1M rows when the rows were widened for sgemm: 86 -> 78 CPU-s).
        chunkRows = centroids == nil ? 2048 : 32768
    }

    var keptCount: Int { lists.count }

    /// Decides `rows` consecutive rows (ids ascending, above every id seen so far), files the
    /// kept ones, and returns the duplicates in row order. `keptVectors` gives the exact vectors of
    /// earlier kept rows (the index holds only their compact copy).
    mutating func select(ids: UnsafePointer<Int64>, vectors: UnsafePointer<Float>, rows: Int,
                         keptVectors: KeptVectorSource) rethrows -> [SemanticMatch] {
        guard rows > 0 else { return [] }
        let probed = probedLists(vectors, rows: rows)
        let routing = ListRouting(probed: probed, rows: rows, probes: probes, lists: lists.listCount)
        // The in-chunk pairs (one sgemm per list, on one thread) are found on a worker while the kept
        // rows are scored and the candidates' exact vectors read back (the store's reads run on one
        // thread too). 1M rows, static model: pairs 4.2 CPU-s, re-check reads 4.7, both serial before.
        var (best, pairs) = try SearchWorkers.overlapping {
            try bestKeptMatches(vectors, rows: rows, routing: routing, keptVectors: keptVectors)
        } with: {
            chunkPairs(vectors, rows: rows, routing: routing)
        }

        var matches: [SemanticMatch] = []
        var kept = [Bool](repeating: false, count: rows)
        for i in 0..<rows {
            let query = vectors + i * dimension
            for j in pairs[i] where kept[Int(j)] {
                let similarity = VectorMath.dot(query, vectors + Int(j) * dimension, dimension)
                best[i].offer(similarity: similarity, id: ids[Int(j)])
            }
            if best[i].similarity >= threshold {
                matches.append(SemanticMatch(row: ids[i], duplicateOf: best[i].id, similarity: best[i].similarity))
            } else {
                kept[i] = true
                lists.append(list: Int(probed[i * probes]), id: ids[i], vector: query)
                if best[i].similarity >= floor {
                    nearMisses.append(SemanticMatch(row: ids[i], duplicateOf: best[i].id, similarity: best[i].similarity))
                }
            }
        }
        return matches
    }

    /// Files `rows` rows known to be kept (a reference corpus's kept rows) without deciding them:
    /// each goes to its nearest list, as a kept row does in `select`.
    mutating func file(ids: UnsafePointer<Int64>, vectors: UnsafePointer<Float>, rows: Int) {
        guard rows > 0 else { return }
        let probed = probedLists(vectors, rows: rows)
        for i in 0..<rows { lists.append(list: Int(probed[i * probes]), id: ids[i], vector: vectors + i * dimension) }
    }

    /// Files rows known to be kept under the lists a persisted index assigned them (their nearest
    /// centroid, as `file` would find), from their packed bfloat16 copy: see `KeptVectorLists.append(list:ids:packed:norms:)`.
    mutating func file(list: Int, ids: UnsafeBufferPointer<Int64>, packed: UnsafePointer<UInt32>, norms: CompactVector.Norms) {
        lists.append(list: list, ids: ids, packed: packed, norms: norms)
    }

    /// Probed lists per row, nearest first (the first one is where the row is filed if kept).
    private func probedLists(_ vectors: UnsafePointer<Float>, rows: Int) -> [Int32] {
        guard let centroids else { return [Int32](repeating: 0, count: rows) }
        return centroids.nearest(vectors, rows: rows, probes: probes)
    }

    /// For each row, the most similar already-kept row it can see (if any scores at the threshold).
    ///
    /// Kept rows are held only as bfloat16 (`KeptVectorLists`), so a list's scores are estimates: they
    /// pick the candidates, whose exact float32 vectors `keptVectors` then reads back (from the store
    /// in the pipeline), and `dot` decides as before. A kept row is a candidate when its estimate is
    /// within the error bound of the threshold and of the row's best estimate, so the true best (and
    /// any tie with it) is always among them: the decisions are those of a float32 search.
    /// IVF lists are split over `SearchWorkers` (list % workers); candidates are combined in worker
    /// order and re-checked with the order-independent `offer`, so the result is the same for any count.
    private func bestKeptMatches(_ vectors: UnsafePointer<Float>, rows: Int, routing: ListRouting,
                                 keptVectors: KeptVectorSource) rethrows -> [BestMatch] {
        let queries = QueryRows(vectors, rows: rows, dimension: dimension, pairs: lists.pairs, kernel: kernel)
        var margins = [Float](repeating: 0, count: rows)
        for i in 0..<rows {
            let norm = VectorMath.dot(vectors + i * dimension, vectors + i * dimension, dimension).squareRoot() * 1.001
            margins[i] = VectorMath.candidateMargin
                + CompactVector.errorBound(queryNorm: norm, query: queries.norms[i], kept: lists.maxNorms, pairs: lists.pairs)
        }
        let workers = lists.listCount > 1 ? SearchWorkers.count : 1
        let partial = SearchWorkers.map(workers) { w in
            candidates(queries, rows: rows, routing: routing, margins: margins, lists: stride(from: w, to: lists.listCount, by: workers))
        }
        var bestEstimate = [Float](repeating: -.infinity, count: rows)
        for found in partial {
            for c in found { bestEstimate[Int(c.row)] = max(bestEstimate[Int(c.row)], c.estimate) }
        }
        var checked: [(row: Int32, id: Int64)] = []
        for found in partial {
            for c in found where c.estimate >= bestEstimate[Int(c.row)] - 2 * margins[Int(c.row)] { checked.append((c.row, c.id)) }
        }
        var best = [BestMatch](repeating: BestMatch(), count: rows)
        guard !checked.isEmpty else { return best }
        let ids = Array(Set(checked.map(\.id))).sorted()
        let exact = try keptVectors(ids)
        precondition(exact.count == ids.count * dimension, "keptVectors must return ids.count x dimension floats")
        let slot = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        exact.withUnsafeBufferPointer { kv in
            for (row, id) in checked {
                let similarity = VectorMath.dot(vectors + Int(row) * dimension, kv.baseAddress! + slot[id]! * dimension, dimension)
                best[Int(row)].offer(similarity: similarity, id: id)
            }
        }
        return best
    }

    /// A kept row whose bfloat16 score with a chunk row may reach the threshold.
    private struct Candidate {
        var row: Int32
        var id: Int64
        var estimate: Float
    }

    /// Kept rows scored per kernel pass over a list's askers: a whole IVF list mostly, a page in exact mode.
    private static let scoredRows = 1024

    private func candidates(_ queries: QueryRows, rows: Int, routing: ListRouting, margins: [Float],
                            lists listIndices: StrideTo<Int>) -> [Candidate] {
        var found: [Candidate] = []
        var bestEstimate = [Float](repeating: -.infinity, count: rows)
        var gathered: [UInt32] = []
        var scores: [Float] = []
        let block = max(lists.pageRows, Self.scoredRows / lists.pageRows * lists.pageRows)
        for list in listIndices {
            let askers = routing.askers(of: list)
            let total = lists.rows(in: list)
            guard total > 0, !askers.isEmpty else { continue }
            let padded = queries.gather(askers, into: &gathered)
            let listIds = lists.ids[list]
            var first = 0
            while first < total {
                let n = min(block, total - first)
                let ld = (n + 15) / 16 * 16
                if scores.count < padded * ld { scores = [Float](repeating: 0, count: padded * ld) }
                gathered.withUnsafeBufferPointer { qv in
                    scores.withUnsafeMutableBufferPointer { sv in
                        let s = sv.baseAddress!
                        lists.score(list: list, first: first, count: n, queries: qv.baseAddress!, rows: padded, kernel: queries.kernel,
                                    into: s, ld: ld)
                        for (r, asker) in askers.enumerated() {
                            let row = Int(asker)
                            let rowScores = s + r * ld
                            let margin = margins[row]
                            var best = bestEstimate[row]
                            var c = ScoreScan.next(rowScores, from: 0, count: n, atLeast: max(floor - margin, best - 2 * margin))
                            while c < n {
                                found.append(Candidate(row: asker, id: listIds[first + c], estimate: rowScores[c]))
                                best = max(best, rowScores[c])
                                c = ScoreScan.next(rowScores, from: c + 1, count: n, atLeast: max(floor - margin, best - 2 * margin))
                            }
                            bestEstimate[row] = best
                        }
                    }
                }
                first += n
            }
        }
        return found
    }

    /// For each row i, the earlier rows j of the same chunk it can see whose GEMM score is near
    /// the threshold; whether j counts depends on j being kept, known only in the sequential pass.
    private func chunkPairs(_ vectors: UnsafePointer<Float>, rows: Int, routing: ListRouting) -> [[Int32]] {
        var pairs = [[Int32]](repeating: [], count: rows)
        var queries: [Float] = []
        var filed: [Float] = []
        var scores: [Float] = []
        let floor = self.floor - VectorMath.candidateMargin
        for list in 0..<lists.listCount {
            let askers = routing.askers(of: list)
            let members = Array(routing.filed(under: list))
            // A row can only pair with an earlier one: skip when every asker precedes every member.
            guard let firstMember = members.first, let lastAsker = askers.last, lastAsker > firstMember else { continue }
            routing.gather(askers, from: vectors, dimension: dimension, into: &queries)
            routing.gather(members, from: vectors, dimension: dimension, into: &filed)
            if scores.count < askers.count * members.count {
                scores = [Float](repeating: 0, count: askers.count * members.count)
            }
            queries.withUnsafeBufferPointer { qv in
                filed.withUnsafeBufferPointer { fv in
                    scores.withUnsafeMutableBufferPointer { sv in
                        let s = sv.baseAddress!
                        let n = members.count
                        VectorMath.gemmABt(qv.baseAddress!, fv.baseAddress!, s, m: askers.count, n: n, k: dimension)
                        for (r, row) in askers.enumerated() {
                            // members are ascending: only those before `row` matter.
                            var c = ScoreScan.next(s + r * n, from: 0, count: n, atLeast: floor)
                            while c < n && members[c] < row {
                                pairs[Int(row)].append(members[c])
                                c = ScoreScan.next(s + r * n, from: c + 1, count: n, atLeast: floor)
                            }
                        }
                    }
                }
            }
        }
        return pairs
    }
}
