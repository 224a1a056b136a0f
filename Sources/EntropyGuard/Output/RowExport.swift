import Foundation
import MinHash
import MiniLM
import Parquet

/// `run --stop-after STAGE --export-rows DIR`: what a cluster job (python/entropyguard_ray) needs to
/// make the dedup stages' decisions across shards, for the rows alive after the stop, in input order
/// (chunks where their parent was), one file per kind:
/// - `rows.parquet` (our writer): `row_id` (the store's), `key_hi`/`key_lo` (XXH3-128 of the text as
///   exact dedup normalizes it: equal keys = exact duplicates, where the stage's 64-bit key also
///   compares texts);
/// - `signatures.npy` (uint32, rows x permutations) and `bands.npy` (uint64, rows x bands: the LSH
///   bucket keys, `LSHParameters.bandKey`), when fuzzy dedup is on;
/// - `embeddings.npy` (float32, rows x dimension), when semantic dedup is on;
/// - `export.json`, written last (its presence marks a complete export): the counts and the settings
///   the global decisions must use (minimum equal entries, cosine threshold).
/// The vectors are .npy rather than Parquet columns because our writer has no BINARY or
/// FIXED_LEN_BYTE_ARRAY type yet; numpy maps them without a copy. Memory: one batch of texts and
/// vectors plus 8 bytes per row.
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

        let keys = try ParquetWriter(path: directory + "/rows.parquet",
                                     columns: [ParquetColumn(name: "row_id", type: .int64, optional: false),
                                               ParquetColumn(name: "key_hi", type: .int64, optional: false),
                                               ParquetColumn(name: "key_lo", type: .int64, optional: false)],
                                     options: ParquetWriterOptions(createdBy: "entropyguard \(EntropyGuardVersion.string)"))
        let headerSize = 128
        func npy(_ name: String) throws -> BufferedFileOutput {
            let output = try BufferedFileOutput(path: directory + "/" + name)
            try output.write([UInt8](repeating: 0x20, count: headerSize))
            return output
        }
        let signatures = hasher == nil ? nil : try npy("signatures.npy")
        let bands = hasher == nil ? nil : try npy("bands.npy")
        let embeddings = embedder == nil ? nil : try npy("embeddings.npy")

        progress.begin(stage: "export", total: rows.count)
        var start = 0
        while start < rows.count {
            try Interrupt.check()
            let end = min(start + options.batchSize, rows.count)
            let texts = try FuzzyDedupStage.texts(of: rows[start..<end], store: store)
            for (offset, text) in texts.enumerated() {
                let key = XXH3.hash128(normalizer.normalize(text))
                try keys.append([.int64(rows[start + offset]), .int64(Int64(bitPattern: key.high)), .int64(Int64(bitPattern: key.low))])
            }
            if let hasher, let lsh, let signatures, let bands {
                let signed = hasher.signatures(of: texts, workers: FuzzyDedupStage.signingThreads)
                var bandKeys: [UInt64] = []
                bandKeys.reserveCapacity(texts.count * lsh.bands)
                signed.values.withUnsafeBufferPointer { values in
                    for row in 0..<texts.count {
                        let signature = values.baseAddress! + row * hasher.permutations
                        for band in 0..<lsh.bands { bandKeys.append(lsh.bandKey(signature, band: band).littleEndian) }
                    }
                }
                try signed.values.map(\.littleEndian).withUnsafeBytes { try signatures.write(Array($0)) }
                try bandKeys.withUnsafeBytes { try bands.write(Array($0)) }
            }
            if let embedder, let embeddings {
                let vectors = embedder.embed(texts, batchSize: SemanticDedupStage.forwardBatchSize)
                try vectors.withUnsafeBytes { try embeddings.write(Array($0)) }
            }
            start = end
            progress.update(done: end)
        }
        progress.end()
        try keys.close()
        if let hasher, let lsh, let signatures, let bands {
            try signatures.patchHeader(EmbedJob.npyHeader(rows: rows.count, dimension: hasher.permutations, size: headerSize, descr: "<u4"))
            try signatures.commit()
            try bands.patchHeader(EmbedJob.npyHeader(rows: rows.count, dimension: lsh.bands, size: headerSize, descr: "<u8"))
            try bands.commit()
        }
        if let embedder, let embeddings {
            try embeddings.patchHeader(EmbedJob.npyHeader(rows: rows.count, dimension: embedder.dimension, size: headerSize))
            try embeddings.commit()
        }

        var fields = ["\"rows\": \(rows.count)",
                      "\"input_rows\": \(try store.meta("ingest.next_row") ?? "0")",
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
}
