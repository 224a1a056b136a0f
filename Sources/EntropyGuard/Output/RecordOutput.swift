/// Writes surviving rows as records: the original record bytes with only the text field replaced, and
/// only where a stage changed it. Other fields keep their values and key order exactly.
/// With `annotateField` (`--annotate`), every record goes out, each with that field (`Annotation`).
struct RecordOutput {
    let store: WorkingStore
    let input: InputSource
    let info: IngestInfo
    let format: OutputFormat
    let path: String
    var annotateField: String? = nil
    /// Added to `_chunk.parent` (`--row-offset`: a cluster shard's records before it).
    var rowOffset: Int64 = 0
    /// `_chunk` on every record even without chunks here (`--chunk-field`: another shard has them).
    var chunkField = false
    /// An append's first new row (`InputAppend`): the previous output's bytes are kept for the rows
    /// before it when that file checks out (`OutputPrefix`); nil: every row is encoded.
    var appendFrom: Int64? = nil
    /// The chained config hash of the stage the output is made after; with the output options, what
    /// the store records the file was made with. nil: nothing recorded (the file is not reused).
    var configHash: String? = nil

    /// Writes rows alive after `stage` in input order; returns the number written. `expectedRows` is
    /// the row count of the checkpoint the output is made from: the scan below walks `rows` (and joins
    /// `row_content`) in full, so it is the store's most complete check and costs nothing extra. A
    /// damaged b-tree can read short without an SQLite error (8 runs of 16 flipped bytes: 16,027 rows
    /// instead of 16,036, exit 0), so another count is StoreDamage, thrown before the file is moved
    /// into place. On stdout the rows went out already: the run fails (Pipeline). Annotated, every
    /// record goes out and the kept ones are counted against `expectedRows`.
    /// `copied`: the records kept from the previous file (`OutputPrefix`), among `written`.
    func write(after stage: StageID, progress: ProgressReporter, dryRun: Bool, expectedRows: Int?) throws -> (written: Int, copied: Int) {
        // [snapshots] Parquet output has typed columns, written by ParquetRecordOutput.
        if format == .parquet {
            return try ParquetRecordOutput(store: store, input: input, info: info, path: path, annotateField: annotateField,
                                           appendFrom: appendFrom, configHash: configHash)
                .write(after: stage, progress: progress, dryRun: dryRun, expectedRows: expectedRows)
        }
        let output: BufferedFileOutput? = dryRun ? nil : try BufferedFileOutput(path: path, hashed: true)
        let chunked = try chunkField || store.hasChunks()
        let settings = configHash.map { "\($0) \(format) annotate=\(annotateField ?? "-") offset=\(rowOffset) chunked=\(chunked)" }
        var prefix = dryRun || settings == nil ? nil
            : try OutputPrefix.open(path: path, role: Self.role, settings: settings!, store: store, appendFrom: appendFrom)
        var header: [UInt8] = []
        // JSON keys to CSV columns, by bytes (keys that differ only in Unicode normalization are two columns).
        var csvColumnOfKey: [UTF8Key: Int] = [:]
        var csvColumnCount = 0
        if format == .csv {
            let columns = try info.csvHeader ?? info.parquetFieldNames ?? jsonColumns(after: annotateField == nil ? stage : nil, fetcher: InputRecordFetcher(input: input))
            for (index, name) in columns.enumerated() where csvColumnOfKey[UTF8Key(name)] == nil { csvColumnOfKey[UTF8Key(name)] = index }
            csvColumnCount = columns.count
            let annotationColumns = annotateField.map(Annotation.columnNames(field:)) ?? []
            if let taken = annotationColumns.first(where: { columns.contains(sameUTF8As: $0) }) {
                throw EntropyGuardError(.usage, "--annotate-field: the input already has a column \(Snippet.printable(taken)); choose another name")
            }
            // No columns (no record survived a JSONL input): an empty file, not a blank line.
            if !columns.isEmpty { header = RecordRewriter.csvRow(columns + (chunked ? ["_chunk"] : []) + annotationColumns) + [0x0D, 0x0A] }
        }
        // An append whose new rows brought new JSON keys has another CSV header: written whole.
        if let kept = prefix, kept.bytes(count: header.count) != header { prefix = nil }
        // A previous file that changed since its run is found while it is copied: written whole.
        if let kept = prefix, try !kept.copy(count: kept.record.length, to: output!) { prefix = nil }
        var written = 0
        var kept = 0
        if let prefix {
            written = prefix.record.entries
            kept = prefix.record.kept
        } else if !header.isEmpty {
            try output?.write(header)
        }
        let fromRow = prefix == nil ? 0 : appendFrom!
        let fetcher = try InputRecordFetcher(input: input)
        // The common case, a JSONL record going out unchanged: records next to each other in the input
        // (one "\n" apart) go out as one run of input bytes, copied once. Runs are copied in groups
        // on a worker thread while this one reads the next rows from the store (the copy is mostly
        // read/write system calls, the store scan is SQLite: on 1M rows they took similar time).
        // The last run may still grow; the others are complete.
        var runs: [(start: Int64, end: Int64)] = []
        let copier = Lookahead<Void>(label: "entropyguard.output.copy")
        var copying = false
        defer { copier.drain() }   // before the fetcher and the output go away
        func copy(_ runs: [(start: Int64, end: Int64)]) throws {
            for (start, end) in runs {
                try fetcher.withBytes(offset: start, length: Int(end - start)) { try output?.write($0, terminator: 0x0A) }
            }
        }
        /// Hands the collected runs to the worker (`inBackground`) or copies them here, after the
        /// worker's previous group: the output stays in order.
        func flushRuns(inBackground: Bool) throws {
            if copying { try copier.wait(); copying = false }
            guard !runs.isEmpty else { return }
            let group = runs
            runs.removeAll(keepingCapacity: true)
            if inBackground {
                copier.start { try copy(group) }
                copying = true
            } else {
                try copy(group)
            }
        }
        let recordsGoOutAsRead = !chunked && info.format == .jsonl && format != .csv && annotateField == nil
        progress.begin(stage: "output", total: nil)
        let forEachRow = { (body: (WorkingStore.OutputRow) throws -> Void) throws in
            if annotateField != nil { try store.forEachAnnotatedRow(fromRow: fromRow, body) } else { try store.forEachOutputRow(after: stage, fromRow: fromRow, body) }
        }
        try forEachRow { row in
            let offset = row.offset
            let length = row.length
            if recordsGoOutAsRead && !row.hasNewText {
                if let last = runs.last, last.end + 1 == offset, last.end - last.start < 1 << 20 {
                    runs[runs.count - 1].end = offset + Int64(length)
                } else {
                    if runs.count >= 4096 { try flushRuns(inBackground: true) }
                    runs.append((offset, offset + Int64(length)))
                }
                written += 1
                if written % 10_000 == 0 {
                    try Interrupt.check()
                    progress.update(done: written)
                }
                return
            }
            try flushRuns(inBackground: false)
            let newText = row.newText
            let record = try fetcher.bytes(offset: offset, length: length)
            let chunk = row.chunk.map { (parent: $0.parent + rowOffset, index: $0.index) }
            var line: [UInt8]
            switch (info.format, format) {
            case (.jsonl, .csv), (.parquet, .csv):
                line = try jsonRecordAsCSV(record, columnOfKey: csvColumnOfKey, columnCount: csvColumnCount, newText: newText)
            case (.jsonl, _), (.parquet, _):
                line = try jsonRecord(record, newText: newText)
            case (.csv, .csv):
                guard newText != nil else { line = record + [0x0D, 0x0A]; break }   // unchanged: the original bytes
                var values: [String?] = try CSVFieldParser.parse(record).map { $0.value.isEmpty && !$0.wasQuoted ? nil : $0.value }
                if let newText, let index = info.csvHeader?.firstIndex(sameUTF8As: info.textColumn) { values[index] = newText }
                line = RecordRewriter.csvRow(values) + [0x0D, 0x0A]
            case (.csv, _):
                let fields = try CSVFieldParser.parse(record)
                line = RecordRewriter.jsonObject(header: info.csvHeader ?? [], fields: fields, textColumn: info.textColumn, text: newText)
                line.append(0x0A)
            }
            if chunked { line = Self.addingChunk(chunk, to: line, format: format) }
            if let annotateField {
                let drop = row.drop
                if drop == nil { kept += 1 }
                line = Self.addingAnnotation(drop, field: annotateField, to: line, format: format)
            } else {
                kept += 1
            }
            try output?.write(line)
            written += 1
            if written % 10_000 == 0 {
                try Interrupt.check()
                progress.update(done: written)
            }
        }
        try flushRuns(inBackground: false)
        if annotateField == nil { kept = written }
        if let expectedRows, kept != expectedRows { throw StoreDamage.rowCount(kept, expected: expectedRows, in: "the output") }
        try output?.commit()
        if !dryRun {
            try OutputPrefix.record(output?.hash, role: Self.role, settings: settings,
                                    entries: written, kept: kept, store: store)
        }
        progress.end()
        return (written, prefix?.record.entries ?? 0)
    }

