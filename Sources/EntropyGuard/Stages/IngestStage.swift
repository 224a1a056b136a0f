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
}

/// Reads the input once into the store, in batches of `batchSize` rows per transaction. Each batch
/// commits its rows together with the reader's position (meta `ingest.*`), so after a crash or
/// SIGKILL the next run continues after the last committed batch.
struct IngestStage: PipelineStage {
    let id = StageID.ingest
    let checkpointsImmediately = true
    let info: IngestInfo
    let skipBadLines: Bool

    var settings: String {
        "format=\(info.format.rawValue);text_column=\(info.textColumn);skip_bad_lines=\(skipBadLines)"
    }

    func run(_ context: StageContext) throws -> StageReport {
        let store = context.store
        let database = store.database
        var offset = Int64(try store.meta("ingest.offset") ?? "0") ?? 0
        let line = Int(try store.meta("ingest.line") ?? "1") ?? 1
        var nextRow = Int64(try store.meta("ingest.next_row") ?? "0") ?? 0
        let resumedRows = nextRow
        if nextRow > 0 {
            context.progress.info("Resuming ingest at line \(line) (\(nextRow) rows already in the store)")
        }

        let fd = try context.input.openForReading()
        defer { close(fd) }
        let parser = try IngestBatchParser(fileDescriptor: fd, path: context.input.recordPath, info: info, skipBadLines: skipBadLines,
                                           startOffset: offset, startLine: line, startRow: nextRow)
        let inserter = try RowInserter(database: database)
        let batchSize = context.options.batchSize
        // Parsing (scan, decode, normalize, hash) runs one batch ahead on a worker thread while this
        // thread writes the previous batch: the two take similar time, so ingest costs about the larger.
        let lookahead = Lookahead<ParsedBatch>(label: "entropyguard.ingest.parse")
        defer { lookahead.drain() }   // before the descriptor closes
        lookahead.start { try parser.nextBatch(maxRows: batchSize) }

        context.progress.begin(stage: "ingest", total: nil)
        var badRecords = 0
        var finished = false
        while !finished {
            try Interrupt.check()
            // A bad record throws here, after every earlier batch was committed.
            let batch = try lookahead.wait()
            finished = batch.finished
            if !finished { lookahead.start { try parser.nextBatch(maxRows: batchSize) } }
            // One transaction: the rows together with the reader's position after them.
            try database.transaction {
                try inserter.insert(batch)
                try store.setMeta("ingest.offset", String(batch.endOffset))
                try store.setMeta("ingest.line", String(batch.endLine))
                try store.setMeta("ingest.next_row", String(batch.nextRow))
            }
            badRecords += batch.badRecords
            offset = batch.endOffset
            nextRow = batch.nextRow
            context.progress.update(done: Int(nextRow),
                                    fraction: context.input.byteCount > 0 ? Double(offset) / Double(context.input.byteCount) : nil)
        }
        context.progress.end()
        return StageReport(notes: ["rows_read": Int(nextRow - resumedRows), "rows_resumed": Int(resumedRows), "bad_records": badRecords])
    }
}

/// Inserts parsed rows into `rows` and `row_content`, `chunkSize` rows per statement: SQLite's cost
/// per statement execution (and our bind/step/reset calls) is shared by the whole chunk.
struct RowInserter {
    static let chunkSize = 64
    private let database: Database
    private let rowsMany: Statement, rowsOne: Statement, contentMany: Statement, contentOne: Statement

    init(database: Database) throws {
        self.database = database
        func rowsSQL(_ n: Int) -> String {
            "INSERT INTO rows (row_id, line, record_offset, record_length, generation, text_state, text_length, dedup_key, "
                + "dropped_by, drop_reason, drop_details, born) VALUES "
                + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", count: n).joined(separator: ", ")
        }
        func contentSQL(_ n: Int) -> String {
            "INSERT INTO row_content (row_id, text_original) VALUES " + Array(repeating: "(?, ?)", count: n).joined(separator: ", ")
        }
        rowsMany = try database.cachedStatement(rowsSQL(Self.chunkSize))
        rowsOne = try database.cachedStatement(rowsSQL(1))
        contentMany = try database.cachedStatement(contentSQL(Self.chunkSize))
        contentOne = try database.cachedStatement(contentSQL(1))
    }

    func insert(_ batch: ParsedBatch) throws {
        // The texts are bound straight from the batch's arena (no copy): it outlives every statement run here.
        try batch.texts.withUnsafeBytes { texts in
            try batch.rows.withUnsafeBufferPointer { rows in
                var start = 0
                while start < rows.count {
                    let count = min(Self.chunkSize, rows.count - start)
                    if count == Self.chunkSize {
                        try write(rows, start..<(start + count), batch, texts, rows: rowsMany, content: contentMany)
                    } else {
                        for index in start..<(start + count) {
                            try write(rows, index..<(index + 1), batch, texts, rows: rowsOne, content: contentOne)
                        }
                    }
                    start += count
                }
            }
        }
    }

    private func write(_ parsed: UnsafeBufferPointer<ParsedRow>, _ range: Range<Int>, _ batch: ParsedBatch,
                       _ texts: UnsafeRawBufferPointer, rows statement: Statement, content: Statement) throws {
        statement.reset()
        content.reset()
        for (i, index) in range.enumerated() {
            let row = parsed[index]
            let base = Int32(i * 11)
            let problem = row.state == .badRecord ? batch.problems[index] : nil
            try statement.bind(row.row, at: base + 1)
            try statement.bind(row.line, at: base + 2)
            try statement.bind(row.offset, at: base + 3)
            try statement.bind(row.length, at: base + 4)
            try statement.bind(problem == nil ? 1 : 0, at: base + 5)
            try statement.bind(row.state.sqlText, at: base + 6)
            if row.state == .ok {
                try statement.bind(row.textLength, at: base + 7)
                try statement.bind(row.key, at: base + 8)
            }
            if let problem {
                try statement.bind(StageID.ingest.generation, at: base + 9)
                try statement.bind("bad_record", at: base + 10)
                try statement.bind(problem, at: base + 11)
            }
            try content.bind(row.row, at: Int32(i * 2 + 1))
            if row.state == .ok {
                try content.bindTextNoCopy(UnsafeRawBufferPointer(rebasing: texts[row.textStart..<(row.textStart + row.textCount)]),
                                           at: Int32(i * 2 + 2))
            }
        }
        try statement.runToCompletion()
        try content.runToCompletion()
    }
}
