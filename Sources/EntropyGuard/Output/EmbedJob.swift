import Foundation
import MiniLM
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// `entropyguard embed`: streams the input, embeds each record's text, writes .npy or .jsonl in input
/// order. Memory is one batch of texts and vectors (for Parquet input, plus one row group's text
/// column); the .npy header (which holds the row count) is written last, into space reserved at the start.
public struct EmbedJob {
    /// Texts per forward pass unless told otherwise (`embed --batch-size`).
    public static let defaultBatchSize = 64

    public let inputPath: String
    public let textColumn: String?
    public let outputPath: String
    public let modelName: String
    public let batchSize: Int
    public let progress: ProgressReporter

    public init(inputPath: String, textColumn: String?, outputPath: String, modelName: String, batchSize: Int, progress: ProgressReporter) {
        self.inputPath = inputPath
        self.textColumn = textColumn
        self.outputPath = outputPath
        self.modelName = modelName
        self.batchSize = batchSize
        self.progress = progress
    }

    /// Returns the number of records written.
    public func run() throws -> Int {
        let embedder = try EmbeddingModelChoice.load(modelName)
        let spool = try Pipeline.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let input = try InputSource.open(path: inputPath, spoolDirectory: spool)
        let fd = try input.openForReading()
        defer { close(fd) }
        let path = input.recordPath
        let format = try input.detectFormat(fileDescriptor: fd)
        // Parquet: the files as one input (each with the first one's schema), the text column as the pipeline finds it.
        let dataset = format == .parquet ? try ParquetDataset(paths: input.parquetFiles) : nil
        let detected = try dataset.map { try TextColumnDetection.detect(parquet: $0).column }
            ?? TextColumnDetection.detect(fileDescriptor: fd, path: path, format: format)
        guard let column = textColumn ?? detected else {
            throw EntropyGuardError(.usage, "\(path): no string field to embed; name one with --text-column")
        }
        let npy = outputPath.lowercased().hasSuffix(".npy")
        let output = try BufferedFileOutput(path: outputPath)
        let dimension = embedder.dimension
        let headerSize = 128
        if npy { try output.write([UInt8](repeating: 0x20, count: headerSize)) }   // replaced at the end
        var count = 0
        var texts: [String?] = []
        progress.begin(stage: "embed", total: nil)

        func flush() throws {
            let present = texts.compactMap { $0 }
            let vectors = embedder.embed(present, batchSize: batchSize)
            var next = 0
            for text in texts {
                let vector: ArraySlice<Float>? = text == nil ? nil : vectors[(next * dimension)..<((next + 1) * dimension)]
                if text != nil { next += 1 }
                if npy {
                    var values = vector.map(Array.init) ?? [Float](repeating: 0, count: dimension)
                    try values.withUnsafeMutableBytes { try output.write(Array($0)) }
                } else {
                    var line = "{\"row\": \(count), \"embedding\": "
                    line += vector.map { "[" + $0.map { "\($0)" }.joined(separator: ", ") + "]" } ?? "null"
                    line += "}\n"
                    try output.write(line)
                }
                count += 1
            }
            texts.removeAll(keepingCapacity: true)
            progress.update(done: count)
        }

        if let dataset {
            guard let field = dataset.schema.fieldIndex(named: column) else {
                throw EntropyGuardError(.usage, "--text-column \(column): no such column in \(path); columns: \(Snippet.names(dataset.schema.fieldNames))")
            }
            // One row group's text column at a time; a value that is not a string (or null) gets a zero vector, as in JSONL.
            try dataset.forEachRowGroup(fields: [field]) { _, group in
                for value in group.values(ofField: field) {
                    if case .string(let text) = value { texts.append(text) } else { texts.append(nil) }
                    if texts.count >= batchSize * 16 { try Interrupt.check(); try flush() }
                }
            }
        } else {
            var reader: any RecordReader
            var csv: CSVReader?
            switch format {
            case .jsonl, .parquet: reader = JSONLReader(fileDescriptor: fd, path: path)
            case .csv:
                let r = try CSVReader(fileDescriptor: fd, path: path)
                csv = r
                reader = r
            }
            let columnIndex = csv?.header.firstIndex(sameUTF8As: column)
            while let record = try reader.next() {
                if let csv {
                    let fields = try csv.fields(of: record)
                    texts.append(columnIndex.flatMap { $0 < fields.count ? fields[$0].value : nil })
                } else if case .string(let text, _) = try JSONScan.textField(column, of: record, path: path) {
                    texts.append(text)
                } else {
                    texts.append(nil)
                }
                if texts.count >= batchSize * 16 { try Interrupt.check(); try flush() }
            }
        }
        try flush()
        progress.end()
        if npy { try output.patchHeader(Self.npyHeader(rows: count, dimension: dimension, size: headerSize)) }
        try output.commit()
        return count
    }

    /// NumPy format 1.0 header padded with spaces to `size` bytes (a multiple of 64), ending in \n.
    static func npyHeader(rows: Int, dimension: Int, size: Int) -> [UInt8] {
        var dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dimension)), }"
        let prefix = 10
        dictionary += String(repeating: " ", count: size - prefix - dictionary.utf8.count - 1) + "\n"
        let length = UInt16(dictionary.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(dictionary.utf8)
    }
}
