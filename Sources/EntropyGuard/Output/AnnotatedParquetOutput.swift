import Parquet

/// `--output FILE.parquet --annotate`: every record, kept or dropped, in input order, with the Parquet
/// output's columns (`_parent_row`/`_chunk_index` when there are chunks, then the input's, the text
/// column holding the text as the last stage that saw the row left it) and the annotation as flattened
/// columns `<field>.kept` (boolean), `.stage`, `.reason`, `.details` (strings), `.duplicate_of` (int64),
/// `.similarity` (double). With a reference (`--reference`), `.duplicate_of` is a string (`12` or
/// `ref:3`, as in the JSON and CSV outputs): the type follows the run's options, never the data.
/// Flattened rather than one struct column: flat columns read the same in pyarrow, duckdb and polars
/// (`WHERE "_entropyguard.kept"`).
struct AnnotatedParquetOutput {
    let store: WorkingStore
    let input: InputSource
    let info: IngestInfo
    let path: String
    let field: String

    /// Writes the file; returns the number of records written. The kept ones must be `expectedKept`
    /// (the last checkpoint's row count), else the store is damaged (see RecordOutput).
    func write(progress: ProgressReporter, dryRun: Bool, expectedKept: Int?) throws -> Int {
        let schema = try SnapshotSchema.of(store: store, input: input, info: info)
        let chunks = try store.hasChunks()
        let inputColumns = try InputColumns(schema: schema, input: input, info: info)
        let columns = SnapshotTableWriter.columns(input: inputColumns.parquetColumns, rowNumber: false, chunks: chunks)
        let annotation = Annotation.columnNames(field: field)
        if let taken = annotation.first(where: { name in columns.contains { $0.name.hasSameUTF8(as: name) } }) {
            throw EntropyGuardError(.usage, "--annotate-field: the input already has a column \(Snippet.printable(taken)); choose another name")
        }
        let referenced = try store.meta("reference.store") != nil
        let types: [ParquetType] = [.boolean, .string, .string, .string, referenced ? .string : .int64, .double]
        let annotationColumns = zip(annotation, types).enumerated().map {
            ParquetColumn(name: $0.element.0, type: $0.element.1, optional: $0.offset > 0)
        }
        let writer: ParquetWriter?
        do {
            let allColumns = columns + annotationColumns
            let metadata = inputColumns.keyValueMetadata(columns: allColumns, firstInputColumn: chunks ? 2 : 0)
            writer = dryRun ? nil : try ParquetWriter(path: path, columns: allColumns,
                                                       options: ParquetWriterOptions(createdBy: "entropyguard \(EntropyGuardVersion.string)",
                                                                                     compressInBackground: true, keyValueMetadata: metadata))
        } catch let error as ParquetError {
            throw EntropyGuardError(error, writing: path)
        }
        var closed = false
        defer { if !closed { writer?.abandon() } }
        var inputRows = try InputRows(columns: inputColumns, input: input, info: info)
        let firstAnnotationColumn = columns.count
        var written = 0, kept = 0
        progress.begin(stage: "output", total: nil)
        defer { progress.end() }
        do {
            try store.forEachAnnotatedRow { row in
                let drop = row.drop
                if drop == nil { kept += 1 }
                written += 1
                if written % 10_000 == 0 {
                    try Interrupt.check()
                    progress.update(done: written)
                }
                guard let writer else { return }
                // The decoded values point into the fetcher's window: appended before it moves.
                try inputRows.withRow(offset: row.offset, length: row.length) { decoded, _ in
                    if chunks {
                        if let chunk = row.chunk {
                            try writer.appendInt64(chunk.parent, column: 0)
                            try writer.appendInt64(Int64(chunk.index), column: 1)
                        } else {
                            try writer.appendNull(column: 0)
                            try writer.appendNull(column: 1)
                        }
                    }
                    try decoded.append(to: writer, firstColumn: chunks ? 2 : 0, text: row.currentText)
                    let c = firstAnnotationColumn
                    try writer.appendBool(drop == nil, column: c)
                    if let drop {
                        try appendString(drop.stage, to: writer, column: c + 1)
                        try appendString(drop.reason, to: writer, column: c + 2)
                        if let details = drop.details { try appendString(details, to: writer, column: c + 3) } else { try writer.appendNull(column: c + 3) }
                        if let of = drop.duplicateOf {
                            if referenced { try appendString(ReferenceRow.label(of), to: writer, column: c + 4) } else { try writer.appendInt64(of, column: c + 4) }
                        } else {
                            try writer.appendNull(column: c + 4)
                        }
                        if let similarity = drop.roundedSimilarity { try writer.appendDouble(similarity, column: c + 5) } else { try writer.appendNull(column: c + 5) }
                    } else {
                        for column in (c + 1)...(c + 5) { try writer.appendNull(column: column) }
                    }
                    try writer.endRow()
                }
            }
            if let expectedKept, kept != expectedKept { throw StoreDamage.rowCount(kept, expected: expectedKept, in: "the output") }
            try writer?.close()
            closed = true
        } catch let error as ParquetError {
            throw EntropyGuardError(error, writing: path)
        }
        return written
    }

    private func appendString(_ value: String, to writer: ParquetWriter, column: Int) throws {
        var value = value
        try value.withUTF8 { try writer.appendBytes(UnsafeRawBufferPointer($0), column: column) }
    }
}
