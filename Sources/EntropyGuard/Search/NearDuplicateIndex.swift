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
        // Exact: one big list, scored 4096 kept rows per GEMM. IVF: ~1000 small lists; small
        // pages keep the slack (one partly filled page per list) small.
        lists = KeptVectorLists(dimension: dimension, lists: centroids?.count ?? 1,
                                pageRows: centroids == nil ? 4096 : 128)
        chunkRows = centroids == nil ? 2048 : 16384
    }

    var keptCount: Int { lists.count }

    /// Decides `rows` consecutive rows (ids ascending, above every id seen so far), files the
    /// kept ones, and returns the duplicates in row order.
    mutating func select(ids: UnsafePointer<Int64>, vectors: UnsafePointer<Float>, rows: Int) -> [SemanticMatch] {
        guard rows > 0 else { return [] }
        let probed = probedLists(vectors, rows: rows)
        let routing = ListRouting(probed: probed, rows: rows, probes: probes, lists: lists.listCount)
        var best = bestKeptMatches(vectors, rows: rows, routing: routing)
        let pairs = chunkPairs(vectors, rows: rows, routing: routing)

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
                if best[i].similarity >= floor {
                    nearMisses.append(SemanticMatch(row: ids[i], duplicateOf: best[i].id, similarity: best[i].similarity))
                }
                kept[i] = true
                lists.append(list: Int(probed[i * probes]), id: ids[i], vector: query)
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

    /// Probed lists per row, nearest first (the first one is where the row is filed if kept).
    private func probedLists(_ vectors: UnsafePointer<Float>, rows: Int) -> [Int32] {
        guard let centroids else { return [Int32](repeating: 0, count: rows) }
        return centroids.nearest(vectors, rows: rows, probes: probes)
    }

    /// For each row, the most similar already-kept row it can see (if any scores near the threshold).
    /// IVF lists are split over `SearchWorkers` (list % workers); the per-worker bests are then
    /// combined with `offer`, which is order-independent, so the result is the same for any count.
    private func bestKeptMatches(_ vectors: UnsafePointer<Float>, rows: Int, routing: ListRouting) -> [BestMatch] {
        let workers = lists.listCount > 1 ? SearchWorkers.count : 1
        let partial = SearchWorkers.map(workers) { w in
            bestKeptMatches(vectors, rows: rows, routing: routing, lists: stride(from: w, to: lists.listCount, by: workers))
        }
        var best = partial[0]
        for other in partial.dropFirst() {
            for i in 0..<rows { best[i].offer(similarity: other[i].similarity, id: other[i].id) }
        }
        return best
    }

    private func bestKeptMatches(_ vectors: UnsafePointer<Float>, rows: Int, routing: ListRouting,
                                 lists listIndices: StrideTo<Int>) -> [BestMatch] {
        var best = [BestMatch](repeating: BestMatch(), count: rows)
        var queries: [Float] = []
        var scores: [Float] = []
        for list in listIndices {
            let askers = routing.askers(of: list)
            guard lists.rows(in: list) > 0, !askers.isEmpty else { continue }
            routing.gather(askers, from: vectors, dimension: dimension, into: &queries)
            if scores.count < askers.count * lists.pageRows {
                scores = [Float](repeating: 0, count: askers.count * lists.pageRows)
            }
            let listIds = lists.ids[list]
            for (pageIndex, page) in lists.pages[list].enumerated() {
                let first = pageIndex * lists.pageRows
                let n = page.count / dimension
                page.withUnsafeBufferPointer { kv in
                    queries.withUnsafeBufferPointer { qv in
                        scores.withUnsafeMutableBufferPointer { sv in
                            let k = kv.baseAddress!, q = qv.baseAddress!, s = sv.baseAddress!
                            VectorMath.gemmABt(q, k, s, m: askers.count, n: n, k: dimension)
                            for (r, asker) in askers.enumerated() {
                                let row = Int(asker)
                                let rowScores = s + r * n
                                var floor = max(self.floor, best[row].similarity) - VectorMath.candidateMargin
                                var c = ScoreScan.next(rowScores, from: 0, count: n, atLeast: floor)
                                while c < n {
                                    let similarity = VectorMath.dot(q + r * dimension, k + c * dimension, dimension)
                                    best[row].offer(similarity: similarity, id: listIds[first + c])
                                    floor = max(self.floor, best[row].similarity) - VectorMath.candidateMargin
                                    c = ScoreScan.next(rowScores, from: c + 1, count: n, atLeast: floor)
                                }
                            }
                        }
                    }
                }
            }
        }
        return best
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
