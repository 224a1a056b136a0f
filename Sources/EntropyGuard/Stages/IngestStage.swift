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
        var line = Int(try store.meta("ingest.line") ?? "1") ?? 1
        var nextRow = Int64(try store.meta("ingest.next_row") ?? "0") ?? 0
        let resumedRows = nextRow
        if nextRow > 0 {
            context.progress.info("Resuming ingest at line \(line) (\(nextRow) rows already in the store)")
        }

        let fd = try context.input.openForReading()
        defer { close(fd) }
        let path = context.input.recordPath
        var reader: any RecordReader
        var textIndex: Int?
        var csv: CSVReader?
        switch info.format {
        case .jsonl:
            reader = JSONLReader(fileDescriptor: fd, path: path, startOffset: offset, startLine: line)
        case .csv:
            let csvReader = try CSVReader(fileDescriptor: fd, path: path, startOffset: offset, startLine: line)
            textIndex = csvReader.header.firstIndex(of: info.textColumn)
            csv = csvReader
            reader = csvReader
        }

        let inserter = try RowInserter(database: database)
        let normalizer = TextNormalizer()
        var batch: [ParsedRow] = []
        batch.reserveCapacity(context.options.batchSize)

        context.progress.begin(stage: "ingest", total: nil)
        var badRecords = 0
        var finished = false
        while !finished {
            try Interrupt.check()
            // Parse one batch, then write it in one transaction with the reader's position.
            batch.removeAll(keepingCapacity: true)
            while batch.count < context.options.batchSize {
                guard let record = try reader.next() else { finished = true; break }
                var row = ParsedRow(row: nextRow, line: record.line, offset: record.startOffset, length: record.bytes.count)
                do {
                    if let csvReader = csv {
                        let fields = try csvReader.fields(of: record)
                        if let textIndex, textIndex < fields.count { row.text = fields[textIndex].value } else { row.state = "missing" }
                    } else {
                        switch try JSONScan.textField(info.textColumn, of: record, path: path) {
                        case .string(let value, _): row.text = value
                        case .missing: row.state = "missing"
                        case .null: row.state = "null"
                        case .notString: row.state = "not_string"
                        }
                    }
                } catch let error as RecordError {
                    guard skipBadLines else {
                        // The store stays at the last committed batch (rows and reader position together).
                        throw EntropyGuardError(.dataError, "\(error.path):\(error.line): \(error.problem)\n  \(error.snippet)\n(use --skip-bad-lines to record such lines and go on)")
                    }
                    row.state = "bad_record"
                    row.badProblem = error.problem
                    badRecords += 1
                }
                if let text = row.text { (row.key, row.textLength) = normalizer.keyAndLength(text) }
                batch.append(row)
                nextRow += 1
                offset = record.endOffset
                line = record.line + record.linesSpanned
            }
            try database.transaction {
                try inserter.insert(batch)
                try store.setMeta("ingest.offset", String(offset))
                try store.setMeta("ingest.line", String(line))
                try store.setMeta("ingest.next_row", String(nextRow))
            }
            context.progress.update(done: Int(nextRow),
                                    fraction: context.input.byteCount > 0 ? Double(offset) / Double(context.input.byteCount) : nil)
        }
        context.progress.end()
        return StageReport(notes: ["rows_read": Int(nextRow - resumedRows), "rows_resumed": Int(resumedRows), "bad_records": badRecords])
    }
}

/// One input record as ingest stores it.
struct ParsedRow {
    var row: Int64
    var line: Int
    var offset: Int64
    var length: Int
    var state = "ok"
    var text: String?
    var key: Int64 = 0
    var textLength = 0
    var badProblem: String?
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

    func insert(_ rows: [ParsedRow]) throws {
        var start = 0
        while start < rows.count {
            let count = min(Self.chunkSize, rows.count - start)
            let chunk = rows[start..<(start + count)]
            if count == Self.chunkSize {
                try write(chunk, rows: rowsMany, content: contentMany)
            } else {
                for index in chunk.indices { try write(rows[index...index], rows: rowsOne, content: contentOne) }
            }
            start += count
        }
    }

    private func write(_ chunk: ArraySlice<ParsedRow>, rows statement: Statement, content: Statement) throws {
        statement.reset()
        content.reset()
        for (i, row) in chunk.enumerated() {
            let base = Int32(i * 11)
            try statement.bind(row.row, at: base + 1)
            try statement.bind(row.line, at: base + 2)
            try statement.bind(row.offset, at: base + 3)
            try statement.bind(row.length, at: base + 4)
            try statement.bind(row.badProblem == nil ? 1 : 0, at: base + 5)
            try statement.bind(row.state, at: base + 6)
            if row.text != nil {
                try statement.bind(row.textLength, at: base + 7)
                try statement.bind(row.key, at: base + 8)
            }
            if let problem = row.badProblem {
                try statement.bind(StageID.ingest.generation, at: base + 9)
                try statement.bind("bad_record", at: base + 10)
                try statement.bind(problem, at: base + 11)
            }
            try content.bind(row.row, at: Int32(i * 2 + 1))
            if let text = row.text { try content.bind(text, at: Int32(i * 2 + 2)) }
        }
        try statement.runToCompletion()
        try content.runToCompletion()
    }
}
