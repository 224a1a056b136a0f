/// Cross-checks the store's counts against its checkpoints and ingest progress before any of them is
/// trusted: a store damaged from outside must not be resumed from.
///
/// One of three checks, with StoreFileHeader (a cut or foreign file, before SQLite opens it) and the
/// run's own reads (below), chosen by measurement. `benchmarks/store_check.sh` on the 1M-row core benchmark
/// store (267 MB; full run 9.13 s, repeated run 0.94 s; medians of 3, same run, loaded 2-core machine):
///   PRAGMA quick_check         0.86 s   91% of a repeated run: it would double it
///   PRAGMA quick_check(rows)   0.60 s   63%
///   PRAGMA integrity_check     1.07 s  113%
///   these counts               0.05 s    5% (repeated run with and without them: 0.49 s CPU both)
/// SQLite's checks read every page, which a repeated run does not. What the run reads, it checks as it
/// goes: 8 runs of 16 bytes flipped at random in the middle half of a finished 20k-row store, 100 seeds
/// in each of two configurations (with sanitize, and the benchmark's --no-sanitize): quick_check
/// flagged 181 of 200; the run found 159, all while writing the output, before it is moved into place
/// (SQLITE_CORRUPT from the output's scan 110, a short scan 44 (RecordOutput), a row pointing outside
/// the input 5 (InputRecordFetcher)); the other 41 changed nothing the run reads (identical output).
/// Before this, 44 of the 200 gave wrong output with exit 0 and 115 failed (exit 70, a few 74).
///
/// These counts found none of the 200: a random flip rarely lands in an interior page of `rows`, and
/// count(*) reads only page headers. They are for damage that still reads as valid data, which nothing
/// else sees until after stages were redone on it: a flipped drop (a duplicate alive again), a lost
/// page of rows, an index out of step with its table. They walk the whole b-tree of `rows` and the
/// partial indexes `rows_dropped` and `rows_chunks`, the structures resuming relies on; `row_content`
/// is left to the joins that read it (a scan of it costs 0.13 s, 14% of a repeated run).
public enum StoreConsistency {
    /// Throws StoreDamage when a count disagrees:
    /// - input rows in `rows` (all rows but chunks) = ingest progress `ingest.next_row`;
    /// - drops per stage and reason (index `rows_dropped`) = each checkpoint's recorded drops;
    /// - rows alive after each checkpoint G (rows born by G, not dropped by G) = its row count.
    /// Drops and chunks of a stage that started after G (a crash) have dropped_by > G or born > G:
    /// they are not counted, so an interrupted store checks out as well.
    public static func check(_ store: WorkingStore) throws {
        let database = store.database
        let total = try database.scalar("SELECT count(*) FROM rows")?.int ?? 0
        let chunkRows = try database.scalar("SELECT count(*) FROM rows INDEXED BY rows_chunks WHERE parent_row IS NOT NULL")?.int ?? 0
        let ingested = Int(try store.meta("ingest.next_row") ?? "0") ?? -1
        if total - chunkRows != ingested {
            throw StoreDamage("it holds \(total - chunkRows) input rows where its ingest progress says \(ingested)")
        }
        var drops: [Int: [String: Int]] = [:]
        for row in try database.rows("""
            SELECT dropped_by, drop_reason, count(*) FROM rows INDEXED BY rows_dropped
            WHERE dropped_by IS NOT NULL GROUP BY dropped_by, drop_reason
            """) {
            drops[row[0].int ?? -1, default: [:]][row[1].string ?? "", default: 0] += row[2].int ?? 0
        }
        let checkpoints = try store.checkpoints()
        for checkpoint in checkpoints where drops[checkpoint.generation, default: [:]] != checkpoint.dropped {
            throw StoreDamage("the rows dropped by \(checkpoint.stage.name) do not match its checkpoint")
        }
        // Every checkpoint's row count follows from the counts above, with no further scan: rows born by
        // its stage (chunk rows are born at chunk: before it they did not exist) less the drops up to it.
        for checkpoint in checkpoints {
            let g = checkpoint.generation
            let born = store.stages.mayHaveAddedRows(through: checkpoint.stage) ? total : total - chunkRows
            let dropped = drops.filter { $0.key <= g }.values.reduce(0) { $0 + $1.values.reduce(0, +) }
            if born - dropped != checkpoint.rowCount {
                throw StoreDamage.rowCount(born - dropped, expected: checkpoint.rowCount, in: "the store after \(checkpoint.stage.name)")
            }
        }
    }
}