    /// The store's name for the cleaned output's record (`WorkingStore.OutputFileRecord`).
    static let role = "output"

    /// Chunks carry `_chunk`: {"parent": row, "index": i} in JSON, the index in a CSV column.
    static func addingChunk(_ chunk: (parent: Int64, index: Int)?, to line: [UInt8], format: OutputFormat) -> [UInt8] {
        var body = Array(line.dropLast(format == .csv ? 2 : 1))
        switch format {
        case .csv:
            body += Array(",\(chunk.map { String($0.index) } ?? "")".utf8) + [0x0D, 0x0A]
        default:
            let value = chunk.map { "{\"parent\": \($0.parent), \"index\": \($0.index)}" } ?? "null"
            body = RecordRewriter.appendingField(to: body, key: "_chunk", jsonValue: Array(value.utf8)) + [0x0A]
        }
        return body
    }

    /// `--annotate`: the record's annotation, an object field in JSON, flattened columns in CSV.
    static func addingAnnotation(_ drop: DropInfo?, field: String, to line: [UInt8], format: OutputFormat) -> [UInt8] {
        var body = Array(line.dropLast(format == .csv ? 2 : 1))
        switch format {
        case .csv:
            body += [UInt8(ascii: ",")] + RecordRewriter.csvRow(Annotation.csvValues(drop)) + [0x0D, 0x0A]
        default:
            body = RecordRewriter.appendingField(to: body, key: field, jsonValue: Annotation.json(drop)) + [0x0A]
        }
        return body
    }

