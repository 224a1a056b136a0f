import Foundation
import MinHash
import MiniLM
import Parquet

/// `run --stop-after STAGE --export-rows DIR`: what a cluster job (python/entropyguard_ray) needs to
/// make the dedup stages' decisions across shards, for the rows alive after the stop, in input order
/// (chunks where their parent was), in `rows.parquet` (our writer), a row per row:
/// - `row_id` (the store's), `key_hi`/`key_lo` (XXH3-128 of the text as exact dedup normalizes it:
///   equal keys = exact duplicates, where the stage's 64-bit key also compares texts);
/// - when fuzzy dedup is on, `signature` (permutations little-endian uint32) and `bands` (the LSH
///   bucket keys, `LSHParameters.bandKey`, little-endian uint64), FIXED_LEN_BYTE_ARRAY columns;
/// - when semantic dedup is on, `embedding` (dimension little-endian float32), FIXED_LEN_BYTE_ARRAY;
/// and `export.json`, written last (its presence marks a complete export): the counts and the settings
/// the global decisions must use (minimum equal entries, cosine threshold). A fixed-size column's
/// values lie end to end in pyarrow's buffer, so a reader takes them as a numpy matrix without a copy.
/// Uncompressed, without dictionaries: hashes and vectors are noise to them (zstd saved 5% of the file,
/// 31.0 of 32.6 MB, on 20k benchmark rows rewritten with pyarrow). Memory: one batch of texts and
/// vectors, one row group (128 MB at most), plus 8 bytes per row.
struct RowExport {
    let directory: String
    let store: WorkingStore
    let options: PipelineOptions
    let progress: ProgressReporter

    func write() throws {
        try DirectoryCreation.create(directory, role: "export directory")
        let marker = directory + "/export.json"
        try? FileManager.default.removeItem(atPath: marker)
        var rows: [Int64] = []
        try store.forEachDedupKey(partition: 0, of: 1) { row, _ in rows.append(row) }

        let hasher = options.fuzzyDedup ? try MinHasher(setting: options.shingle, permutations: options.minhashPermutations) : nil
        let lsh = options.fuzzyDedup ? try LSHParameters(threshold: options.fuzzyThreshold, permutations: options.minhashPermutations) : nil
        let embedder = options.semanticDedup ? try EmbeddingModelChoice.load(options.modelName) : nil
        let normalizer = TextNormalizer()

        var columns = [ParquetColumn(name: "row_id", type: .int64, optional: false),
                       ParquetColumn(name: "key_hi", type: .int64, optional: false),
                       ParquetColumn(name: "key_lo", type: .int64, optional: false)]
        if let hasher, let lsh {
            columns += [ParquetColumn(name: "signature", type: .fixedLenByteArray(length: 4 * hasher.permutations), optional: false),
                        ParquetColumn(name: "bands", type: .fixedLenByteArray(length: 8 * lsh.bands), optional: false)]
        }
        if let embedder {
            columns.append(ParquetColumn(name: "embedding", type: .fixedLenByteArray(length: 4 * embedder.dimension), optional: false))
        }
        let writer = try ParquetWriter(path: directory + "/rows.parquet", columns: columns,
                                       options: ParquetWriterOptions(useDictionary: false, compression: .uncompressed,
                                                                     createdBy: "entropyguard \(EntropyGuardVersion.string)"))

        progress.begin(stage: "export", total: rows.count)
        var start = 0
        while start < rows.count {
            try Interrupt.check()
            let end = min(start + options.batchSize, rows.count)
            let texts = try FuzzyDedupStage.texts(of: rows[start..<end], store: store)
            var signatures: [UInt32] = [], bandKeys: [UInt64] = []
            if let hasher, let lsh {
                signatures = hasher.signatures(of: texts, workers: FuzzyDedupStage.signingThreads).values
                bandKeys.reserveCapacity(texts.count * lsh.bands)
                signatures.withUnsafeBufferPointer { values in
                    for row in 0..<texts.count {
                        let signature = values.baseAddress! + row * hasher.permutations
                        for band in 0..<lsh.bands { bandKeys.append(lsh.bandKey(signature, band: band)) }
                    }
                }
            }
            let vectors = embedder.map { $0.embed(texts, batchSize: SemanticDedupStage.forwardBatchSize) } ?? []
            for (offset, text) in texts.enumerated() {
                let key = XXH3.hash128(normalizer.normalize(text))
                var row: [ParquetFieldValue] = [.int(rows[start + offset]), .int(Int64(bitPattern: key.high)), .int(Int64(bitPattern: key.low))]
                if let hasher, let lsh {
                    row.append(.bytes(Self.littleEndianBytes(signatures[offset * hasher.permutations..<(offset + 1) * hasher.permutations])))
                    row.append(.bytes(Self.littleEndianBytes(bandKeys[offset * lsh.bands..<(offset + 1) * lsh.bands])))
                }
                if let embedder {
                    let vector = vectors[offset * embedder.dimension..<(offset + 1) * embedder.dimension]
                    row.append(.bytes(Self.littleEndianBytes(vector.map(\.bitPattern))))
                }
                try writer.append(fields: row)
            }
            start = end
            progress.update(done: end)
        }
        progress.end()
        try writer.close()

        var fields = ["\"rows\": \(rows.count)",
                      "\"input_rows\": \(try store.meta("ingest.next_row") ?? "0")",
                      "\"next_row\": \(try store.nextRowID())",
                      "\"text_column\": " + Self.jsonString(try store.meta("text_column") ?? ""),
                      "\"chunked\": \(try store.hasChunks())"]
        if let hasher, let lsh {
            fields += ["\"permutations\": \(hasher.permutations)", "\"bands\": \(lsh.bands)", "\"band_rows\": \(lsh.rows)",
                       "\"minimum_equal\": \(lsh.minimumEqualEntries)", "\"fuzzy_threshold\": \(lsh.threshold)"]
        }
        if let embedder {
            let threshold = options.dedupThreshold ?? EmbeddingModelChoice.defaultThreshold(options.modelName)
            fields += ["\"dimension\": \(embedder.dimension)", "\"semantic_threshold\": \(threshold)"]
        }
        let json = try BufferedFileOutput(path: marker)
        try json.write("{" + fields.joined(separator: ", ") + "}\n")
        try json.commit()
    }

    static func jsonString(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONScan.encodeString(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The values' bytes, little-endian (the export's byte order on any machine).
    static func littleEndianBytes<Values: Collection>(_ values: Values) -> [UInt8] where Values.Element: FixedWidthInteger {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * MemoryLayout<Values.Element>.size)
        for value in values { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }
}
