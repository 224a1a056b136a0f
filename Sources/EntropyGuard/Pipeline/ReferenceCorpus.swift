import Foundation
import MinHash

/// `--reference PATH`: a corpus the input is deduplicated against as if it came first, without being
/// rewritten. The dedup stages read the reference's *kept* rows (alive after its last stage) before
/// the input's own rows: exact dedup its dedup keys, fuzzy dedup its MinHash signatures, semantic dedup
/// its embeddings, all from its store, streamed, never recomputed. A new row dropped as a duplicate of
/// a reference row records `ReferenceRow.id` in duplicate_of (`ref:<row>`).
///
/// PATH is the checkpoint dir of a finished run (its store is read, under its lock so no run changes it
/// meanwhile), or an input file (JSONL, CSV, Parquet): that one gets a store of its own in
/// `<checkpoint-dir>/reference/`, made by a run of the pipeline with this run's stage settings and no
/// output, which is resumed (nothing recomputed) while the file's content hash and the settings are
/// the same, and redone when they change.
///
/// `identity` (the reference's input hash and its last checkpoint's chained config hash, never its
/// path) goes into the dedup stages' settings, so a changed reference redoes them and only them.
public final class ReferenceCorpus: @unchecked Sendable {
    /// The subfolder of the checkpoint dir where a reference file's store is made.
    public static let storeFolder = "reference"

    /// PATH as given (messages).
    let path: String
    let store: WorkingStore
    private let lock: StoreLock
    /// Content hash of the reference's input and chained config hash of its last stage.
    let identity: String
    /// Rows kept by the reference's run.
    let keptCount: Int
    /// The store was made from a file, in the run's checkpoint dir (`storeFolder`).
    let isOwnStore: Bool

    private init(path: String, store: WorkingStore, lock: StoreLock, isOwnStore: Bool) throws {
        self.path = path
        self.isOwnStore = isOwnStore
        self.store = store
        self.lock = lock
        let last = store.stages.ids.last!
        guard try store.stageInProgress() == nil, let checkpoint = try store.checkpoints().last, checkpoint.stage == last else {
            throw EntropyGuardError(.usage, "--reference \(path): the run in this checkpoint dir did not finish (no checkpoint of its last stage, \(last.name)); run it to the end first")
        }
        identity = "input=\(checkpoint.inputHash);config=\(checkpoint.configHash)"
        keptCount = checkpoint.rowCount
    }

