#if canImport(Glibc)
import Glibc
#endif
import Parquet

/// Turns one input record into the values of the schema's input columns, typed as the schema says.
/// The text column's value is not read from the record: the caller passes the text from the store.
///
/// The values go to a `SnapshotValueSink` column by column: straight into a `ParquetWriter` for the
/// snapshots (no array of values per row, string values passed as slices of the record), or into an
/// array (`values(record:text:)`). Measured on 200k rows, building a `[ParquetValue]` with a copied
/// array per string value was a fifth of the export's CPU time.
struct SnapshotRecordDecoder {
    let schema: SnapshotSchema
    let format: InputFormat
    private let indexByName: [UTF8Key: Int]
    private let nameBytes: [[UInt8]]
    private let textIndex: Int
    /// CSV: schema column of each header position.
    private let csvColumnOfField: [Int?]
    private var predictor = KeyPositionPredictor()
    /// Which columns the record being decoded has given a value (reused from record to record).
    private var filled: [Bool]

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
        filled = [Bool](repeating: false, count: schema.columns.count)
    }

    /// The input columns' values for `record`, with `text` (UTF-8 bytes, nil = null) in the text column.
    mutating func values(record: [UInt8], text: [UInt8]?) throws -> [ParquetValue] {
        var sink = SnapshotValueArray(count: schema.columns.count)
        try record.withUnsafeBufferPointer { record in
            if let text {
                try text.withUnsafeBytes { try decode(record: record, text: $0, into: &sink) }
            } else {
                try decode(record: record, text: nil, into: &sink)
            }
        }
        return sink.values
    }

    /// Decodes the record's values into `row` (the text column stays for the caller to give): the
    /// row can then be appended to several writers, each with its own text.
    mutating func decode(record: UnsafeBufferPointer<UInt8>, into row: inout SnapshotDecodedRow) throws {
        try decode(record: record, text: nil, into: &row)
        row.textColumn = textIndex
    }

    private mutating func decode<Sink: SnapshotValueSink>(record: UnsafeBufferPointer<UInt8>, text: UnsafeRawBufferPointer?,
                                                          into sink: inout Sink) throws {
        for index in filled.indices { filled[index] = false }
        sink.recordText(nil)
        switch format {
        case .jsonl, .parquet: try fillJSON(record, into: &sink)
        case .csv: try fillCSV(Array(record), into: &sink)
        }
        if textIndex >= 0 {
            filled[textIndex] = true
            if let text { try sink.bytes(text, textIndex) } else { try sink.null(textIndex) }
        }
        for index in filled.indices where !filled[index] { try sink.null(index) }
    }

    private mutating func fillJSON<Sink: SnapshotValueSink>(_ buffer: UnsafeBufferPointer<UInt8>, into sink: inout Sink) throws {
        var scanner = JSONScanner(buffer)
        try scanner.beginObject()
        var position = 0
        try scanner.forEachMember { keyRange, keyHasEscapes, valueRange, kind, valueHasEscapes in
            let index = column(ofKey: keyRange, escaped: keyHasEscapes, at: position, in: buffer)
            position += 1
            // First occurrence of a duplicate key wins, as in ingest.
            guard index >= 0, !filled[index] else { return }
            filled[index] = true
            if index == textIndex {
                // The text field as ingest read it: its string, or null (not a string).
                switch kind {
                case .string where valueHasEscapes: sink.recordText(decoded: JSONStringCodec.decodeEscaped(buffer, literal: valueRange))
                case .string: sink.recordText(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[(valueRange.lowerBound + 1)..<(valueRange.upperBound - 1)])))
                default: sink.recordText(nil)
                }
                return
            }
            try Self.convert(buffer, valueRange, kind: kind, escaped: valueHasEscapes, to: schema.columns[index], at: index, into: &sink)
        }
    }

    private mutating func column(ofKey literal: Range<Int>, escaped: Bool, at position: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        if let guess = predictor.match(literal, escaped: escaped, at: position, in: buffer, names: nameBytes) { return guess }
        let index = indexByName[UTF8Key(KeyPositionPredictor.decodeKey(literal, escaped: escaped, in: buffer))] ?? -1
        predictor.remember(index, at: position)
        return index
    }

    /// A field given twice under one header name: the last non-empty one counts.
    private mutating func fillCSV<Sink: SnapshotValueSink>(_ record: [UInt8], into sink: inout Sink) throws {
        let fields: [CSVField]
        do {
            fields = try CSVFieldParser.parse(record)
        } catch let error as CSVFieldParser.SyntaxError {
            throw EntropyGuardError(.dataError, "a record changed since ingest: \(error.problem)")
        }
        var strings = [String?](repeating: nil, count: filled.count)
        for (position, field) in fields.enumerated() where position < csvColumnOfField.count {
            guard let index = csvColumnOfField[position], index != textIndex else { continue }
            if case .string(let value) = field.fieldValue { strings[index] = value }
        }
        for (index, value) in strings.enumerated() {
            guard let value else { continue }
            filled[index] = true
            try sink.string(value, index)
        }
    }

    /// A JSON value (at `range` of a checked record) as a value of `column`'s type, given to `sink` as
    /// column `index`. A string column takes non-string values as their JSON text; the other types
    /// only hold what inference allowed.
    static func convert<Sink: SnapshotValueSink>(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, kind: JSONValueKind,
                                                 escaped: Bool, to column: SnapshotColumn, at index: Int, into sink: inout Sink) throws {
        if kind == .null { return try sink.null(index) }
        if column.type == .string {
            switch kind {
            case .string where escaped:
                try sink.string(JSONStringCodec.decodeEscaped(record, literal: range), index)
            // The scanner checked the record's UTF-8: the literal's inner bytes are the string.
            case .string: try sink.bytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: record[(range.lowerBound + 1)..<(range.upperBound - 1)])), index)
            default: try sink.bytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: record[range])), index)
            }
            return
        }
        switch (column.type, try JSONScan.value(kind: kind, range: range, in: record)) {
        case (.bool, .bool(let value)): try sink.bool(value, index)
        case (.int64, .int(let value)): try sink.int64(value, index)
        case (.double, .int(let value)): try sink.double(Double(value), index)
        case (.double, .double(let value)): try sink.double(value, index)
        default:
            throw EntropyGuardError(.dataError, "field \(Snippet.printable(column.name)) holds \(kind), but the cached schema says \(column.type); the input changed since ingest")
        }
    }

    /// `convert` for a field of a record (from `JSONScan.fields`).
    static func convert(_ field: JSONField, in record: [UInt8], to column: SnapshotColumn) throws -> ParquetValue {
        let escaped = field.kind == .string && record[field.valueRange].contains(UInt8(ascii: "\\"))
        var sink = SnapshotValueArray(count: 1)
        try record.withUnsafeBufferPointer {
            try convert($0, field.valueRange, kind: field.kind, escaped: escaped, to: column, at: 0, into: &sink)
        }
        return sink.values[0]
    }
}

