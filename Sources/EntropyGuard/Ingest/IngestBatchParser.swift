/// What ingest found in a record's text field (the rows.text_state column).
enum TextState: UInt8 {
    case ok, missing, null, notString, badRecord

    /// The stored value, as static text: SQLite can bind it without a copy.
    var sqlText: StaticString {
        switch self {
        case .ok: return "ok"
        case .missing: return "missing"
        case .null: return "null"
        case .notString: return "not_string"
        case .badRecord: return "bad_record"
        }
    }
}

/// One input record as ingest stores it. Plain values only (the text lives in the batch's arena), so
/// handing rows to SQLite costs no reference counting.
struct ParsedRow {
    var row: Int64
    var line: Int
    var offset: Int64
    var length: Int
    var state = TextState.ok
    /// The text's UTF-8 bytes: `ParsedBatch.texts[textStart..<textStart + textCount]` when state is ok.
    var textStart = 0
    var textCount = 0
    var key: Int64 = 0
    var textLength = 0
}

/// A batch of parsed rows and where the reader stands after it: what ingest commits in one transaction.
struct ParsedBatch {
    var rows: [ParsedRow] = []
    /// Every text of the batch, back to back.
    var texts: [UInt8] = []
    /// Bad records' problems (with --skip-bad-lines), by index in `rows`.
    var problems: [Int: String] = [:]
    /// Reader position after the batch: the next run resumes here.
    var endOffset: Int64
    var endLine: Int
    var nextRow: Int64
    var badRecords: Int { problems.count }
    /// True when the input ended inside (or right after) this batch.
    var finished = false
}

/// Reads records and turns them into rows: text field, its state, dedup key and length. Holds no store:
/// it runs on a worker thread while the previous batch is written (see `Lookahead`).
final class IngestBatchParser {
    private var reader: any RecordReader
    private let csv: CSVReader?
    private let textIndex: Int?
    private let textColumn: String
    private let path: String
    private let skipBadLines: Bool
    private let normalizer = TextNormalizer()
    private var offset: Int64
    private var line: Int
    private var nextRow: Int64

    init(fileDescriptor fd: Int32, path: String, info: IngestInfo, skipBadLines: Bool,
         startOffset: Int64, startLine: Int, startRow: Int64) throws {
        switch info.format {
        case .jsonl, .parquet:   // Parquet input is read by ParquetIngestParser
            reader = JSONLReader(fileDescriptor: fd, path: path, startOffset: startOffset, startLine: startLine)
            csv = nil
            textIndex = nil
        case .csv:
            let csvReader = try CSVReader(fileDescriptor: fd, path: path, startOffset: startOffset, startLine: startLine)
            textIndex = csvReader.header.firstIndex(sameUTF8As: info.textColumn)
            csv = csvReader
            reader = csvReader
        }
        textColumn = info.textColumn
        self.path = path
        self.skipBadLines = skipBadLines
        offset = startOffset
        line = startLine
        nextRow = startRow
    }

    /// Up to `maxRows` rows. A bad record throws (exit 65) unless `skipBadLines`; rows before it in the
    /// batch are not returned, so the store stays at the last committed batch.
    func nextBatch(maxRows: Int) throws -> ParsedBatch {
        var batch = ParsedBatch(endOffset: offset, endLine: line, nextRow: nextRow)
        batch.rows.reserveCapacity(maxRows)
        batch.texts.reserveCapacity(maxRows * 256)
        while batch.rows.count < maxRows {
            guard let record = try reader.next() else { batch.finished = true; break }
            var row = ParsedRow(row: nextRow, line: record.line, offset: record.startOffset, length: record.bytes.count)
            var text: String?
            do {
                if let csvReader = csv {
                    let fields = try csvReader.fields(of: record)
                    if let textIndex, textIndex < fields.count { text = fields[textIndex].value } else { row.state = .missing }
                } else {
                    switch try JSONScan.textField(textColumn, of: record, path: path) {
                    case .string(let value, _): text = value
                    case .missing: row.state = .missing
                    case .null: row.state = .null
                    case .notString: row.state = .notString
                    }
                }
            } catch let error as RecordError {
                guard skipBadLines else {
                    throw EntropyGuardError(.dataError, error.report + "\n(use --skip-bad-lines to record such lines and go on)")
                }
                row.state = .badRecord
                batch.problems[batch.rows.count] = error.problem
            }
            if let text {
                (row.key, row.textLength) = normalizer.keyAndLength(text)
                row.textStart = batch.texts.count
                row.textCount = text.utf8.count
                batch.texts.append(contentsOf: text.utf8)
            }
            batch.rows.append(row)
            nextRow += 1
            offset = record.endOffset
            line = record.line + record.linesSpanned
        }
        batch.endOffset = offset
        batch.endLine = line
        batch.nextRow = nextRow
        return batch
    }
}
