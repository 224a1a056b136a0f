import Parquet

/// Ingest's reader for Parquet input: rows from the files in order, one row group decoded at a time,
/// and of it only the text field (the other columns are decoded when the output reads the records
/// back). Produces the same `ParsedBatch`es as `IngestBatchParser`; a record's place is its
/// `ParquetRecordID`, and `line` is its 1-based number in the whole input (what messages and the
/// audit log show for it).
final class ParquetIngestParser {
    private let files: [String]
    private let textColumn: String
    private let normalizer = TextNormalizer()
    private var fileIndex = 0
    private var reader: ParquetFileReader?
    private var textField: Int?
    private var groupIndex = 0
    private var column: ParquetFlatColumn?
    private var nestedValues: [ParquetFieldValue]?
    private var groupRows = 0
    private var rowInGroup = 0
    private var nextRow: Int64
    /// `--row-groups`' end (one file), else Int.max.
    private let groupLimit: Int

    /// Starts at `startRow` (rows before it were committed by an earlier run): the row groups before it
    /// are skipped by their footer row counts, without being decoded. With `rowGroups` (one file), only
    /// those groups are read, rows numbered from the first one's.
    init(files: [String], textColumn: String, startRow: Int64, rowGroups: Range<Int>? = nil) throws {
        self.files = files
        self.textColumn = textColumn
        nextRow = startRow
        groupLimit = rowGroups?.upperBound ?? Int.max
        groupIndex = rowGroups?.lowerBound ?? 0
        var skip = startRow
        while fileIndex < files.count {
            let reader = try open(fileIndex)
            while groupIndex < groupEnd(reader) && Int64(reader.rowCount(ofRowGroup: groupIndex)) <= skip {
                skip -= Int64(reader.rowCount(ofRowGroup: groupIndex))
                groupIndex += 1
            }
            if groupIndex < groupEnd(reader) {
                try load(group: groupIndex)
                rowInGroup = Int(skip)
                return
            }
            fileIndex += 1
            groupIndex = 0
        }
        reader = nil   // every row was read: nextBatch returns an empty, finished batch
    }

    private func groupEnd(_ reader: ParquetFileReader) -> Int { min(reader.rowGroupCount, groupLimit) }

    private func open(_ index: Int) throws -> ParquetFileReader {
        let reader = try ParquetFileReader(path: files[index])
        self.reader = reader
        textField = reader.schema.fieldIndex(named: textColumn)
        return reader
    }

    private func load(group: Int) throws {
        guard let reader else { return }
        groupRows = reader.rowCount(ofRowGroup: group)
        rowInGroup = 0
        column = nil
        nestedValues = nil
        guard let textField else { return }
        let decoded = try reader.readRowGroup(group, fields: [textField])
        if let flat = decoded.flatColumn(textField) { column = flat } else { nestedValues = decoded.values(ofField: textField) }
    }

    /// Moves to the next row group with rows; false at the end of the input.
    private func advance() throws -> Bool {
        while true {
            if let reader, groupIndex + 1 < groupEnd(reader) {
                groupIndex += 1
            } else {
                fileIndex += 1
                guard fileIndex < files.count else { return false }
                let reader = try open(fileIndex)
                // A later file whose schema differs from the first one's is caught by ParquetDataset
                // when the input is resolved; here only the row groups are walked.
                groupIndex = 0
                guard reader.rowGroupCount > 0 else { continue }
            }
            try load(group: groupIndex)
            if groupRows > 0 { return true }
        }
    }

    /// Up to `maxRows` rows.
    func nextBatch(maxRows: Int) throws -> ParsedBatch {
        var batch = ParsedBatch(endOffset: 0, endLine: Int(nextRow) + 1, nextRow: nextRow)
        batch.rows.reserveCapacity(maxRows)
        batch.texts.reserveCapacity(maxRows * 256)
        while batch.rows.count < maxRows {
            if reader == nil || rowInGroup >= groupRows {
                guard try reader != nil && advance() else { batch.finished = true; break }
            }
            let id = ParquetRecordID(file: fileIndex, rowGroup: groupIndex, row: rowInGroup)
            var row = ParsedRow(row: nextRow, line: Int(nextRow) + 1, offset: id.offset, length: id.length)
            let value: ParquetFieldValue
            if let column { value = column.isNull(rowInGroup) ? .null : column.value(row: rowInGroup) }
            else if let nestedValues { value = nestedValues[rowInGroup] }
            else { value = .null; row.state = .missing }
            switch value {
            case .string(let text):
                (row.key, row.textLength) = normalizer.keyAndLength(text)
                row.textStart = batch.texts.count
                row.textCount = text.utf8.count
                batch.texts.append(contentsOf: text.utf8)
            case .null:
                if row.state != .missing { row.state = .null }
            default:
                row.state = .notString
            }
            batch.rows.append(row)
            nextRow += 1
            rowInGroup += 1
        }
        batch.endLine = Int(nextRow) + 1
        batch.nextRow = nextRow
        return batch
    }
}