/// Where `SnapshotRecordDecoder` puts a record's values, column by column (each column once).
protocol SnapshotValueSink {
    mutating func null(_ column: Int) throws
    mutating func int64(_ value: Int64, _ column: Int) throws
    mutating func double(_ value: Double, _ column: Int) throws
    mutating func bool(_ value: Bool, _ column: Int) throws
    /// A string value's UTF-8 bytes, valid only during the call.
    mutating func bytes(_ bytes: UnsafeRawBufferPointer, _ column: Int) throws
    /// A string value that had to be decoded (escaped JSON, CSV fields).
    mutating func string(_ value: String, _ column: Int) throws
    /// The JSON record's own text field: its string's bytes, valid only during the call (nil: absent
    /// or not a string), or a string that had to be decoded.
    mutating func recordText(_ bytes: UnsafeRawBufferPointer?)
    mutating func recordText(decoded: String)
}

extension SnapshotValueSink {
    mutating func recordText(_ bytes: UnsafeRawBufferPointer?) {}
    mutating func recordText(decoded: String) {}
}

/// The values as an array of `ParquetValue`s.
struct SnapshotValueArray: SnapshotValueSink {
    var values: [ParquetValue]

    init(count: Int) { values = [ParquetValue](repeating: .null, count: count) }

    mutating func null(_ column: Int) { values[column] = .null }
    mutating func int64(_ value: Int64, _ column: Int) { values[column] = .int64(value) }
    mutating func double(_ value: Double, _ column: Int) { values[column] = .double(value) }
    mutating func bool(_ value: Bool, _ column: Int) { values[column] = .bool(value) }
    mutating func bytes(_ bytes: UnsafeRawBufferPointer, _ column: Int) { values[column] = .bytes(Array(bytes)) }
    mutating func string(_ value: String, _ column: Int) { values[column] = .string(value) }
}

/// A record's values decoded once, appended to one or more writers: string values point into the
/// record's bytes, so the row is valid only while they are.
struct SnapshotDecodedRow: SnapshotValueSink {
    enum Value {
        case null, int64(Int64), double(Double), bool(Bool), bytes(UnsafeRawBufferPointer), string(String)
    }
    private var values: [Value]
    /// The schema column whose value each writer gets from the caller (-1: none).
    fileprivate(set) var textColumn = -1
    /// The JSON record's text field (`recordText`).
    private var text: Value = .null

    init(count: Int) { values = [Value](repeating: .null, count: count) }

    mutating func null(_ column: Int) { values[column] = .null }
    mutating func int64(_ value: Int64, _ column: Int) { values[column] = .int64(value) }
    mutating func double(_ value: Double, _ column: Int) { values[column] = .double(value) }
    mutating func bool(_ value: Bool, _ column: Int) { values[column] = .bool(value) }
    mutating func bytes(_ bytes: UnsafeRawBufferPointer, _ column: Int) { values[column] = .bytes(bytes) }
    mutating func string(_ value: String, _ column: Int) { values[column] = .string(value) }
    mutating func recordText(_ bytes: UnsafeRawBufferPointer?) { text = bytes.map { .bytes($0) } ?? .null }
    mutating func recordText(decoded: String) { text = .string(decoded) }

    /// Calls `body` with the record's text field's bytes (nil: absent, null or not a string): for
    /// JSONL, the text ingest stored as the original.
    func withRecordText<T>(_ body: (UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
        switch text {
        case .bytes(let bytes): return try body(bytes)
        case .string(var decoded): return try decoded.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        default: return try body(nil)
        }
    }

    /// Appends the values to the row `writer` is building, schema column i as the writer's column
    /// `firstColumn + i`, with `text` (nil: null) in the text column.
    func append(to writer: ParquetWriter, firstColumn: Int, text: UnsafeRawBufferPointer?) throws {
        for (index, value) in values.enumerated() {
            let column = firstColumn + index
            if index == textColumn {
                if let text { try writer.appendBytes(text, column: column) } else { try writer.appendNull(column: column) }
                continue
            }
            switch value {
            case .null: try writer.appendNull(column: column)
            case .int64(let v): try writer.appendInt64(v, column: column)
            case .double(let v): try writer.appendDouble(v, column: column)
            case .bool(let v): try writer.appendBool(v, column: column)
            case .bytes(let v): try writer.appendBytes(v, column: column)
            case .string(var v): try v.withUTF8 { try writer.appendBytes(UnsafeRawBufferPointer($0), column: column) }
            }
        }
    }
}
