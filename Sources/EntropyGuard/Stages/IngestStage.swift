import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Facts about the input that later stages and the output need.
public struct IngestInfo: Sendable {
    public var format: InputFormat
    public var textColumn: String
    /// CSV input: the header row.
    public var csvHeader: [String]?
    /// Parquet input: the top-level field names (the columns of a CSV output) and the rows in all files.
    public var parquetFieldNames: [String]? = nil
    public var parquetRowCount: Int64? = nil
}

/// Reads the input once into the store, in batches of `batchSize` rows per transaction. Each batch
/// commits its rows together with the reader's position (meta `ingest.*`), so after a crash or
/// SIGKILL the next run continues after the last committed batch.
struct IngestStage: PipelineStage {
    static let definition = StageDefinition(name: "ingest", readsInput: true, checkpointsImmediately: true,
                                            optionKeys: ["text-column", "skip-bad-lines"]) { setup in
        IngestStage(info: setup.ingestInfo, skipBadLines: setup.options.skipBadLines)
    }

    let info: IngestInfo
    let skipBadLines: Bool

    var settings: String {
        "format=\(info.format.rawValue);text_column=\(info.textColumn);skip_bad_lines=\(skipBadLines)"
    }

    func run(_ context: StageContext) throws -> StageReport {
        let store = context.store
        var offset = Int64(try store.meta("ingest.offset") ?? "0") ?? 0
        let line = Int(try store.meta("ingest.line") ?? "1") ?? 1
        var nextRow = Int64(try store.meta("ingest.next_row") ?? "0") ?? 0
        let resumedRows = nextRow
        // An append starts at its first new row (the pipeline said so); past it, it was interrupted.
        if nextRow > (context.appendFrom ?? 0) {
            context.progress.info("Resuming ingest at line \(line) (\(nextRow) rows already in the store)")
        }

        let fd = try context.input.openForReading()
        defer { close(fd) }
        let parse: (Int) throws -> ParsedBatch
        // Parquet: the position is the row number alone (the parser finds its row group).
        var parquetRows: Int64?
        if context.input.isParquet {
            let parser = try ParquetIngestParser(files: context.input.parquetFiles, textColumn: info.textColumn, startRow: nextRow,
                                             rowGroups: context.input.parquetRowGroups)
            parse = { try parser.nextBatch(maxRows: $0) }
            parquetRows = info.parquetRowCount
        } else {
            let parser = try IngestBatchParser(fileDescriptor: fd, path: context.input.recordPath, info: info, skipBadLines: skipBadLines,
                                               startOffset: offset, startLine: line, startRow: nextRow)
            parse = { try parser.nextBatch(maxRows: $0) }
        }
        let inserter = try RowInserter(store: store, stage: context.stage)
        let batchSize = context.options.batchSize
        // Parsing (scan, decode, normalize, hash) runs one batch ahead on a worker thread while this
        // thread writes the previous batch: the two take similar time, so ingest costs about the larger.
        let lookahead = Lookahead<ParsedBatch>(label: "entropyguard.ingest.parse")
        defer { lookahead.drain() }   // before the descriptor closes
        lookahead.start { try parse(batchSize) }

        context.progress.begin(stage: "ingest", total: nil)
        var badRecords = 0
        var finished = false
        while !finished {
            try Interrupt.check()
            // A bad record throws here, after every earlier batch was committed.
            let batch = try lookahead.wait()
            finished = batch.finished
            if !finished { lookahead.start { try parse(batchSize) } }
            // One transaction: the rows together with the reader's position after them.
            try store.transaction {
                try inserter.insert(batch)
                try store.setMeta("ingest.offset", String(batch.endOffset))
                try store.setMeta("ingest.line", String(batch.endLine))
                try store.setMeta("ingest.next_row", String(batch.nextRow))
            }
            badRecords += batch.badRecords
            offset = batch.endOffset
            nextRow = batch.nextRow
            let fraction = parquetRows.map { $0 > 0 ? Double(nextRow) / Double($0) : 1 }
                ?? (context.input.byteCount > 0 ? Double(offset) / Double(context.input.byteCount) : nil)
            context.progress.update(done: Int(nextRow), fraction: fraction)
        }
        context.progress.end()
        return StageReport(notes: ["rows_read": Int(nextRow - resumedRows), "rows_resumed": Int(resumedRows), "bad_records": badRecords])
    }
}
