import Parquet

/// A Parquet row as the JSON object of its top-level fields in schema order (compact, no spaces):
/// nested values as JSON, timestamps and dates as ISO 8601 strings, binary as base64 (see
/// `ParquetFieldValue.appendJSON`). This is what a Parquet record is to text column detection, the
/// JSONL and CSV outputs and the snapshots, so all of them treat it exactly as a JSONL record.
enum ParquetRecordJSON {
    static func bytes(names: [String], values: [ParquetFieldValue]) -> [UInt8] {
        let record = ParquetFieldValue.record(zip(names, values).map { ParquetRecordField(name: $0, value: $1) })
        return Array(record.jsonText.utf8)
    }
}
