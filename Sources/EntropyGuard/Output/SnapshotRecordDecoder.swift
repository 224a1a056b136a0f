import Parquet

/// Turns one input record into the values of the schema's input columns, typed as the schema says.
/// The text column's value is not read from the record: the caller passes the text from the store.
struct SnapshotRecordDecoder {
    let schema: SnapshotSchema
    let format: InputFormat
    private let indexByName: [String: Int]
    private let textIndex: Int?
    /// CSV: schema column of each header position.
    private let csvColumnOfField: [Int?]

    init(schema: SnapshotSchema, info: IngestInfo) {
        self.schema = schema
        format = info.format
        var index: [String: Int] = [:]
        for (position, column) in schema.columns.enumerated() where index[column.name] == nil { index[column.name] = position }
        indexByName = index
        textIndex = index[info.textColumn]
        csvColumnOfField = (info.csvHeader ?? []).map { index[$0] }
    }

    /// The input columns' values for `record`, with `text` (UTF-8 bytes, nil = null) in the text column.
    func values(record: [UInt8], text: [UInt8]?) throws -> [ParquetValue] {
        var values = [ParquetValue](repeating: .null, count: schema.columns.count)
        switch format {
        case .jsonl: try fillJSON(&values, record: record)
        case .csv: try fillCSV(&values, record: record)
        }
        if let textIndex { values[textIndex] = text.map { .bytes($0) } ?? .null }
        return values
    }

    private func fillJSON(_ values: inout [ParquetValue], record: [UInt8]) throws {
        var filled = [Bool](repeating: false, count: values.count)
        for field in try JSONScan.fields(record) {
            // First occurrence of a duplicate key wins, as in ingest.
            guard let index = indexByName[field.key], index != textIndex, !filled[index] else { continue }
            filled[index] = true
            values[index] = try Self.convert(field, in: record, to: schema.columns[index])
        }
    }

    private func fillCSV(_ values: inout [ParquetValue], record: [UInt8]) throws {
        let fields: [CSVField]
        do {
            fields = try CSVFieldParser.parse(record)
        } catch let error as CSVFieldParser.SyntaxError {
            throw EntropyGuardError(.dataError, "a record changed since ingest: \(error.problem)")
        }
        for (position, field) in fields.enumerated() where position < csvColumnOfField.count {
            guard let index = csvColumnOfField[position], index != textIndex else { continue }
            if case .string(let value) = field.fieldValue { values[index] = .string(value) }
        }
    }

    /// A JSON value as a value of `column`'s type. A string column takes non-string values as their
    /// JSON text; the other types only hold what inference allowed into them.
    static func convert(_ field: JSONField, in record: [UInt8], to column: SnapshotColumn) throws -> ParquetValue {
        if field.kind == .null { return .null }
        if column.type == .string {
            if field.kind == .string, case .string(let value) = try JSONScan.value(of: field, in: record) { return .string(value) }
            return .bytes(Array(record[field.valueRange]))
        }
        switch (column.type, try JSONScan.value(of: field, in: record)) {
        case (.bool, .bool(let value)): return .bool(value)
        case (.int64, .int(let value)): return .int64(value)
        case (.double, .int(let value)): return .double(Double(value))
        case (.double, .double(let value)): return .double(value)
        default:
            throw EntropyGuardError(.dataError, "field \(field.key) holds \(field.kind), but the cached schema says \(column.type); the input changed since ingest")
        }
    }
}
