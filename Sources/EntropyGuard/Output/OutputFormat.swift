/// The output's format, from its extension: .csv → CSV, .parquet → Parquet, anything else (and stdout) → JSONL.
public enum OutputFormat: String, Sendable {
    case jsonl, csv, parquet

    public init(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".parquet") { self = .parquet }
        else { self = .jsonl }
    }
}
