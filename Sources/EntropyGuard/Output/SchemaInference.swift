import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The type of one input column in the snapshots and the Parquet output.
public enum SnapshotColumnType: String, Codable, Sendable {
    case bool, int64, double, string
}

/// One input column: a top-level JSON key or a CSV header name.
public struct SnapshotColumn: Codable, Equatable, Sendable {
    public var name: String
    public var type: SnapshotColumnType

    public init(name: String, type: SnapshotColumnType) {
        self.name = name
        self.type = type
    }
}

/// The input columns of the snapshots, in order of first appearance in the input. Every column is
/// optional (absent or null → null).
public struct SnapshotSchema: Codable, Equatable, Sendable {
    public var columns: [SnapshotColumn]

    public init(columns: [SnapshotColumn]) {
        self.columns = columns
    }
}

/// Infers column types from the values seen, under these rules:
/// - a column takes the type of its values: bool, int64, double or string;
/// - int64 and double together widen to double;
/// - any other mix (string with anything, bool with a number) is string: the non-string values are
///   then written as their JSON text (`1.5`, `true`);
/// - nested objects and arrays are string (their JSON text);
/// - null and absent values say nothing; a column never seen with a value is string;
/// - the text column is always string (it holds the text as a stage left it).
public struct SchemaInference: Sendable {
    private var names: [String] = []
    private var nameBytes: [[UInt8]] = []
    private var types: [SnapshotColumnType?] = []
    /// By bytes: keys that differ only in Unicode normalization are two columns (see `UTF8Key`).
    private var indexByName: [UTF8Key: Int] = [:]
    private var predictor = KeyPositionPredictor()
    /// Per column, the last record that set it (duplicate keys: the first occurrence counts).
    private var lastRecord: [Int] = []
    private var recordNumber = 0

    public init() {}

    /// What the inference observed: the columns in order of first appearance and each one's type so
    /// far (nil: only nulls, which `schema(textColumn:)` shows as string but a later value still sets).
    /// That is all the schema depends on, so inference can go on from it over more records and end
    /// where one pass over all of them would (an append's new rows, `SnapshotSchema.start`).
    public struct Observed: Codable, Equatable, Sendable {
        public var names: [String]
        public var types: [SnapshotColumnType?]
    }

    public var observed: Observed { Observed(names: names, types: types) }

    /// Goes on from `observed`; nil when it is not one (a count mismatch, or a name twice).
    public init?(continuing observed: Observed) {
        guard observed.names.count == observed.types.count else { return nil }
        for (name, type) in zip(observed.names, observed.types) {
            let known = names.count
            let index = column(named: name)
            guard index == known else { return nil }
            types[index] = type
        }
    }

    /// The type of a column that held values of type `current` after seeing one more value of kind `kind`
    /// (`nil` = only nulls so far).
    public static func widen(_ current: SnapshotColumnType?, with kind: JSONValueKind) -> SnapshotColumnType? {
        let seen: SnapshotColumnType
        switch kind {
        case .null: return current
        case .bool: seen = .bool
        case .integer: seen = .int64
        case .double: seen = .double
        case .string, .object, .array: seen = .string
        }
        guard let current, current != seen else { return seen }
        switch (current, seen) {
        case (.int64, .double), (.double, .int64): return .double
        default: return .string
        }
    }

    /// Records one value of column `name`.
    public mutating func observe(_ name: String, kind: JSONValueKind) {
        let index = column(named: name)
        types[index] = Self.widen(types[index], with: kind)
    }

    private mutating func column(named name: String) -> Int {
        if let index = indexByName[UTF8Key(name)] { return index }
        indexByName[UTF8Key(name)] = names.count
        names.append(name)
        nameBytes.append(Array(name.utf8))
        types.append(nil)
        lastRecord.append(-1)
        return names.count - 1
    }

    /// Records one JSON record's top-level fields (with a duplicate key, the first occurrence counts,
    /// as everywhere else). Integers too large for int64 count as doubles.
    public mutating func observe(record: [UInt8]) throws {
        try record.withUnsafeBufferPointer { try observe(record: $0) }
    }

    /// `observe(record:)` on bytes the caller keeps valid during the call.
    mutating func observe(record buffer: UnsafeBufferPointer<UInt8>) throws {
        recordNumber += 1
        do {
            var scanner = JSONScanner(buffer)
            try scanner.beginObject()
            var position = 0
            try scanner.forEachMember { keyRange, keyHasEscapes, valueRange, kind, _ in
                let index = column(ofKey: keyRange, escaped: keyHasEscapes, at: position, in: buffer)
                position += 1
                guard lastRecord[index] != recordNumber else { return }
                lastRecord[index] = recordNumber
                var kind = kind
                // Only a long literal can overflow int64 (19+ characters): skip parsing the rest.
                if kind == .integer, valueRange.count > 18,
                   case .double = try JSONScan.value(kind: kind, range: valueRange, in: buffer) {
                    kind = .double
                }
                types[index] = Self.widen(types[index], with: kind)
            }
        }
    }

    private mutating func column(ofKey literal: Range<Int>, escaped: Bool, at position: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        if let guess = predictor.match(literal, escaped: escaped, at: position, in: buffer, names: nameBytes) { return guess }
        let index = column(named: KeyPositionPredictor.decodeKey(literal, escaped: escaped, in: buffer))
        predictor.remember(index, at: position)
        return index
    }

