/// The format of an input file.
public enum InputFormat: String, Sendable, CaseIterable {
    case jsonl, csv
    /// One or more Parquet files (`InputSource.parquetFiles`). Its records are read back as JSON objects
    /// of their values (`ParquetRecordJSON`), so every consumer of JSONL records takes them as they are.
    case parquet

    /// JSONL, and Parquet records as rendered JSON objects: the formats whose records are JSON.
    public var recordsAreJSON: Bool { self != .csv }

    /// By extension first (`.jsonl`, `.ndjson`, `.json` → jsonl; `.csv` → csv, case-insensitive);
    /// otherwise by content: jsonl if the first byte that is not a BOM or whitespace is `{`, else csv.
    public static func detect(path: String, firstBytes: [UInt8]) -> InputFormat {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            switch name[name.index(after: dot)...].lowercased() {
            case "jsonl", "ndjson", "json": return .jsonl
            case "csv": return .csv
            default: break
            }
        }
        var k = 0
        if firstBytes.count >= 3 && firstBytes[0] == 0xEF && firstBytes[1] == 0xBB && firstBytes[2] == 0xBF { k = 3 }
        while k < firstBytes.count {
            switch firstBytes[k] {
            case 0x20, 0x09, 0x0A, 0x0D: k += 1
            case UInt8(ascii: "{"): return .jsonl
            default: return .csv
            }
        }
        return .csv
    }
}
