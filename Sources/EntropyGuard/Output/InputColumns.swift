import Parquet

/// The input's columns in the snapshots and the Parquet output: for JSONL and CSV, the columns of the
/// inferred `SnapshotSchema` (bool, int64, double, string; every one optional); for Parquet input, the
/// input's own columns with their types (physical and logical types, nullability, nested lists, maps
/// and structs: `ParquetColumn(copying:)`), so those files keep the input's schema and every value
/// of the columns the pipeline does not change, and its footer's key/value metadata (`InputKeyValueMetadata`).
enum InputColumns {
    case inferred(SnapshotSchema)
    /// `textField`: the index of the text column in `columns` (the last one when the input lacks it).
    case parquet(columns: [ParquetColumn], textField: Int, metadata: InputKeyValueMetadata)

    init(schema: SnapshotSchema, input: InputSource, info: IngestInfo) throws {
        guard input.isParquet else {
            self = .inferred(schema)
            return
        }
        // Every file has the first one's schema (ParquetDataset checked it when the input was resolved).
        let reader = try ParquetFileReader(path: input.parquetFiles[0])
        let fileSchema = reader.schema
        let fileColumns = fileSchema.fields.map { ParquetColumn(copying: $0) }
        var columns = fileColumns
        var sourceField = Array(columns.indices) as [Int?]
        let textField: Int
        if let index = fileSchema.fieldIndex(named: info.textColumn) {
            // The text column holds the texts the stages made: a string column keeps its type; any other
            // (its rows' texts were not strings, so none is kept) becomes an optional string column.
            let field = fileSchema.fields[index]
            if field.physicalType != .byteArray || field.repetition == .repeated {
                columns[index] = ParquetColumn(name: field.name, type: .string, optional: true)
                sourceField[index] = nil
            }
            textField = index
        } else {
            columns.append(ParquetColumn(name: info.textColumn, type: .string, optional: true))
            sourceField.append(nil)
            textField = columns.count - 1
        }
        self = .parquet(columns: columns, textField: textField,
                        metadata: InputKeyValueMetadata(pairs: reader.keyValueMetadata, inputColumns: fileColumns, sourceField: sourceField))
    }

    /// The footer key/value metadata of a file of `columns`, where `parquetColumns` (maybe renamed)
    /// start at `firstInputColumn`: none for JSONL and CSV input.
    func keyValueMetadata(columns: [ParquetColumn], firstInputColumn: Int) -> [(key: String, value: String?)] {
        guard case .parquet(_, _, let metadata) = self else { return [] }
        return metadata.pairs(columns: columns, firstInputColumn: firstInputColumn)
    }

    /// The writer's columns, in order (names as in the input).
    var parquetColumns: [ParquetColumn] {
        switch self {
        case .inferred(let schema):
            return schema.columns.map { ParquetColumn(name: $0.name, type: SnapshotTableWriter.parquetType($0.type), optional: true) }
        case .parquet(let columns, _, _):
            return columns
        }
    }
}

/// Reads the records' values for `InputColumns` back from the input, in the order the outputs ask.
struct InputRows {
    private let fetcher: InputRecordFetcher
    private var decoder: SnapshotRecordDecoder?
    private var decoded: SnapshotDecodedRow
    private let textField: Int

    init(columns: InputColumns, input: InputSource, info: IngestInfo) throws {
        fetcher = try InputRecordFetcher(input: input)
        switch columns {
        case .inferred(let schema):
            decoder = SnapshotRecordDecoder(schema: schema, info: info)
            decoded = SnapshotDecodedRow(count: schema.columns.count)
            textField = -1
        case .parquet(_, let textField, _):
            decoder = nil
            decoded = SnapshotDecodedRow(count: 0)
            self.textField = textField
        }
    }

    /// Calls `body` with the record's values and the bytes of its text field (nil: null, absent or
    /// not a string), both valid only inside `body`.
    mutating func withRow<T>(offset: Int64, length: Int, _ body: (InputRowValues, UnsafeRawBufferPointer?) throws -> T) throws -> T {
        if decoder == nil {
            let textField = textField
            return try fetcher.withParquetRow(offset: offset, length: length) { row in
                let values = InputRowValues.parquet(row, textField: textField)
                guard textField < row.count, case .string(var text) = row[textField] else { return try body(values, nil) }
                return try text.withUTF8 { try body(values, UnsafeRawBufferPointer($0)) }
            }
        }
        return try fetcher.withBytes(offset: offset, length: length) { record in
            try decoder!.decode(record: record.bindMemory(to: UInt8.self), into: &decoded)
            return try decoded.withRecordText { try body(.decoded(decoded), $0) }
        }
    }
}

/// One record's values for the input columns (see `InputRows.withRow`).
enum InputRowValues {
    case decoded(SnapshotDecodedRow)
    case parquet([ParquetFieldValue], textField: Int)

    /// Appends the values to the row `writer` is building, input column i as the writer's column
    /// `firstColumn + i`, with `text` (nil: null) in the text column.
    func append(to writer: ParquetWriter, firstColumn: Int, text: UnsafeRawBufferPointer?) throws {
        switch self {
        case .decoded(let row):
            try row.append(to: writer, firstColumn: firstColumn, text: text)
        case .parquet(let values, let textField):
            for (index, value) in values.enumerated() where index != textField {
                try writer.appendField(value, column: firstColumn + index)
            }
            if let text { try writer.appendBytes(text, column: firstColumn + textField) } else { try writer.appendNull(column: firstColumn + textField) }
        }
    }
}