    private func jsonRecord(_ record: [UInt8], newText: String?) throws -> [UInt8] {
        guard let newText else { return record + [0x0A] }
        guard case .string(_, let range) = try JSONScan.textField(info.textColumn, in: record) else { return record + [0x0A] }
        return RecordRewriter.replacingJSONValue(in: record, range: range, withString: newText) + [0x0A]
    }

    private func jsonRecordAsCSV(_ record: [UInt8], columnOfKey: [UTF8Key: Int], columnCount: Int, newText: String?) throws -> [UInt8] {
        let fields = try JSONScan.fields(record)
        var values = [String?](repeating: nil, count: columnCount)
        for field in fields {
            guard let index = columnOfKey[UTF8Key(field.key)] else { continue }
            if field.key.hasSameUTF8(as: info.textColumn), let newText { values[index] = newText; continue }
            switch try JSONScan.value(of: field, in: record) {
            case .null: values[index] = nil
            case .bool(let v): values[index] = v ? "true" : "false"
            case .int(let v): values[index] = String(v)
            case .double: values[index] = String(decoding: record[field.valueRange], as: UTF8.self)
            case .string(let v): values[index] = v
            case .json(let v): values[index] = v
            }
        }
        return RecordRewriter.csvRow(values) + [0x0D, 0x0A]
    }

    /// Top-level keys of the JSON records surviving `stage` (nil: of every record), in order of first appearance.
    private func jsonColumns(after stage: StageID?, fetcher: InputRecordFetcher) throws -> [String] {
        var seen = Set<UTF8Key>()
        var columns: [String] = []
        let forEachRecord = { (body: (Int64, Int) throws -> Void) throws in
            if let stage { try store.forEachRecord(after: stage, body) } else { try store.rowReader.forEachReadRecord(body) }
        }
        try forEachRecord { offset, length in
            for field in try JSONScan.fields(fetcher.bytes(offset: offset, length: length)) where seen.insert(UTF8Key(field.key)).inserted {
                columns.append(field.key)
            }
        }
        return columns
    }
}
