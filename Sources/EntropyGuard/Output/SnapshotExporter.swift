import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// The Parquet snapshots of a checkpoint directory: `<dir>/after_<stage>.parquet`, one per checkpointed
/// stage that `--snapshots` selects, with the stage's rows as its view shows them (see
/// `SnapshotTableWriter` for the columns). Each is recorded in its checkpoint (path relative to the
/// directory and XXH3-64 of the file) and listed in `checkpoint_metadata.json`.
///
/// The store is the truth and a snapshot is a product of it: a snapshot that is missing or does not
/// match its recorded hash is exported again from the store, with a warning, when its stage is resumed.
///
/// Written in the background: once a checkpoint is committed, a `SnapshotReader` is pinned to the store
/// as committed then, and a worker thread exports the stage from it while the pipeline runs the next
/// stages (several stages in one pass when they are queued together); the run waits for it at the end
/// (`finish`), and its errors end the run as the pipeline's own would. The pipeline's thread records
/// the finished files in the checkpoints table. A crash while a snapshot is being written leaves it
/// unrecorded (or a stray temporary file), so the next run exports it again, as for a missing file.
/// Measured at 1M rows: see benchmarks/defaults.sh in the README.
///
/// Never written twice: a stage that left the rows of the stage before it as they were (it dropped
/// none, added none, rewrote no text: every switched-off stage, and a validate or dedup stage that
/// found nothing) has the previous stage's snapshot byte for byte, so its file is a hard link to that
/// one (a copy where the file system has no hard links). Both names stay ordinary files recorded with
/// the same XXH3; every file is replaced by rename and never rewritten in place, so a link never sees
/// its twin change, and removing one name (`checkpoints clean --keep-latest`) leaves the other.
final class SnapshotExporter {
    let directory: String
    let store: WorkingStore
    let input: InputSource
    let info: IngestInfo
    let selection: PipelineOptions.Snapshots
    let progress: ProgressReporter
    /// Stages whose file matches the store in this run: verified, written, or queued on the worker.
    private var current: Set<StageID> = []
    /// What the exports share; used on this thread by `reconcile`, then only by the worker.
    private let state: ExportState
    private var worker: SnapshotWorker<Request, Outcome>!

    /// The files' hashes and the schema, shared by the worker and (in `finish`) this thread.
    private final class ExportState {
        private let lock = NSLock()
        private var hashes: [StageID: String] = [:]
        private var knownSchema: SnapshotSchema?
        /// Where inferring the schema starts when it is not known (`SnapshotSchema.start`): set once, before the worker starts.
        var inferenceStart = SnapshotSchema.Start()
        /// An append's old snapshots (XXH3-64 by stage), which the new ones may start from.
        private var appendPrefixes: [StageID: String] = [:]

        func hasAppendPrefix(_ stage: StageID) -> Bool { lock.withLock { appendPrefixes[stage] != nil } }
        func appendPrefix(of stage: StageID) -> String? { lock.withLock { appendPrefixes.removeValue(forKey: stage) } }
        func setAppendPrefixes(_ hashes: [StageID: String]) { lock.withLock { appendPrefixes = hashes } }
        func forgetAppendPrefixes(where condition: (StageID) -> Bool) {
            lock.withLock { appendPrefixes = appendPrefixes.filter { !condition($0.key) } }
        }

        func hash(of stage: StageID) -> String? { lock.withLock { hashes[stage] } }
        func setHash(_ hash: String?, of stage: StageID) { lock.withLock { hashes[stage] = hash } }
        var schema: SnapshotSchema? {
            get { lock.withLock { knownSchema } }
            set { lock.withLock { knownSchema = newValue } }
        }
    }

