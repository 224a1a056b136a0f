import Parquet

/// Reads the first records of the input for TextColumnDetector (the string field with the longest mean
/// length over the first 100 records).
enum TextColumnDetection {
    /// Parquet input: the first records of the files in order, as JSON objects (`ParquetRecordJSON`),
    /// one row group decoded at a time. Also returns how many records were sampled (0: no records).
    static func detect(parquet dataset: ParquetDataset) throws -> (column: String?, sampled: Int) {
        let names = dataset.schema.fieldNames
        var records: [[UInt8]] = []
        for file in dataset.paths where records.count < TextColumnDetector.sampleSize {
            let reader = try ParquetFileReader(path: file)
            for group in 0..<reader.rowGroupCount where records.count < TextColumnDetector.sampleSize {
                var rows = try reader.readRowGroup(group).makeRowIterator()
                while records.count < TextColumnDetector.sampleSize, let row = rows.next() {
                    records.append(ParquetRecordJSON.bytes(names: names, values: row))
                }
            }
        }
        return (TextColumnDetector.detect(jsonRecords: records), records.count)
    }

    static func detect(fileDescriptor: Int32, path: String, format: InputFormat) throws -> String? {
        switch format {
        case .jsonl, .parquet:   // Parquet input is resolved from its schema (Pipeline.resolveParquetInfo)
            var reader = JSONLReader(fileDescriptor: fileDescriptor, path: path)
            var records: [[UInt8]] = []
            while records.count < TextColumnDetector.sampleSize, let record = try reader.next() { records.append(record.bytes) }
            return TextColumnDetector.detect(jsonRecords: records)
        case .csv:
            var reader = try CSVReader(fileDescriptor: fileDescriptor, path: path)
            var rows: [[CSVField]] = []
            while rows.count < TextColumnDetector.sampleSize, let record = try reader.next() {
                if let fields = try? reader.fields(of: record) { rows.append(fields) }
            }
            return TextColumnDetector.detect(csvHeader: reader.header, rows: rows)
        }
    }

    /// Top-level keys of the first records, in order of first appearance (the inferred schema's columns),
    /// and how many of those records were JSON objects (bad records are left to ingest to report).
    static func jsonKeys(fileDescriptor: Int32, path: String) throws -> (keys: [String], objects: Int) {
        var reader = JSONLReader(fileDescriptor: fileDescriptor, path: path)
        var keys: [String] = []
        var seen = Set<UTF8Key>()
        var count = 0, objects = 0
        while count < TextColumnDetector.sampleSize, let record = try reader.next() {
            count += 1
            guard let fields = try? JSONScan.fields(record.bytes) else { continue }
            objects += 1
            for field in fields where seen.insert(UTF8Key(field.key)).inserted { keys.append(field.key) }
        }
        return (keys, objects)
    }
}
