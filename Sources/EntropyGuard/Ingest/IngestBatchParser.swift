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

/// A batch of parsed rows and where the reader stands after it: what ingest commits in one transaction.
struct ParsedBatch {
    var rows: [ParsedRow] = []
    /// Reader position after the batch: the next run resumes here.
    var endOffset: Int64
    var endLine: Int
    var nextRow: Int64
    var badRecords = 0
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
        case .jsonl:
            reader = JSONLReader(fileDescriptor: fd, path: path, startOffset: startOffset, startLine: startLine)
            csv = nil
            textIndex = nil
        case .csv:
            let csvReader = try CSVReader(fileDescriptor: fd, path: path, startOffset: startOffset, startLine: startLine)
            textIndex = csvReader.header.firstIndex(of: info.textColumn)
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
        while batch.rows.count < maxRows {
            guard let record = try reader.next() else { batch.finished = true; break }
            var row = ParsedRow(row: nextRow, line: record.line, offset: record.startOffset, length: record.bytes.count)
            do {
                if let csvReader = csv {
                    let fields = try csvReader.fields(of: record)
                    if let textIndex, textIndex < fields.count { row.text = fields[textIndex].value } else { row.state = "missing" }
                } else {
                    switch try JSONScan.textField(textColumn, of: record, path: path) {
                    case .string(let value, _): row.text = value
                    case .missing: row.state = "missing"
                    case .null: row.state = "null"
                    case .notString: row.state = "not_string"
                    }
                }
            } catch let error as RecordError {
                guard skipBadLines else {
                    throw EntropyGuardError(.dataError, "\(error.path):\(error.line): \(error.problem)\n  \(error.snippet)\n(use --skip-bad-lines to record such lines and go on)")
                }
                row.state = "bad_record"
                row.badProblem = error.problem
                batch.badRecords += 1
            }
            if let text = row.text { (row.key, row.textLength) = normalizer.keyAndLength(text) }
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
