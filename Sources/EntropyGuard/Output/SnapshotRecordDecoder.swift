#if canImport(Glibc)
import Glibc
#endif
import Parquet

/// Turns one input record into the values of the schema's input columns, typed as the schema says.
/// The text column's value is not read from the record: the caller passes the text from the store.
struct SnapshotRecordDecoder {
    let schema: SnapshotSchema
    let format: InputFormat
    private let indexByName: [UTF8Key: Int]
    private let nameBytes: [[UInt8]]
    private let textIndex: Int
    /// CSV: schema column of each header position.
    private let csvColumnOfField: [Int?]
    private var predictor = KeyPositionPredictor()

    init(schema: SnapshotSchema, info: IngestInfo) {
        self.schema = schema
        format = info.format
        var index: [UTF8Key: Int] = [:]
        for (position, column) in schema.columns.enumerated() where index[UTF8Key(column.name)] == nil {
            index[UTF8Key(column.name)] = position
        }
        indexByName = index
        nameBytes = schema.columns.map { Array($0.name.utf8) }
        textIndex = index[UTF8Key(info.textColumn)] ?? -1
        csvColumnOfField = (info.csvHeader ?? []).map { index[UTF8Key($0)] }
    }

    /// The input columns' values for `record`, with `text` (UTF-8 bytes, nil = null) in the text column.
    mutating func values(record: [UInt8], text: [UInt8]?) throws -> [ParquetValue] {
        var values = [ParquetValue](repeating: .null, count: schema.columns.count)
        switch format {
        case .jsonl: try fillJSON(&values, record: record)
        case .csv: try fillCSV(&values, record: record)
        }
        if textIndex >= 0 { values[textIndex] = text.map { .bytes($0) } ?? .null }
        return values
    }

    private mutating func fillJSON(_ values: inout [ParquetValue], record: [UInt8]) throws {
        var filled = [Bool](repeating: false, count: values.count)
        try record.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            try scanner.beginObject()
            var position = 0
            try scanner.forEachMember { keyRange, keyHasEscapes, valueRange, kind, valueHasEscapes in
                let index = column(ofKey: keyRange, escaped: keyHasEscapes, at: position, in: buffer)
                position += 1
                // First occurrence of a duplicate key wins, as in ingest.
                guard index >= 0, index != textIndex, !filled[index] else { return }
                filled[index] = true
                values[index] = try Self.convert(record, valueRange, kind: kind, escaped: valueHasEscapes, to: schema.columns[index])
            }
        }
    }

    private mutating func column(ofKey literal: Range<Int>, escaped: Bool, at position: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        if let guess = predictor.match(literal, escaped: escaped, at: position, in: buffer, names: nameBytes) { return guess }
        let index = indexByName[UTF8Key(KeyPositionPredictor.decodeKey(literal, escaped: escaped, in: buffer))] ?? -1
        predictor.remember(index, at: position)
        return index
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

    /// A JSON value (at `range` of a checked record) as a value of `column`'s type. A string column
    /// takes non-string values as their JSON text; the other types only hold what inference allowed.
    static func convert(_ record: [UInt8], _ range: Range<Int>, kind: JSONValueKind, escaped: Bool,
                        to column: SnapshotColumn) throws -> ParquetValue {
        if kind == .null { return .null }
        if column.type == .string {
            switch kind {
            case .string where escaped:
                return .string(record.withUnsafeBufferPointer { JSONStringCodec.decodeEscaped($0, literal: range) })
            // The scanner checked the record's UTF-8: the literal's inner bytes are the string.
            case .string: return .bytes(Array(record[(range.lowerBound + 1)..<(range.upperBound - 1)]))
            default: return .bytes(Array(record[range]))
            }
        }
        let value = try JSONScan.value(of: JSONField(key: column.name, valueRange: range, kind: kind), in: record)
        switch (column.type, value) {
        case (.bool, .bool(let value)): return .bool(value)
        case (.int64, .int(let value)): return .int64(value)
        case (.double, .int(let value)): return .double(Double(value))
        case (.double, .double(let value)): return .double(value)
        default:
            throw EntropyGuardError(.dataError, "field \(Snippet.printable(column.name)) holds \(kind), but the cached schema says \(column.type); the input changed since ingest")
        }
    }

    /// `convert` for a field of a record (from `JSONScan.fields`).
    static func convert(_ field: JSONField, in record: [UInt8], to column: SnapshotColumn) throws -> ParquetValue {
        let escaped = field.kind == .string && record[field.valueRange].contains(UInt8(ascii: "\\"))
        return try convert(record, field.valueRange, kind: field.kind, escaped: escaped, to: column)
    }
}