    /// The schema so far; `textColumn` is string and present even if no record had it.
    public func schema(textColumn: String) -> SnapshotSchema {
        var columns = zip(names, types).map { name, type in
            SnapshotColumn(name: name, type: name.hasSameUTF8(as: textColumn) ? .string : (type ?? .string))
        }
        if indexByName[UTF8Key(textColumn)] == nil { columns.append(SnapshotColumn(name: textColumn, type: .string)) }
        return SnapshotSchema(columns: columns)
    }
}

extension SnapshotSchema {
    /// The meta key of the cached schema.
    static let metaKey = "snapshot.schema"

    /// What the cache stores: what the inference observed (`SchemaInference.Observed`, not only the
    /// schema: a column with only nulls so far is string in the schema but takes the type of a later
    /// value) and what it was inferred from: the input (hash), its ingested rows below `rows`, the text
    /// column and format.
    private struct Cached: Codable {
        var inputHash: String
        var textColumn: String
        var format: String
        var rows: Int64
        var observed: SchemaInference.Observed

        func matches(_ info: IngestInfo) -> Bool { textColumn.hasSameUTF8(as: info.textColumn) && format == info.format.rawValue }
    }

    /// Where inferring the input's schema starts: from nothing (row 0), or in an append from what was
    /// observed over the old input's rows (the rows below `fromRow`, which come first in input order).
    struct Start {
        var inference = SchemaInference()
        var fromRow: Int64 = 0
    }

    /// The schema of the input in the store: all CSV columns are strings; JSONL columns are inferred
    /// over every ingested record (one pass over the input). The result is cached in the meta table
    /// (key `snapshot.schema`), valid while meta `ingest.input_hash` and the text column are the same,
    /// so the pass runs once per input; an append reads only its new rows (`start`). Call only once
    /// ingest has completed.
    static func of(store: WorkingStore, input: InputSource, info: IngestInfo) throws -> SnapshotSchema {
        if let schema = try cached(store: store, input: input, info: info) { return schema }
        let inference = try infer(rows: store.rowReader, input: input, info: info, from: try start(store: store, info: info))
        try cache(inference, store: store, input: input, info: info)
        return inference.schema(textColumn: info.textColumn)
    }

    /// The schema of an input whose columns are known without reading its records: CSV's header (all
    /// strings), or Parquet's fields (named only: the Parquet files take the input's own types, see
    /// `InputColumns`; reading every record as JSON to infer types nobody uses took as long as the
    /// output itself). Nil for JSONL.
    private static func named(_ info: IngestInfo) -> SchemaInference? {
        guard let names = info.format == .csv ? info.csvHeader ?? [] : info.format == .parquet ? info.parquetFieldNames ?? [] : nil else { return nil }
        var inference = SchemaInference()
        for name in names { inference.observe(name, kind: .string) }
        return inference
    }

    private static func cachedRecord(store: WorkingStore) throws -> Cached? {
        try store.meta(metaKey).flatMap { try? JSONDecoder().decode(Cached.self, from: Data($0.utf8)) }
    }

    /// The schema without reading the input: CSV's, Parquet's, or the cached one; nil when it must be inferred.
    static func cached(store: WorkingStore, input: InputSource, info: IngestInfo) throws -> SnapshotSchema? {
        if let inference = named(info) { return inference.schema(textColumn: info.textColumn) }
        if let cached = try cachedRecord(store: store), cached.matches(info),
           cached.inputHash == (try store.meta("ingest.input_hash") ?? input.hash.hex),
           let inference = SchemaInference(continuing: cached.observed) {
            return inference.schema(textColumn: info.textColumn)
        }
        return nil
    }

    /// Where `infer` starts when the schema is not `cached`: in an append whose old input's inference
    /// is cached (same old input hash, text column and format, over exactly the rows before the first
    /// new one), from that; else from nothing. Measured on a 10k-row append to 990k rows: the pass over
    /// every record was 0.4 s of the append's 2.0 CPU-s.
    static func start(store: WorkingStore, info: IngestInfo) throws -> Start {
        guard info.format == .jsonl, let append = try store.appendInProgress(), let oldInput = try store.appendOldInputHash(),
              let cached = try cachedRecord(store: store), cached.matches(info), cached.inputHash == oldInput,
              cached.rows == append.firstRow, let inference = SchemaInference(continuing: cached.observed) else { return Start() }
        return Start(inference: inference, fromRow: append.firstRow)
    }

    /// Records `inference` (over every ingested row of the store's input) as the input's (see `of`).
    static func cache(_ inference: SchemaInference, store: WorkingStore, input: InputSource, info: IngestInfo) throws {
        guard info.format == .jsonl, let rows = try store.inputRowCount() else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let cached = Cached(inputHash: try store.meta("ingest.input_hash") ?? input.hash.hex, textColumn: info.textColumn,
                            format: info.format.rawValue, rows: rows, observed: inference.observed)
        try store.setMeta(metaKey, String(decoding: try encoder.encode(cached), as: UTF8.self))
    }

    /// The inference over the records in the store (`rows`: on the store's connection or a reader's):
    /// CSV's header, Parquet's fields, or one pass over the ingested JSON records from `start` on (bad
    /// records excluded: they have no fields), in input order.
    static func infer(rows: RowReader, input: InputSource, info: IngestInfo, from start: Start) throws -> SchemaInference {
        if let inference = named(info) { return inference }
        var inference = start.inference
        let fetcher = try InputRecordFetcher(input: input)
        var count = 0
        try rows.forEachReadRecord(fromRow: start.fromRow) { offset, length in
            try fetcher.withBytes(offset: offset, length: length) { try inference.observe(record: $0.bindMemory(to: UInt8.self)) }
            count += 1
            if count % 10_000 == 0 { try Interrupt.check() }
        }
        return inference
    }
}
