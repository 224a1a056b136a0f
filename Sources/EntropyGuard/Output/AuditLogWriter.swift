/// Writes one entry per dropped row, from every stage, from the store's `dropped` view:
/// `.json` → one JSON array (like the Python tool), anything else (`.jsonl`) → one object per line.
struct AuditLogWriter {
    let store: WorkingStore
    let path: String

    @discardableResult
    func write() throws -> Int {
        let output = try BufferedFileOutput(path: path)
        let asArray = path.lowercased().hasSuffix(".json")
        var count = 0
        if asArray { try output.write("[") }
        try store.forEachDroppedRow { row in
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
        return count
    }
}

/// A similarity with six decimals: enough to see the threshold decision, stable across platforms.
func format6(_ value: Double) -> String {
    let scaled = (value * 1_000_000).rounded() / 1_000_000
    return String(scaled)
}
