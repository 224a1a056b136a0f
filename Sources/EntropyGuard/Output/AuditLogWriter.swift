/// Writes one entry per dropped row, from every stage, from the store's `dropped` view:
/// `.json` → one JSON array (like the Python tool), anything else (`.jsonl`) → one object per line.
/// In an append (`appendFrom`), the previous log's entries (the old rows' drops, which the append left
/// as they were) are copied from it when it checks out (`OutputPrefix`), and only the new rows' are
/// encoded: in a JSON array, all but its closing bracket (whose bytes the check of the old log
/// hashes after the copied ones, `OutputPrefix.copy`).
struct AuditLogWriter {
    let store: WorkingStore
    let path: String
    var appendFrom: Int64? = nil
    /// The chained config hash of the last stage (see `RecordOutput.configHash`).
    var configHash: String? = nil

    static let role = "audit"

    @discardableResult
    func write() throws -> Int {
        let output = try BufferedFileOutput(path: path, hashed: true)
        let asArray = path.lowercased().hasSuffix(".json")
        let settings = configHash.map { "\($0) array=\(asArray)" }
        var count = 0
        var fromRow: Int64 = 0
        let prefix = try settings.flatMap { try OutputPrefix.open(path: path, role: Self.role, settings: $0, store: store, appendFrom: appendFrom) }
        // The array's closing bracket, as written below.
        let closing = Array((prefix?.record.entries == 0 ? "]\n" : "\n]\n").utf8)
        // A previous log that changed since its run is found while it is copied: written whole.
        if let prefix, !asArray || prefix.tail(count: closing.count) == closing,
           try prefix.copy(count: prefix.record.length - Int64(asArray ? closing.count : 0), to: output) {
            count = prefix.record.entries
            fromRow = appendFrom!
        } else if asArray {
            try output.write("[")
        }
        try store.forEachDroppedRow(fromRow: fromRow) { row in
            var entry: [UInt8] = []
            entry.reserveCapacity(160)
            if asArray { entry += Array((count == 0 ? "\n  " : ",\n  ").utf8) }
            entry += Array("{\"row_index\": \(row.rowID), ".utf8)
            row.drop.appendJSONMembers(to: &entry)
            entry.append(UInt8(ascii: "}"))
            if !asArray { entry.append(0x0A) }
            try output.write(entry)
            count += 1
        }
        if asArray { try output.write(count == 0 ? "]\n" : "\n]\n") }
        try output.commit()
        try OutputPrefix.record(output.hash, role: Self.role, settings: settings,
                                entries: count, kept: 0, store: store)
        return count
    }
}

/// A similarity with six decimals: enough to see the threshold decision, stable across platforms.
func format6(_ value: Double) -> String {
    let scaled = (value * 1_000_000).rounded() / 1_000_000
    return String(scaled)
}
