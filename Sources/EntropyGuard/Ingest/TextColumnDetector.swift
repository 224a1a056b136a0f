/// Picks the column that holds the text to clean when the user does not name it:
/// the string field with the longest mean length (in Unicode scalars) over the first 100 records.
///
/// The mean is over all sampled valid records (a record where the field is missing, null or not a
/// string counts as length 0), so a long field present in only a few records does not win.
/// Ties go to the field seen first. Invalid records are skipped (the pipeline reports them later).
public enum TextColumnDetector {
    public static let sampleSize = 100

    /// The text key of a JSONL input, or `nil` if no sampled record has a string field.
    public static func detect(jsonRecords: [[UInt8]]) -> String? {
        var tally = Tally()
        for record in jsonRecords.prefix(sampleSize) {
            guard let fields = try? JSONScan.fields(record) else { continue }
            var seen = Set<UTF8Key>()
            for field in fields where field.kind == .string && seen.insert(UTF8Key(field.key)).inserted {
                guard case .string(let s)? = try? JSONScan.value(of: field, in: record) else { continue }
                tally.add(field.key, length: s.unicodeScalars.count)
            }
        }
        return tally.best
    }

    /// The text column of a CSV input, or `nil` for a header without columns. Rows whose field count
    /// differs from the header are skipped.
    public static func detect(csvHeader: [String], rows: [[CSVField]]) -> String? {
        var tally = Tally()
        for name in csvHeader { tally.add(name, length: 0) }
        for row in rows.prefix(sampleSize) where row.count == csvHeader.count {
            for (name, field) in zip(csvHeader, row) {
                tally.add(name, length: field.value.unicodeScalars.count)
            }
        }
        return tally.best
    }

    /// Total lengths per key (by bytes), in first-seen order.
    private struct Tally {
        var order: [UTF8Key] = []
        var totals: [UTF8Key: Int] = [:]

        mutating func add(_ name: String, length: Int) {
            let key = UTF8Key(name)
            if totals[key] == nil { order.append(key) }
            totals[key, default: 0] += length
        }

        var best: String? {
            var result: String?
            var bestTotal = -1
            for key in order where totals[key]! > bestTotal {
                result = key.string
                bestTotal = totals[key]!
            }
            return result
        }
    }
}