    /// The reference at `path` for a run with `options` whose store is in `workDirectory`.
    static func open(path: String, options: PipelineOptions, workDirectory: String, progress: ProgressReporter) throws -> ReferenceCorpus {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EntropyGuardError(.noInput, "--reference \(path): no such file or directory")
        }
        if isDirectory.boolValue && WorkingStore.exists(in: path) {
            let own = URL(fileURLWithPath: workDirectory).resolvingSymlinksInPath().path
            guard URL(fileURLWithPath: path).resolvingSymlinksInPath().path != own else {
                throw EntropyGuardError(.usage, "--reference \(path) is this run's own checkpoint dir; a reference is another run's")
            }
            let lock = try StoreLock(directory: path)
            let store = try WorkingStore(directory: path, ifStagesDiffer: .refuse)
            let reference = try ReferenceCorpus(path: path, store: store, lock: lock, isOwnStore: false)
            progress.info("Reference \(path): the store of an earlier run, \(reference.keptCount) kept rows")
            return reference
        }
        // An input file (or a folder of Parquet files): its own store, made or resumed by a run without output.
        let directory = (workDirectory as NSString).appendingPathComponent(storeFolder)
        var build = options
        build.inputPath = path
        build.outputPath = "-"
        build.dryRun = true
        build.checkpointDirectory = directory
        build.referencePath = nil
        build.auditLogPath = nil
        build.annotate = false
        build.snapshots = .none
        build.requiredColumns = []
        build.resume = false
        build.autoResume = true
        build.resumeFrom = nil
        build.showProgress = false
        build.quiet = true   // its warnings and errors still show; the line below says what happened
        let summary: RunSummary
        do {
            summary = try Pipeline(options: build).run()
        } catch let error as EntropyGuardError {
            throw EntropyGuardError(error.status, "--reference \(path): \(error.message)")
        }
        let lock = try StoreLock(directory: directory)
        let reference = try ReferenceCorpus(path: path, store: WorkingStore(directory: directory, ifStagesDiffer: .refuse), lock: lock,
                                            isOwnStore: true)
        let reused = summary.resumedFrom == reference.store.stages.ids.last!.checkpointName
        progress.info("Reference \(path): store in \(directory) \(reused ? "reused" : "built"), \(summary.rowsIn) rows, \(reference.keptCount) kept")
        return reference
    }

    /// What a dedup stage adds to its settings (so to the config hash): the reference's identity.
    static func settings(_ reference: ReferenceCorpus?) -> String {
        reference.map { ";reference=\($0.identity)" } ?? ""
    }

    /// Where the reference's store is, as recorded for `explain` in the run's store: `storeFolder`
    /// (relative to the checkpoint dir, which may move) for a file's store, else an absolute path.
    var recordedStoreDirectory: String {
        isOwnStore ? Self.storeFolder : URL(fileURLWithPath: store.directory).standardizedFileURL.path
    }

    // MARK: what the dedup stages read

    /// Exact dedup: the kept rows' keys as a sorted lookup, persisted in the reference's store by the
    /// first run that needs it (one scan of its rows), loaded by the next ones; a damaged one is said
    /// and made again.
    func keptKeys(progress: ProgressReporter) throws -> ReferenceKeyLookup {
        enum Found { case lookup(ReferenceKeyLookup), missing, damaged }
        let found: Found = try withIndexPart(name: ReferenceKeyLookup.name, part: 0) { part in
            switch part {
            case .missing: return .missing
            case .damaged: return .damaged
            case .valid(let bytes): return ReferenceKeyLookup(part: bytes).map(Found.lookup) ?? .damaged
            }
        }
        switch found {
        case .lookup(let lookup): return lookup
        case .damaged: progress.warn("exact_dedup: --reference \(path): its persisted key lookup is damaged; it is made again")
        case .missing: break
        }
        var pairs: [(key: Int64, id: Int64)] = []
        pairs.reserveCapacity(keptCount)
        try store.forEachDedupKey(partition: 0, of: 1) { row, key in pairs.append((key, ReferenceRow.id(row))) }
        let lookup = ReferenceKeyLookup(scanned: pairs)
        try replaceIndexParts(name: ReferenceKeyLookup.name, count: 1) { _ in lookup.part }
        return lookup
    }

    /// The current text of the reference row that `id` stands for.
    func withText<T>(ofID id: Int64, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        try store.withText(ofRow: ReferenceRow.referenceRow(of: id)!, body)
    }

    /// The kept rows, `batchSize` at a time in the reference's row order: their ReferenceRow ids and
    /// the XXH3-128 of their texts (the key of both caches).
    func forEachKeptBatch(batchSize: Int, _ body: (_ ids: [Int64], _ textHashes: [[UInt8]]) throws -> Void) throws {
        var batches = store.allAliveTextBatches(batchSize: batchSize)
        while let batch = try batches.next() {
            try Interrupt.check()
            try body(batch.map { ReferenceRow.id($0.row) }, batch.map { XXH3.hash128($0.text).bytes })
        }
    }

    /// Kept rows per persisted signature part (8.4 MB at 128 permutations).
    static let signaturePartRows = 16_384

    /// Fuzzy dedup: the kept rows' signatures made as `cacheKey` says, in the reference's row order, a
    /// part of `signaturePartRows` at a time. A reference without them was made with another shingle
    /// setting, normalisation or permutation count (or without fuzzy dedup): comparing would be
    /// meaningless, so that is an error naming the difference.
    ///
    /// They are persisted in its store in that order (`reference_parts`: part 0 the number of parts and
    /// rows, then each part's ReferenceRow ids and signatures, native little-endian) by the first run
    /// that needs them, and read back whole by the next: finding them text by text read every kept
    /// row's text and looked each up in the signature cache (17 s of a 22 s run against 1M rows on the
    /// loaded machine). Every part's checksum is checked before the first is used, so a damaged set is
    /// said and made again before the selection has seen any of it.
    func forEachKeptSignatureBatch(cacheKey: String, permutations: Int, progress: ProgressReporter,
                                   _ body: (_ ids: [Int64], _ signatures: MinHashSignatures) throws -> Void) throws {
        guard let setting = try store.existingSignatureSetting(cacheKey: cacheKey) else {
            throw mismatch("MinHash signatures made as \(cacheKey)", has: try store.signatureSettings())
        }
        let name = "fuzzy;\(cacheKey);permutations=\(permutations);v1"
        let stride = 8 + 4 * permutations
        if let parts = try persistedSignatureParts(name: name, rowBytes: stride, progress: progress) {
            for part in 1...max(1, parts) where parts > 0 {
                try Interrupt.check()
                try withIndexPart(name: name, part: part) { found in
                    guard case .valid(let bytes) = found else {
                        throw EntropyGuardError(.ioError, "--reference \(path): the store \(store.path) changed while it was read")
                    }
                    let rows = bytes.count / stride
                    let ids = (0..<rows).map { bytes.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) }
                    let values = [UInt32](unsafeUninitializedCapacity: rows * permutations) { out, count in
                        UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[(rows * 8)...]))
                        count = rows * permutations
                    }
                    try body(ids, MinHashSignatures(permutations: permutations, values: values))
                }
            }
            return
        }
        // Its own run may have found every batch whole and so never filled the lookup by text: entering
        // it is a cache index (nothing the reference's rows or decisions depend on), done once.
        try store.indexStoredSignatures(setting: setting)
        try store.clearStagedReferenceParts(name: name)
        var parts = 0, rows = 0
        try forEachKeptBatch(batchSize: Self.signaturePartRows) { ids, hashes in
            var signatures = MinHashSignatures(permutations: permutations)
            var found = 0
            try store.forEachStoredSignature(setting: setting, textHashes: hashes, permutations: permutations) { index, bytes in
                guard index == found else { throw missing("the MinHash signature (\(cacheKey))", of: ids[found]) }
                do { try signatures.append(bytes: bytes) } catch {
                    throw EntropyGuardError(.ioError, "--reference \(path): the store \(store.path) is damaged: \(error) in minhash_batches")
                }
                found += 1
            }
            guard found == ids.count else { throw missing("the MinHash signature (\(cacheKey))", of: ids[found]) }
            parts += 1
            rows += ids.count
            var part: [UInt8] = []
            part.reserveCapacity(ids.count * stride)
            ids.withUnsafeBytes { part += $0 }
            signatures.values.withUnsafeBytes { part += $0 }
            try store.stageReferencePart(name: name, identity: identity, part: parts, value: part)
            try body(ids, signatures)
        }
        var header: [UInt8] = []
        withUnsafeBytes(of: Int64(parts).littleEndian) { header += $0 }
        withUnsafeBytes(of: Int64(rows).littleEndian) { header += $0 }
        try store.stageReferencePart(name: name, identity: identity, part: 0, value: header)
        try store.publishStagedReferenceParts(name: name)
    }

    /// The number of signature parts persisted as `name` when every one is there and whole (checked
    /// now, before any is used); nil when there are none for this identity, or when some part is
    /// damaged or missing (said: they are made again).
    private func persistedSignatureParts(name: String, rowBytes: Int, progress: ProgressReporter) throws -> Int? {
        var problem: String?
        defer { if let problem { progress.warn("fuzzy_dedup: --reference \(path): its persisted signatures are damaged (\(problem)); they are made again") } }
        let header: (parts: Int, rows: Int)? = try withIndexPart(name: name, part: 0) { found in
            switch found {
            case .missing: return nil
            case .damaged:
                problem = "part 0 fails its checksum"
                return nil
            case .valid(let bytes):
                guard bytes.count == 16 else { problem = "part 0 is \(bytes.count) bytes"; return nil }
                return (Int(Int64(littleEndian: bytes.loadUnaligned(as: Int64.self))),
                        Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self))))
            }
        }
        guard let header else { return nil }
        guard header.rows == keptCount else {
            problem = "they hold \(header.rows) rows, not the \(keptCount) kept"
            return nil
        }
        var rows = 0
        for part in stride(from: 1, through: header.parts, by: 1) {
            let count: Int? = try withIndexPart(name: name, part: part) { found in
                guard case .valid(let bytes) = found, bytes.count % rowBytes == 0 else { return nil }
                return bytes.count / rowBytes
            }
            guard let count else {
                problem = "part \(part) is missing, fails its checksum or is not whole rows"
                return nil
            }
            rows += count
        }
        guard rows == header.rows else {
            problem = "their parts hold \(rows) rows, not \(header.rows)"
            return nil
        }
        return header.parts
    }

    /// Semantic dedup: copies the stored `model` vector of the text hashed `textHash` (reference row
    /// `id`) into `out`, which holds `dimension` floats.
    func copyEmbedding(model: String, textHash: [UInt8], id: Int64, dimension: Int, into out: UnsafeMutableRawBufferPointer) throws {
        precondition(out.count == dimension * 4, "one vector's bytes")
        // One checked read; only when it fails is the vector looked at again, to say why.
        do {
            return try store.readEmbeddings(model: model, textHashes: [textHash], dimension: dimension,
                                            into: out.baseAddress!.assumingMemoryBound(to: Float.self))
        } catch is StoreDamage {}
        switch try store.storedEmbedding(model: model, textHash: textHash, dimension: dimension) {
        case .valid:
            throw EntropyGuardError(.ioError, "--reference \(path): the store \(store.path) changed while it was read")
        case .missing:
            let models = try store.embeddingModels()
            if !models.contains(model) { throw mismatch("embeddings of \(model)", has: models) }
            throw missing("the \(model) embedding", of: id)
        case .damaged:
            throw EntropyGuardError(.ioError, "--reference \(path): the store \(store.path) is damaged: the embedding of row \(ReferenceRow.referenceRow(of: id)!) is not \(dimension) floats or fails its checksum")
        }
    }

    /// Semantic dedup: the stored `model` vectors of the texts hashed `textHashes` (reference rows `ids`)
    /// into `out` (`dimension` floats each, in order), in one read of its store. Only when one fails is
    /// each looked at again, to say which and why.
    func readEmbeddings(model: String, textHashes: [[UInt8]], ids: [Int64], dimension: Int, into out: UnsafeMutablePointer<Float>) throws {
        do {
            return try store.readEmbeddings(model: model, textHashes: textHashes, dimension: dimension, into: out)
        } catch is StoreDamage {}
        for (index, hash) in textHashes.enumerated() {
            try copyEmbedding(model: model, textHash: hash, id: ids[index], dimension: dimension,
                              into: UnsafeMutableRawBufferPointer(start: out + index * dimension, count: dimension * 4))
        }
    }

    /// Part `part` of the persisted set `name` (ReferenceSemanticIndex) as made for this identity.
    func withIndexPart<T>(name: String, part: Int, _ body: (WorkingStore.ReferencePart) throws -> T) throws -> T {
        try store.withReferencePart(name: name, identity: identity, part: part, body)
    }

    /// Replaces the persisted set `name` with `count` parts made for this identity (one transaction).
    func replaceIndexParts(name: String, count: Int, make: (Int) throws -> [UInt8]) throws {
        try store.replaceReferenceParts(name: name, identity: identity, count: count, make: make)
    }

    private func mismatch(_ wanted: String, has: [String]) -> EntropyGuardError {
        EntropyGuardError(.usage, "--reference \(path): its store has no \(wanted), so comparing with it would be meaningless; it has \(has.isEmpty ? "none" : has.joined(separator: ", ")). Use the same settings as the reference's run, or give the reference as a file")
    }

    private func missing(_ what: String, of id: Int64) -> EntropyGuardError {
        EntropyGuardError(.usage, "--reference \(path): its kept row \(ReferenceRow.referenceRow(of: id)!) has no \(what) in its store: the reference's run used other settings; use the same ones, or give the reference as a file")
    }
}