    /// A snapshot to make: exported from a reader pinned to the store at (or after) the stage's
    /// commit, or linked to the previous stage's file.
    private enum Request {
        /// `reader`: pinned at (or after) the commit; nil until the request is queued.
        case export(StageID, expectedRows: Int?, reader: SnapshotReader?)
        case link(StageID, to: StageID)
        /// Infer the input's schema (from the ingested rows, which later stages do not change).
        case inferSchema(SnapshotReader)
    }
    /// Requests held back until the next commit (see `exportCommitted`).
    private var held: [Request] = []

    /// What the worker did, for the pipeline's thread to record.
    private struct Outcome {
        /// The snapshot written (nil: only a schema was inferred).
        var file: (stage: StageID, xxh3: String)?
        /// What the job inferred the schema from, to cache in the store.
        var inferred: SchemaInference?
        var warning: String?
        /// Rows kept from the old file (an append's, `ParquetFilePrefix`).
        var keptRows = 0
    }

    init(directory: String, store: WorkingStore, input: InputSource, info: IngestInfo,
         selection: PipelineOptions.Snapshots, progress: ProgressReporter) throws {
        self.directory = directory
        self.store = store
        self.input = input
        self.info = info
        self.selection = selection
        self.progress = progress
        state = ExportState()
        state.schema = try SnapshotSchema.cached(store: store, input: input, info: info)
        if state.schema == nil { state.inferenceStart = try SnapshotSchema.start(store: store, info: info) }
        if try store.appendInProgress() != nil { state.setAppendPrefixes(try store.appendSnapshotHashes()) }
        worker = SnapshotWorker { [unowned self] requests, report in try handle(requests, report: report) }
    }

    /// The snapshots' codec: Snappy, pyarrow's and pandas' default (so also what the original tool's
    /// snapshots had). Snapshots are working files written on every run, where zstd 3 (kept for
    /// `--output x.parquet`) was about 40% of their CPU time. Measured on the 1M-row benchmark's texts
    /// in 1 MiB pages: Snappy 0.082 s against zstd 3 0.193 s per 42.7 MB (zstd 1 0.198 s, zstd -3
    /// 0.229 s, LZ4 0.107 s), compressing 3.06x against 4.29x; after_ingest.parquet at 300k rows is
    /// 24.9 MB against 16.5 MB.
    static let compression = ParquetCompression.snappy

    /// Rows per row group of a snapshot at most. An append's snapshot keeps the old file's row groups
    /// but its last (`ParquetFilePrefix`), so it encodes that one's rows again with the new ones: with
    /// the writer's 128 MB groups alone, that was up to a whole 1M-row snapshot (one or two groups).
    /// 16,384 rows (a 1M-row snapshot in 62 groups, ~1.5 MB each compressed) bounds it at 1.6% of
    /// those rows; DuckDB's groups are 122,880 rows, pyarrow's up to 1Mi.
    static let rowGroupRows = 16_384

    /// `after_<stage>.parquet`.
    static func fileName(_ stage: StageID) -> String { "\(stage.checkpointName).parquet" }

    private func path(_ stage: StageID) -> String { (directory as NSString).appendingPathComponent(Self.fileName(stage)) }

    /// Whether `name` is a snapshot's file name (of this stage list or another).
    static func isSnapshotFile(_ name: String) -> Bool { name.hasPrefix("after_") && name.hasSuffix(".parquet") }

    /// Whether `selection` asks for `stage`'s snapshot: all of them, only the stages that remove
    /// duplicates (the files the original tool wrote), or none.
    static func includes(_ stage: StageID, in selection: PipelineOptions.Snapshots, stages: StageRegistry) -> Bool {
        switch selection {
        case .all: return true
        case .dedup: return stages.definition(of: stage).removesDuplicates
        case .none: return false
        }
    }

    private func includes(_ stage: StageID) -> Bool { Self.includes(stage, in: selection, stages: store.stages) }

    /// The stage before `stage`, when its file matches the store in this run and `stage` left its rows
    /// as they were: `stage`'s file is then a link to it.
    private func twin(of stage: StageID) throws -> StageID? {
        guard let previous = store.stages.id(generation: stage.generation - 1), current.contains(previous),
              try store.rowReader.stageKeptRows(stage) else { return nil }
        return previous
    }

