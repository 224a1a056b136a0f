import Foundation

/// The store's operations for `report`: everything the page shows is aggregated here, in SQL, so the
/// page costs the same for any input size (counts and histograms are GROUP BY results; examples are a
/// few rows chosen by row id). On a 1M-row store the whole report is a handful of scans of `rows`.
extension WorkingStore {
    /// Rows per (generation, born): with it, the rows alive after every stage come from one scan.
    func rowCountsByGenerationAndBirth() throws -> [(generation: Int, born: Int, count: Int)] {
        try database.rows("SELECT generation, born, count(*) FROM rows GROUP BY generation, born ORDER BY 1, 2").map {
            (generation: $0[0].int ?? 0, born: $0[1].int ?? 1, count: $0[2].int ?? 0)
        }
    }

    /// Drops per (generation of the stage, reason), from the partial index rows_dropped.
    func dropCountsByStage() throws -> [(generation: Int, reason: String, count: Int)] {
        try database.rows("""
            SELECT dropped_by, drop_reason, count(*) FROM rows INDEXED BY rows_dropped WHERE dropped_by IS NOT NULL
            GROUP BY dropped_by, drop_reason ORDER BY 1, 3 DESC, 2
            """).map { (generation: $0[0].int ?? 0, reason: $0[1].string ?? "unknown", count: $0[2].int ?? 0) }
    }

    /// One invocation as the `runs` table records it.
    struct RunRecord {
        var runID: Int64
        var startedAt: String
        var status: String
        var arguments: String
        var inputPath: String?
        var inputHash: String?
        /// RunSummary as JSON (completed runs only).
        var summary: String?
    }

    /// Every recorded invocation, newest first.
    func runRecords() throws -> [RunRecord] {
        try database.rows("SELECT run_id, started_at, status, arguments, input_path, input_hash, summary FROM runs ORDER BY run_id DESC").map {
            RunRecord(runID: $0[0].int64 ?? 0, startedAt: $0[1].string ?? "", status: $0[2].string ?? "", arguments: $0[3].string ?? "",
                      inputPath: $0[4].string, inputHash: $0[5].string, summary: $0[6].string)
        }
    }

    // MARK: dedup scores

    /// The scores a dedup stage recorded near its threshold: its drops' similarities (rows) and its
    /// near misses (near_misses), as one relation. `bin` is the 0.01 band: the score is nudged up by
    /// 1e-6 first, so a float32 cosine stored as 0.9499999880 (which passes a 0.95 threshold, compared
    /// in float32) lands in the 0.95 band with the rows it was dropped with.
    private static let scoresSQL = """
        SELECT row_id, duplicate_of AS other, similarity, 1 AS dropped, CAST(similarity * 100 + 1e-4 AS INTEGER) AS bin
        FROM rows INDEXED BY rows_dropped WHERE dropped_by = ?1 AND similarity IS NOT NULL
        UNION ALL
        SELECT row_id, nearest_row, similarity, 0, CAST(similarity * 100 + 1e-4 AS INTEGER)
        FROM near_misses WHERE generation = ?1
        """

    /// Scores per 0.01 band (bin 95 = [0.95, 0.96)): how many of them the stage dropped and kept.
    func scoreBins(stage: StageID) throws -> [(bin: Int, dropped: Int, kept: Int)] {
        try database.rows("SELECT bin, sum(dropped), sum(1 - dropped) FROM (\(Self.scoresSQL)) GROUP BY bin ORDER BY bin",
                          [.integer(Int64(stage.generation))]).map { (bin: $0[0].int ?? 0, dropped: $0[1].int ?? 0, kept: $0[2].int ?? 0) }
    }

    /// For each of `bounds`, the rows whose recorded score is at least it: what the stage would drop at
    /// that threshold if its keeps stayed the same. One scan for all of them.
    func scoreCounts(stage: StageID, atLeast bounds: [Double]) throws -> [Int] {
        let sums = bounds.indices.map { "coalesce(sum(similarity >= ?\($0 + 2)), 0)" }.joined(separator: ", ")
        guard let r = try database.rows("SELECT \(sums) FROM (\(Self.scoresSQL))",
                                        [.integer(Int64(stage.generation))] + bounds.map { .real($0) }).first else { return bounds.map { _ in 0 } }
        return bounds.indices.map { r[$0].int ?? 0 }
    }

    /// A row compared with an earlier kept row, its score and whether the stage dropped it.
    struct ScoredPair {
        var bin: Int
        var row: Int64
        var other: Int64
        var similarity: Double
        var dropped: Bool
    }

    /// The first `perBin` pairs (by row id) of each band in `bins`.
    func scoredPairs(stage: StageID, bins: ClosedRange<Int>, perBin: Int) throws -> [ScoredPair] {
        try database.rows("""
            SELECT bin, row_id, other, similarity, dropped FROM (
                SELECT *, row_number() OVER (PARTITION BY bin ORDER BY row_id) AS n FROM (\(Self.scoresSQL)) WHERE bin BETWEEN ?2 AND ?3)
            WHERE n <= ?4 ORDER BY bin, row_id
            """, [.integer(Int64(stage.generation)), .integer(Int64(bins.lowerBound)), .integer(Int64(bins.upperBound)),
                  .integer(Int64(perBin))]).map {
            ScoredPair(bin: $0[0].int ?? 0, row: $0[1].int64 ?? 0, other: $0[2].int64 ?? 0, similarity: $0[3].double ?? 0,
                       dropped: $0[4].int == 1)
        }
    }

    // MARK: duplicate groups

