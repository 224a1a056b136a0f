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

        let insertRow = try database.cachedStatement("""
            INSERT INTO rows (row_id, line, record_offset, record_length, generation, text_state, text_length, dedup_key,
                              dropped_by, drop_reason, drop_details, born)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
            """)
        let insertContent = try database.cachedStatement(
            "INSERT INTO row_content (row_id, text_original) VALUES (?, ?)")
        let normalizer = TextNormalizer()

        context.progress.begin(stage: "ingest", total: nil)
        var badRecords = 0
        var finished = false
        while !finished {
            try Interrupt.check()
            try database.transaction {
                var inBatch = 0
                while inBatch < context.options.batchSize {
                    guard let record = try reader.next() else { finished = true; break }
                    var state = "ok"
                    var text: String?
                    var badProblem: String?
                    do {
                        if let csvReader = csv {
                            let fields = try csvReader.fields(of: record)
                            if let textIndex, textIndex < fields.count { text = fields[textIndex].value } else { state = "missing" }
                        } else {
                            switch try JSONScan.textField(info.textColumn, of: record, path: path) {
                            case .string(let value, _): text = value
                            case .missing: state = "missing"
                            case .null: state = "null"
                            case .notString: state = "not_string"
                            }
                        }
                    } catch let error as RecordError {
                        guard skipBadLines else {
                            throw EntropyGuardError(.dataError, "\(error.path):\(error.line): \(error.problem)\n  \(error.snippet)\n(use --skip-bad-lines to record such lines and go on)")
                        }
                        state = "bad_record"
                        badProblem = error.problem
                        badRecords += 1
                    }
                    try insertRow.bind(nextRow, at: 1)
                    try insertRow.bind(record.line, at: 2)
                    try insertRow.bind(record.startOffset, at: 3)
                    try insertRow.bind(record.bytes.count, at: 4)
                    try insertRow.bind(badProblem == nil ? 1 : 0, at: 5)
                    try insertRow.bind(state, at: 6)
                    if let text {
                        let (key, length) = normalizer.keyAndLength(text)
                        try insertRow.bind(length, at: 7)
                        try insertRow.bind(key, at: 8)
                    }
                    if let badProblem {
                        try insertRow.bind(StageID.ingest.generation, at: 9)
                        try insertRow.bind("bad_record", at: 10)
                        try insertRow.bind(badProblem, at: 11)
                    }
                    try insertRow.runToCompletion()
                    try insertContent.bind(nextRow, at: 1)
                    if let text { try insertContent.bind(text, at: 2) }
                    try insertContent.runToCompletion()
                    insertRow.reset()
                    insertContent.reset()
                    nextRow += 1
                    inBatch += 1
                    offset = record.endOffset
                    line = record.line + record.linesSpanned
                }
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