    /// Right after checkpoints were committed, before the pipeline writes anything more: queues the
    /// selected ones' snapshots (read from the store as committed now), removes a stale file of an
    /// unselected one, records the snapshots finished meanwhile and rewrites checkpoint_metadata.json.
    ///
    /// `holdBack`: the next stage keeps every core busy (sanitize, chunk), so these snapshots wait for
    /// the next commit and are then written in the same pass as its own (every row read and decoded
    /// once for both files; the schema pass, which must come first, runs meanwhile). Measured at 1M
    /// rows on the shared machine: with after_ingest written during sanitize, sanitize took 6.0 s
    /// instead of 3.0-4.0 s, and the export itself was not shorter. Snapshots committed before
    /// single-threaded stages (validate, dedup, output) are written while those run: holding them
    /// to the end too saved no CPU time measurably and lost 5 s of overlap when the machine had a
    /// core free (9.5 s against 14.3 s).
    func exportCommitted(_ stages: [StageID], holdBack: Bool) throws {
        try record(worker.collect())
        var requests: [Request] = []
        for stage in stages {
            guard includes(stage) else {
                try forget(stage)
                continue
            }
            if let previous = try twin(of: stage) {
                requests.append(.link(stage, to: previous))
            } else {
                requests.append(.export(stage, expectedRows: try store.checkpoints().first { $0.stage == stage }?.rowCount, reader: nil))
            }
            current.insert(stage)
        }
        held += requests
        if holdBack, state.schema == nil, held.contains(where: { if case .export = $0 { return true } else { return false } }) {
            // The schema pass has to come first; it reads little and runs while the next stage does.
            worker.submit([.inferSchema(try SnapshotReader(store: store))])
        }
        if !holdBack {
            // One connection pinned now serves every export of the batch.
            var reader: SnapshotReader?
            let batch = try held.map { request -> Request in
                guard case .export(let stage, let expectedRows, _) = request else { return request }
                if reader == nil { reader = try SnapshotReader(store: store) }
                return .export(stage, expectedRows: expectedRows, reader: reader)
            }
            held = []
            worker.submit(batch)
        }
        try CheckpointMetadataFile.write(directory: directory, store: store)
    }

    /// At the end of the run: writes the snapshots still queued (the worker still busy with earlier
    /// ones) on this thread, now free, rather than waiting for the worker to come to them; then makes
    /// the queued links, records everything, and rethrows a worker's error. The store is at its final
    /// state, which has every committed stage's rows (see `RowReader.forEachStageRow`).
    func finish() throws {
        let requests = worker.steal() + held
        held = []
        var exports: [(stage: StageID, expectedRows: Int?)] = []
        for case .export(let stage, let expectedRows, _) in requests { exports.append((stage, expectedRows)) }
        var outcomes: [Outcome] = []
        if !exports.isEmpty {
            outcomes = try export(exports, rows: store.rowReader, progress: progress, cancelled: { false })
        }
        if worker.busy {
            progress.begin(stage: "snapshots", total: nil)
            worker.wait()
            progress.end()
        }
        let collected = worker.collect()
        if collected.failure == nil {
            for case .link(let stage, let previous) in requests { outcomes.append(try link(stage, to: previous)) }
        }
        try record((collected.outcomes + outcomes, collected.failure))
    }

    /// An append ended before `stage` (`WorkingStore.endAppend`): it and the later stages decide the
    /// old rows again, so their snapshots cannot start from the old files.
    func endAppend(redoingFrom stage: StageID) {
        state.forgetAppendPrefixes { $0.generation >= stage.generation }
    }

    /// When the run fails: stops the worker (the snapshot being written is left unrecorded) and
    /// records what was finished.
    func abandon() {
        worker.cancel()
        let (outcomes, _) = worker.collect()
        try? record((outcomes, nil))
    }

