/// Writes one entry per dropped row, from every stage, from the store's `dropped` view:
/// `.json` → one JSON array (like the Python tool), anything else (`.jsonl`) → one object per line.
struct AuditLogWriter {
    let store: WorkingStore
    let path: String

    @discardableResult
    func write() throws -> Int {
        let output = try BufferedFileOutput(path: path)
        let asArray = path.lowercased().hasSuffix(".json")
        let select = try store.database.cachedStatement("""
            SELECT row_id, stage, reason, details, duplicate_of, similarity FROM dropped ORDER BY row_id
            """)
        var count = 0
        if asArray { try output.write("[") }
        while try select.step() {
            var entry: [UInt8] = []
            entry.reserveCapacity(160)
            if asArray { entry += Array((count == 0 ? "\n  " : ",\n  ").utf8) }
            entry += Array("{\"row_index\": \(select.int64(0)), \"stage\": ".utf8)
            JSONScan.encodeString(select.string(1) ?? "", into: &entry)
            entry += Array(", \"reason\": ".utf8)
            JSONScan.encodeString(select.string(2) ?? "", into: &entry)
            entry += Array(", \"details\": ".utf8)
            if let details = select.string(3) { JSONScan.encodeString(details, into: &entry) } else { entry += Array("null".utf8) }
            entry += Array(", \"duplicate_of\": \(select.isNull(4) ? "null" : String(select.int64(4)))".utf8)
            entry += Array(", \"similarity\": \(select.isNull(5) ? "null" : String(format6(select.double(5))))}".utf8)
            if !asArray { entry.append(0x0A) }
            try output.write(entry)
            count += 1
        }
        select.reset()
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