    /// The rows that absorbed the most duplicates (any stage): row, count, and the first `examples`
    /// absorbed rows with their reasons.
    func biggestDuplicateGroups(limit: Int, examples: Int) throws -> [(row: Int64, count: Int, absorbed: [(row: Int64, reason: String)])] {
        let groups = try database.rows("""
            SELECT duplicate_of, count(*) AS n FROM rows INDEXED BY rows_dropped
            WHERE dropped_by IS NOT NULL AND duplicate_of IS NOT NULL GROUP BY duplicate_of ORDER BY n DESC, duplicate_of LIMIT ?
            """, [.integer(Int64(limit))]).map { (row: $0[0].int64 ?? 0, count: $0[1].int ?? 0) }
        guard !groups.isEmpty else { return [] }
        let list = groups.map { String($0.row) }.joined(separator: ", ")
        var absorbed: [Int64: [(row: Int64, reason: String)]] = [:]
        for r in try database.rows("""
            SELECT duplicate_of, row_id, drop_reason FROM (
                SELECT duplicate_of, row_id, drop_reason, row_number() OVER (PARTITION BY duplicate_of ORDER BY row_id) AS n
                FROM rows INDEXED BY rows_dropped WHERE dropped_by IS NOT NULL AND duplicate_of IN (\(list)))
            WHERE n <= ? ORDER BY duplicate_of, row_id
            """, [.integer(Int64(examples))]) {
            absorbed[r[0].int64 ?? 0, default: []].append((row: r[1].int64 ?? 0, reason: r[2].string ?? ""))
        }
        return groups.map { (row: $0.row, count: $0.count, absorbed: absorbed[$0.row] ?? []) }
    }

    // MARK: sanitize

    /// Input rows whose text sanitize changed, how many of them had HTML, and the masks per token
    /// (occurrences in the cleaned texts minus those already in the originals). Chunk rows are left out:
    /// their texts are pieces of rows counted already.
    func sanitizeCounts(maskTokens: [String]) throws -> (changed: Int, html: Int, masks: [Int]) {
        let occurrences = { (column: String, index: Int) in
            "(length(\(column)) - length(replace(\(column), ?\(index + 1), ''))) / length(?\(index + 1))"
        }
        // Only texts holding the token (or a "<" for HTML) are looked at closely: instr() skips the rest cheaply.
        let sums = maskTokens.indices.map {
            "sum(CASE WHEN instr(x.text, ?\($0 + 1)) > 0 THEN \(occurrences("x.text", $0)) - coalesce(\(occurrences("c.text_original", $0)), 0) ELSE 0 END)"
        }
        let html = "sum(CASE WHEN instr(c.text_original, '<') > 0 THEN eg_has_html_tag(c.text_original) ELSE 0 END)"
        let columns = (["count(*)", html] + sums).joined(separator: ", ")
        guard let r = try database.rows("""
            SELECT \(columns) FROM (\(RowReader.changedTextsSQL)) x JOIN row_content c USING (row_id) JOIN rows r USING (row_id)
            WHERE r.parent_row IS NULL
            """, maskTokens.map { .text($0) }).first else { return (0, 0, maskTokens.map { _ in 0 }) }
        return (r[0].int ?? 0, r[1].int ?? 0, maskTokens.indices.map { r[$0 + 2].int ?? 0 })
    }

    /// Up to `limit` input rows sanitize changed, (row, original, cleaned), by row id: rows with one of
    /// `maskTokens` first, then any changed row.
    func sanitizeExamples(maskTokens: [String], limit: Int) throws -> [(row: Int64, before: String, after: String)] {
        let masked = maskTokens.indices.map { "instr(x.text, ?\($0 + 2)) > 0" }.joined(separator: " OR ")
        let sql = """
            SELECT x.row_id, c.text_original, x.text FROM (\(RowReader.changedTextsSQL)) x JOIN row_content c USING (row_id) JOIN rows r USING (row_id)
            WHERE r.parent_row IS NULL AND c.text_original IS NOT NULL AND (%@)
            ORDER BY x.row_id LIMIT ?1
            """
        func fetch(_ condition: String, _ arguments: [SQLValue]) throws -> [(row: Int64, before: String, after: String)] {
            try database.rows(sql.replacingOccurrences(of: "%@", with: condition), [.integer(Int64(limit))] + arguments).map {
                (row: $0[0].int64 ?? 0, before: $0[1].string ?? "", after: $0[2].string ?? "")
            }
        }
        var examples = maskTokens.isEmpty ? [] : try fetch(masked, maskTokens.map { .text($0) })
        if examples.count < limit {
            let seen = Set(examples.map(\.row))
            examples += try fetch("1", []).filter { !seen.contains($0.row) }.prefix(limit - examples.count)
        }
        return examples
    }

    // MARK: validate

    /// Text lengths of the rows that reached the stage `generation` (alive after the one before), per
    /// bin: bin i counts lengths in [edges[i], edges[i + 1]) (the last bin is open); -1 counts rows
    /// without a text.
    func lengthBins(enteringGeneration generation: Int, edges: [Int]) throws -> [Int: Int] {
        let cases = edges.indices.reversed().map { "WHEN text_length >= \(edges[$0]) THEN \($0)" }.joined(separator: " ")
        var bins: [Int: Int] = [:]
        for r in try database.rows("""
            SELECT CASE WHEN text_length IS NULL OR text_state <> 'ok' THEN -1 \(cases) ELSE -1 END AS bin, count(*)
            FROM rows WHERE generation >= ?1 AND born <= ?1 GROUP BY bin
            """, [.integer(Int64(generation - 1))]) {
            bins[r[0].int ?? -1] = r[1].int ?? 0
        }
        return bins
    }
}