    private func record(_ collected: (outcomes: [Outcome], failure: Error?)) throws {
        for outcome in collected.outcomes {
            if let inference = outcome.inferred { try SnapshotSchema.cache(inference, store: store, input: input, info: info) }
            if let warning = outcome.warning { progress.warn(warning) }
            if outcome.keptRows > 0, let stage = outcome.file?.stage {
                progress.info("\(Self.fileName(stage)): \(outcome.keptRows) rows kept from the previous file")
            }
            if let (stage, xxh3) = outcome.file { try store.setSnapshot(stage: stage, path: Self.fileName(stage), xxh3: xxh3) }
        }
        if !collected.outcomes.isEmpty { try CheckpointMetadataFile.write(directory: directory, store: store) }
        if let failure = collected.failure { throw failure }
    }

    /// When a run resumes after `generation`: stages up to it keep their checkpoints, so their
    /// snapshots are checked (missing or changed → exported again with a warning, on this thread;
    /// unselected → removed); later stages will run again, so their old files are removed now, and so
    /// are those of stages this stage list does not have (the store was made with another list).
    func reconcile(resumedThrough generation: Int) throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files where Self.isSnapshotFile(file) && store.stages[String(file.dropLast(".parquet".count))] == nil {
            try FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(file))
        }
        let checkpoints = Dictionary(uniqueKeysWithValues: try store.checkpoints().map { ($0.stage, $0) })
        var check = SnapshotCheck()
        for stage in store.stages.ids {
            guard stage.generation <= generation, let checkpoint = checkpoints[stage] else {
                // An append's old snapshots stay until the new ones replace them (they start from them).
                if !state.hasAppendPrefix(stage) { try removeFile(of: stage) }
                continue
            }
            guard includes(stage) else {
                try forget(stage)
                continue
            }
            let problem = checkpoint.snapshotPath == nil || checkpoint.snapshotXXH3 == nil
                ? "snapshot \(Self.fileName(stage)) was not recorded"
                : check.problem(directory: directory, relativePath: checkpoint.snapshotPath!, expectedXXH3: checkpoint.snapshotXXH3)
            if let problem {
                progress.warn("\(problem); exporting it again from the store")
                if let previous = try twin(of: stage) {
                    try record(([try link(stage, to: previous)], nil))
                } else {
                    try record((try export([(stage, checkpoint.rowCount)], rows: store.rowReader, progress: progress, cancelled: { false }), nil))
                }
            } else {
                state.setHash(checkpoint.snapshotXXH3, of: stage)
            }
            current.insert(stage)
        }
        try CheckpointMetadataFile.write(directory: directory, store: store)
    }

    /// On the worker: the requests queued since it last looked. The exports among them are written in
    /// one pass from the newest reader (any state after a stage's commit has its rows: see
    /// `RowReader.forEachStageRow`), then the links are made (their sources are written by then).
    private func handle(_ requests: [Request], report: (Outcome) -> Void) throws {
        var exports: [(stage: StageID, expectedRows: Int?)] = []
        var newest: SnapshotReader?
        for case .export(let stage, let expectedRows, let reader) in requests {
            exports.append((stage, expectedRows))
            newest = reader ?? newest
        }
        if let newest {
            for outcome in try export(exports, rows: newest.rows, progress: ProgressReporter(quiet: true, showProgress: false),
                                      cancelled: { [unowned self] in worker.isCancelled }) {
                report(outcome)
            }
        }
        for case .link(let stage, let previous) in requests { report(try link(stage, to: previous)) }
        for case .inferSchema(let reader) in requests where state.schema == nil {
            let inference = try SnapshotSchema.infer(rows: reader.rows, input: input, info: info, from: state.inferenceStart)
            state.schema = inference.schema(textColumn: info.textColumn)
            report(Outcome(inferred: inference))
        }
    }

    /// Writes the stages' snapshots from `rows` in one pass.
    private func export(_ stages: [(stage: StageID, expectedRows: Int?)], rows: RowReader, progress: ProgressReporter,
                        cancelled: () -> Bool) throws -> [Outcome] {
        var inferred: SchemaInference?
        var schema = state.schema
        if schema == nil {
            inferred = try SnapshotSchema.infer(rows: rows, input: input, info: info, from: state.inferenceStart)
            schema = inferred!.schema(textColumn: info.textColumn)
            state.schema = schema
        }
        let label = "snapshot " + stages.map(\.stage.checkpointName).joined(separator: ", ")
        let continuing = appendPrefixes(stages.map(\.stage))
        defer { for old in continuing.values { close(old.prefix.descriptor) } }
        let counts = try SnapshotTableWriter(rows: rows, input: input, info: info, schema: schema!, compression: Self.compression,
                                             rowGroupRows: Self.rowGroupRows)
            .write(stages.map { ($0.stage, path($0.stage)) }, rowNumber: true, progress: progress, label: label,
                   continuing: continuing, cancelled: cancelled)
        var outcomes: [Outcome] = []
        for (target, (rows, kept, file)) in zip(stages, counts) {
            var warning: String?
            if let expected = target.expectedRows, expected != rows {
                warning = "\(Self.fileName(target.stage)) has \(rows) rows but checkpoint \(target.stage.checkpointName) counts \(expected)"
            }
            let hash = file.hex
            state.setHash(hash, of: target.stage)
            outcomes.append(Outcome(file: (target.stage, hash), inferred: outcomes.isEmpty ? inferred : nil, warning: warning,
                                    keptRows: kept))
        }
        return outcomes
    }

    /// In an append, the old snapshots the new ones start from, with the XXH3-64 the old input's
    /// checkpoint recorded for them. The writer checks each file against it while copying it
    /// (`SnapshotTableWriter`): another file, or one changed since, is exported whole. Hashing them
    /// here first read each ~80 MB file once more (~0.1 s for three on the 1M-row benchmark).
    /// Open until the export is done.
    private func appendPrefixes(_ stages: [StageID]) -> [StageID: (prefix: ParquetFilePrefix, xxh3: String)] {
        var prefixes: [StageID: (prefix: ParquetFilePrefix, xxh3: String)] = [:]
        for stage in stages {
            guard let hash = state.appendPrefix(of: stage) else { continue }
            let fd = open(path(stage), O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            guard let prefix = ParquetFilePrefix(descriptor: fd) else {
                close(fd)
                continue
            }
            prefixes[stage] = (prefix, hash)
        }
        return prefixes
    }

    /// Gives `stage` the previous stage's file (same content): a hard link, or a copy where links
    /// are not supported. Made under a temporary name, then renamed onto the final one.
    private func link(_ stage: StageID, to previous: StageID) throws -> Outcome {
        guard let hash = state.hash(of: previous) else {
            throw EntropyGuardError(.internalError, "snapshot of \(previous.checkpointName) unknown when linking \(stage.checkpointName)")
        }
        let source = path(previous), destination = path(stage)
        let temporary = TemporaryFileName.make(for: destination)
        if Glibc.link(source, temporary) != 0 {
            do {
                try FileManager.default.copyItem(atPath: source, toPath: temporary)
            } catch {
                unlink(temporary)
                throw EntropyGuardError(.ioError, "\(destination): cannot link or copy \(source): \(error.localizedDescription)")
            }
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw EntropyGuardError(.ioError, "\(destination): cannot replace: \(reason)")
        }
        state.setHash(hash, of: stage)
        return Outcome(file: (stage, hash))
    }

    /// Unselected stage: no file, nothing recorded.
    private func forget(_ stage: StageID) throws {
        current.remove(stage)
        try removeFile(of: stage)
        try store.setSnapshot(stage: stage, path: nil, xxh3: nil)
    }

    private func removeFile(of stage: StageID) throws {
        if FileManager.default.fileExists(atPath: path(stage)) { try FileManager.default.removeItem(atPath: path(stage)) }
    }
}
