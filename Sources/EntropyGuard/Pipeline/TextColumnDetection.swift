/// Picks the text column when none is given: the string field with the longest mean length (in
/// characters) over the first 100 records. Absent or non-string values count as length 0.
enum TextColumnDetection {
    static let sampleSize = 100

    static func detect(fileDescriptor: Int32, path: String, format: InputFormat) throws -> String? {
        var totals: [String: Int] = [:]
        var order: [String] = []
        var records = 0
        switch format {
        case .jsonl:
            var reader = JSONLReader(fileDescriptor: fileDescriptor, path: path)
            while records < sampleSize, let record = try reader.next() {
                records += 1
                guard let fields = try? JSONScan.fields(record.bytes) else { continue }
                for field in fields where field.kind == .string {
                    if totals[field.key] == nil { order.append(field.key) }
                    if case .string(let value) = try JSONScan.value(of: field, in: record.bytes) {
                        totals[field.key, default: 0] += value.count
                    }
                }
            }
        case .csv:
            var reader = try CSVReader(fileDescriptor: fileDescriptor, path: path)
            order = reader.header
            while records < sampleSize, let record = try reader.next() {
                records += 1
                guard let fields = try? reader.fields(of: record) else { continue }
                for (index, field) in fields.enumerated() where index < order.count {
                    totals[order[index], default: 0] += field.value.count
                }
            }
        }
        // Ties go to the column seen first.
        var best: (name: String, total: Int)?
        for name in order {
            let total = totals[name] ?? 0
            if best == nil || total > best!.total { best = (name, total) }
        }
        return best?.name
    }
}
