import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// One run: open (or create) the store, decide where to resume, run the remaining stages, write the
/// output, the audit log and the summary.
public final class Pipeline {
    public let options: PipelineOptions
    /// The stages this pipeline runs, in order.
    public let stages: StageRegistry
    public let progress: ProgressReporter

    public init(options: PipelineOptions, stages: StageRegistry = .standard) {
        self.options = options
        self.stages = stages
        progress = ProgressReporter(quiet: options.quiet, showProgress: options.showProgress)
    }

    public func run() throws -> RunSummary {
        let started = Date()
        let workDirectory = try options.checkpointDirectory ?? Self.makeTemporaryDirectory()
        defer {
            if options.checkpointDirectory == nil { try? FileManager.default.removeItem(atPath: workDirectory) }
        }
        try DirectoryCreation.create(workDirectory, role: "checkpoint directory")
        let lock = try StoreLock(directory: workDirectory)
        defer { withExtendedLifetime(lock) {} }
        // Leftovers of runs killed while writing (snapshots, metadata, the output, the audit log); every
        // new temporary file also clears its own, this clears them even if this run stops early.
        TemporaryFileName.removeStale(in: workDirectory)
        for path in [options.outputPath, options.auditLogPath ?? "-"] where path != "-" { TemporaryFileName.removeStale(for: path) }

        if let from = options.resumeFrom, !stages.contains(from) {
            throw EntropyGuardError(.usage, "--resume-from: unknown stage '\(from.name)'; stages: \(stages.names.joined(separator: ", "))")
        }
        // The input length the store recorded, read before the input is hashed: an append's prefix is
        // then hashed in the same read as the whole input (InputAppend).
        let recordedLength = options.autoResume || options.resume ? WorkingStore.recordedInputLength(in: workDirectory) : nil
        let input = try PendingInput(options: options, spoolDirectory: workDirectory, prefixLength: recordedLength,
                                     overlappingStore: WorkingStore.exists(in: workDirectory))
        defer { input.drain() }
        let reference = try options.referencePath.map {
            try ReferenceCorpus.open(path: $0, options: options, workDirectory: workDirectory, progress: progress)
        }
        self.reference = reference
        var setAside: String?
        while true {
            let storeExisted = WorkingStore.exists(in: workDirectory)
            do {
                return try run(workDirectory: workDirectory, input: input, started: started)
            } catch {
                guard let damage = StoreDamage(error) else { throw error }
                // Damage is never trusted, whatever happens next: the store goes aside (this run holds
                // the lock and, once run(...) has returned, no connection to it).
                let path = WorkingStore.path(in: workDirectory)
                let aside = try WorkingStore.moveAside(directory: workDirectory)
                if storeExisted && setAside == nil && !streamedToStdout {
                    progress.warn("the working store \(path) is damaged (\(damage.reason)); moved it aside as \(aside) and starting from scratch")
                    setAside = aside
                    continue
                }
                // A store this run made (or a temporary one) damaged: the disk, not the store, is to blame.
                let next = streamedToStdout ? "the output on stdout is incomplete; run the same command again"
                    : "this run made it: check the disk"
                let moved = options.checkpointDirectory == nil ? "" : "; moved it aside as \(aside)"
                throw EntropyGuardError(.ioError, "the working store \(path) is damaged (\(damage.reason))\(moved); \(next)")
            }
        }
    }

    /// `--reference`, opened (or built) before this run's store.
    private var reference: ReferenceCorpus?

    /// Set once output has gone to stdout: from then on a run cannot start over.
    private var streamedToStdout = false

    /// One attempt on the store of `workDirectory`: opened, checked, resumed from or reset, run.
    private func run(workDirectory: String, input pending: PendingInput, started: Date) throws -> RunSummary {
        let store = try WorkingStore(directory: workDirectory, stages: stages, ifStagesDiffer: .reset)
        if let change = store.stageListChange { progress.warn(change.notice) }
        try StoreConsistency.check(store)
        let input = try pending.value()
        let inputHash = input.hash.hex
        if options.checkpointDirectory != nil && !options.autoResume && !options.resume {
            try store.reset()
            progress.info("Not resuming (--no-auto-resume): the store in \(workDirectory) was reset")
        }
        let runID = try startRun(store: store, input: input)
        do {
            let summary = try execute(store: store, input: input, inputHash: inputHash, started: started, workDirectory: workDirectory)
            try finishRun(store: store, runID: runID, status: "ok", summary: summary)
            return summary
        } catch {
            let status = (error as? EntropyGuardError)?.status == .interrupted ? "interrupted" : "failed"
            try? finishRun(store: store, runID: runID, status: status, summary: nil)
            throw error
        }
    }

    private func execute(store: WorkingStore, input: InputSource, inputHash: String, started: Date,
                         workDirectory: String) throws -> RunSummary {
        let info = try resolveIngestInfo(store: store, input: input, inputHash: inputHash)
        let planned = try plan(info: info)
        let expected = ConfigHash.chain(planned.map { ($0.id, $0.stage.settings) })
        let source = stages.source
        let appending = try startOrContinueAppend(store: store, input: input, inputHash: inputHash, expected: expected)
        var appendFrom = appending?.append.firstRow
        let oldCheckpoints = appending?.oldCheckpoints ?? []

        // Resume: the newest valid checkpoint, by the rule `checkpoints list` shows.
        var resumePoint = 0
        var resumedFrom: String?
        let validity = try CheckpointValidity(store: store, inputHash: inputHash, expectedConfigHashes: expected)
        if options.autoResume || options.resume, let latest = try validity.newestValid() {
            resumePoint = latest.generation
            if let from = options.resumeFrom {
                resumePoint = min(resumePoint, from.generation - 1)
            }
            if resumePoint > 0 {
                let stage = stages.ids[resumePoint - 1]
                let rows = try store.checkpoints().first { $0.generation == resumePoint }?.rowCount ?? store.aliveCount(after: stage)
                progress.info("Resuming from checkpoint \(stage.checkpointName) (generation \(resumePoint), \(rows) rows)")
                resumedFrom = stage.checkpointName
            }
        } else if options.resume {
            progress.info("Checkpoint invalid or not found: \(try validity.reasonNoneValid())")
        } else if !(try store.checkpoints().isEmpty) {
            progress.info("Checkpoints not used: \(try validity.reasonNoneValid())")
        }
        if resumePoint > 0 {
            // Nothing to undo when the store sits exactly at its newest checkpoint (a repeated run):
            // skip the rewind's full-table statements. Nor when the only work past it is the committed
            // batches of a stage that continues after them.
            let newest = try store.checkpoints().last?.generation ?? 0
            if try resumePoint < newest
                || (store.stageInProgress() != nil && continuedStage(planned, after: resumePoint, expected: expected, store: store) == nil) {
                try store.rewind(to: resumePoint, fromRow: appendFrom ?? 0)
            }
        } else {
            // No usable checkpoint. A partial ingest of the same input with the same settings continues;
            // anything else starts from an empty store.
            let sameIngest = try store.meta("ingest.input_hash") == inputHash && store.meta("ingest.config_hash") == expected[source]
            if !sameIngest || options.resumeFrom == source {
                try store.reset()
                try store.setMeta("ingest.input_hash", inputHash)
                try store.setMeta("ingest.config_hash", expected[source]!)
                try store.setMeta("ingest.input_length", String(input.byteCount))
            }
        }
        try store.setMeta("input_path", input.displayPath)
        try store.setMeta("input_format", info.format.rawValue)
        try store.setMeta("text_column", info.textColumn)
        // Where `explain` finds the texts of `ref:<row>` duplicates (a path, so never hashed).
        if let reference { try store.setMeta("reference.store", reference.recordedStoreDirectory) } else { try store.removeMeta(prefix: "reference.") }

        // [snapshots] Parquet snapshots of the stages, only when the checkpoint dir outlives the run.
        let snapshots = options.checkpointDirectory == nil ? nil
            : try SnapshotExporter(directory: workDirectory, store: store, input: input, info: info, selection: options.snapshots,
                                   progress: progress)
        // Snapshots are written on a worker thread: a failing run stops it before the store closes.
        defer { snapshots?.abandon() }
        try snapshots?.reconcile(resumedThrough: resumePoint)
        var summaries: [RunSummary.Stage] = []
        var pending: [Checkpoint] = []
        let resumedCheckpoints = resumePoint > 0 ? try store.checkpoints() : []
        // Rows alive before the next stage, carried from stage to stage instead of counted each time.
        var alive: Int? = resumedCheckpoints.first { $0.generation == resumePoint }?.rowCount
        if alive == nil, appendFrom != nil, let previous = stages.id(generation: resumePoint) { alive = try store.aliveCountFromDrops(after: previous) }
        // --stop-after: the stages after it neither run nor count; its checkpoint is committed.
        let lastIndex = options.stopAfter.map { $0.generation - 1 } ?? planned.count - 1
        for (index, stage) in planned.enumerated() where index <= lastIndex {
            if stage.id.generation <= resumePoint {
                // Counts come from the checkpoint, not from scanning the store; the store counts a stage
                // whose checkpoint was removed (checkpoints clean --keep-latest). Its work is in the store
                // either way: it is never run again here.
                let checkpoint = resumedCheckpoints.first { $0.stage == stage.id }
                let rowsOut = try checkpoint?.rowCount ?? store.aliveCount(after: stage.id)
                let dropped = try checkpoint?.dropped ?? store.dropCounts(stage: stage.id)
                summaries.append(RunSummary.Stage(name: stage.id.name, status: "resumed", rowsIn: rowsOut + dropped.values.reduce(0, +),
                                                  rowsOut: rowsOut, dropped: dropped, seconds: nil, rowsPerSecond: nil, notes: [:]))
                alive = rowsOut
                continue
            }
            let definition = stage.definition
            let stageStarted = Date()
            var context = StageContext(stage: stage.id, configHash: expected[stage.id]!, store: store, options: options,
                                       progress: progress, input: input, ingestInfo: info, appendFrom: appendFrom)
            if appendFrom != nil, !(try stage.stage.canAppend(context)) {
                // This stage and the ones after run over all rows, as in a full run (InputAppend).
                progress.info("\(stage.id.name) cannot decide the new rows alone here; it reruns over all rows")
                try store.endAppend(redoingFrom: stage.id)
                snapshots?.endAppend(redoingFrom: stage.id)
                appendFrom = nil
                context.appendFrom = nil
                alive = nil
            }
            let rowsIn = definition.readsInput ? 0 : try alive ?? store.aliveCount()
            try store.markStageStarted(stage.id)
            let report = try stage.stage.run(context)
            // A pass-through stage drops nothing; only stages that read the input or add rows need a recount.
            // In an append the old rows sit at later generations: counts come from the drops, the old
            // rows' from the old input's checkpoint when this run started the append.
            let dropped: [String: Int]
            let rowsOut: Int
            if let appendFrom, let old = oldCheckpoints.first(where: { $0.stage == stage.id }) {
                let new = try store.appendedCounts(after: stage.id, fromRow: appendFrom)
                dropped = old.dropped.merging(new.dropped, uniquingKeysWith: +)
                rowsOut = old.rowCount + new.alive
            } else {
                dropped = stage.isEnabled || appendFrom != nil ? try store.dropCounts(stage: stage.id) : [:]
                rowsOut = appendFrom != nil ? try store.aliveCountFromDrops(after: stage.id)
                    : definition.readsInput || definition.addsRows ? try store.aliveCount() : rowsIn - dropped.values.reduce(0, +)
            }
            alive = rowsOut
            pending.append(Checkpoint(stage: stage.id, inputHash: inputHash, configHash: expected[stage.id]!,
                                      rowCount: rowsOut, createdAt: Self.timestamp(), dropped: dropped,
                                      settings: stage.stage.settings))
            if (definition.checkpointsImmediately && stage.isEnabled) || index == lastIndex {
                // The input stage writes its rows at its generation already (0 when rejected): no UPDATE needed.
                try store.commit(pending, advancingSurvivorsTo: definition.readsInput ? nil : stage.id, appendFrom: appendFrom,
                                 endingAppend: appendFrom != nil && index == planned.count - 1)
                // [snapshots] Held back while the next stage keeps every core busy: see
                // SnapshotExporter.exportCommitted.
                let next = index + 1 < planned.count ? planned[index + 1] : nil
                try snapshots?.exportCommitted(pending.map(\.stage), holdBack: next.map { $0.isEnabled && $0.definition.usesAllCores } ?? false)
                pending.removeAll()
            }
            let seconds = Date().timeIntervalSince(stageStarted)
            let processed = definition.readsInput ? rowsOut + dropped.values.reduce(0, +) : rowsIn
            summaries.append(RunSummary.Stage(name: stage.id.name, status: stage.isEnabled ? "ran" : "off", rowsIn: processed,
                                              rowsOut: rowsOut, dropped: dropped, seconds: stage.isEnabled ? seconds : nil,
                                              rowsPerSecond: stage.isEnabled && seconds > 0 ? Double(processed) / seconds : nil,
                                              notes: report.notes))
        }

        let rowsIn = Int(try store.meta("ingest.next_row") ?? "0") ?? 0
        let appended = appending.map { RunSummary.Appended(oldRows: Int($0.append.firstRow), newRows: rowsIn - Int($0.append.firstRow)) }
        if let appended { progress.info("Input grew: \(appended.oldRows) old rows kept, \(appended.newRows) new rows processed") }
        if rowsIn == 0 {
            // Empty, blank lines only, or a CSV header only: not an error (an empty shard is normal),
            // but not silent either, since it is as often a wrong file or an unflushed export.
            progress.warn("\(input.recordPath) has no records; \(options.dryRun ? "nothing to write" : "the output is empty")")
        }
        if let stop = options.stopAfter {
            // A cluster job's shard: no output; the rows alive after the stop go to --export-rows.
            if let directory = options.exportRowsDirectory {
                try RowExport(directory: directory, store: store, options: options, progress: progress).write()
            }
            try snapshots?.finish()
            return RunSummary(input: options.inputPath, output: nil, checkpointDir: options.checkpointDirectory, resumedFrom: resumedFrom,
                              rowsIn: rowsIn, rowsOut: try alive ?? store.aliveCount(after: stop), stages: summaries,
                              seconds: Date().timeIntervalSince(started), dryRun: options.dryRun, appended: appended)
        }
        let last = stages.ids.last!
        let outputStarted = Date()
        let format = OutputFormat(path: options.outputPath)
        if options.outputPath == "-" && !options.dryRun { streamedToStdout = true }
        // The output must have as many rows as the last checkpoint (resumed or just made) says: a
        // damaged store can read short without any SQLite error (StoreConsistency).
        let (written, copied) = try RecordOutput(store: store, input: input, info: info, format: format, path: options.outputPath,
                                       annotateField: options.annotate ? options.annotateField : nil,
                                       rowOffset: options.outputRowOffset, chunkField: options.outputChunkField,
                                       appendFrom: appendFrom, configHash: expected[last])
            .write(after: last, progress: progress, dryRun: options.dryRun, expectedRows: alive)
        let outputSeconds = Date().timeIntervalSince(outputStarted)
        if let auditPath = options.auditLogPath {
            try AuditLogWriter(store: store, path: auditPath, appendFrom: appendFrom, configHash: expected[last]).write()
        }
        try snapshots?.finish()   // [snapshots] the last ones were written while the output was
        summaries.append(RunSummary.Stage(name: "output", status: options.dryRun ? "dry-run" : "ran", rowsIn: written, rowsOut: written,
                                          dropped: [:], seconds: outputSeconds,
                                          rowsPerSecond: outputSeconds > 0 ? Double(written) / outputSeconds : nil,
                                          notes: copied > 0 ? ["rows_copied": copied] : [:]))
        return RunSummary(input: options.inputPath, output: options.dryRun ? nil : (options.outputPath == "-" ? "<stdout>" : options.outputPath),
                          checkpointDir: options.checkpointDirectory, resumedFrom: resumedFrom, rowsIn: rowsIn, rowsOut: written,
                          stages: summaries, seconds: Date().timeIntervalSince(started), dryRun: options.dryRun, appended: appended)
    }

    /// The append this run starts or continues (`InputAppend`), nil when it does not append. An append
    /// in progress that this run cannot continue (other settings or options) is dropped with the store.
    /// `oldCheckpoints`: when this run starts it, the old input's checkpoints (which StoreConsistency
    /// checked against the store at the start of this run): the old rows' counts. Empty when it
    /// continues one (they are gone: the stages count all rows then).
    private func startOrContinueAppend(store: WorkingStore, input: InputSource, inputHash: String, expected: [StageID: String]) throws
        -> (append: WorkingStore.AppendInProgress, oldCheckpoints: [Checkpoint])? {
        let last = stages.ids.last!
        if let pending = try store.appendInProgress() {
            let sameInput = try store.meta("ingest.input_hash") == inputHash
            let continues = sameInput && pending.configHash == expected[last] && options.resumeFrom == nil && options.stopAfter == nil
                && options.referencePath == nil && options.globalDropsPath == nil && (options.autoResume || options.resume)
            if continues { return (pending, []) }
            progress.info("An unfinished append is dropped (the input, the settings or the options changed since): starting over")
            try store.reset()
            return nil
        }
        guard let (append, oldLength) = try InputAppend.detect(store: store, input: input, options: options, lastStage: last,
                                                              lastConfigHash: expected[last]!) else { return nil }
        let oldCheckpoints = try store.checkpoints()
        try store.beginAppend(append, inputHash: inputHash, inputLength: input.byteCount)
        progress.info("Input grew from \(oldLength) to \(input.byteCount) bytes, starting with the input the store holds: keeping the decisions for its \(append.firstRow) rows, processing the new ones")
        return (append, oldCheckpoints)
    }

    /// The stage whose committed batches this run continues rather than rewinds: the first enabled
    /// stage after the resume point, when it resumes per batch and its progress was made with the
    /// expected chained config (so with the same input, settings and earlier stages). Its work is then
    /// the only change since the checkpoint: the stages between are switched off (they write nothing),
    /// and no later stage starts before it commits its own checkpoint. --resume-from it or an earlier
    /// stage redoes it.
    private func continuedStage(_ planned: [PlannedStage], after resumePoint: Int, expected: [StageID: String],
                                store: WorkingStore) throws -> StageID? {
        guard let stage = planned.first(where: { $0.id.generation > resumePoint && $0.isEnabled }), stage.definition.resumesPerBatch,
              options.resumeFrom.map({ $0 > stage.id }) ?? true,
              let progress = try store.batchProgress(of: stage.id), progress.configHash == expected[stage.id] else { return nil }
        return stage.id
    }

    /// A stage of this run: its place, its definition, and the stage as the options configure it.
    struct PlannedStage {
        let id: StageID
        let definition: StageDefinition
        let stage: any PipelineStage
        /// False for a stage the options switch off: it passes every row through.
        let isEnabled: Bool
    }

    /// The stages in order; switched-off ones pass rows through so generations stay fixed.
    func plan(info: IngestInfo) throws -> [PlannedStage] {
        let setup = StageSetup(options: options, ingestInfo: info, reference: reference)
        // --global-drops: the dedup stages that are on apply the file's decisions instead of searching.
        let global = try options.globalDropsPath.map { try GlobalDropList(path: $0, stages: stages) }
        let planned = try zip(stages.ids, stages.definitions).map { id, definition in
            var made = try definition.make(setup)
            if let global, made != nil, definition.removesDuplicates { made = global.stage(named: id.name) }
            return PlannedStage(id: id, definition: definition, stage: made ?? PassThroughStage(), isEnabled: made != nil)
        }
        if let global, let off = global.drops.first(where: { drop in planned.contains { $0.id.name == drop.stage && !$0.isEnabled } }) {
            throw EntropyGuardError(.usage, "--global-drops \(options.globalDropsPath!): drops for \(off.stage), which this run switches off")
        }
        return planned
    }

    /// Format, text column and CSV header. When the store already holds this input and no column was
    /// given, the column detected last time is reused, so resuming reads nothing beyond the hash.
    private func resolveIngestInfo(store: WorkingStore, input: InputSource, inputHash: String) throws -> IngestInfo {
        if input.isParquet { return try resolveParquetInfo(store: store, input: input, inputHash: inputHash) }
        let fd = try input.openForReading()
        defer { close(fd) }
        let format = try input.detectFormat(fileDescriptor: fd)
        let path = input.recordPath
        var header: [String]?
        if format == .csv {
            header = try CSVReader(fileDescriptor: fd, path: path).header
        }
        // JSONL's columns are the keys of its first records (read only when a check needs them).
        let sample = format == .jsonl && (!options.requiredColumns.isEmpty || options.textColumn != nil)
            ? try TextColumnDetection.jsonKeys(fileDescriptor: fd, path: path) : nil
        if !options.requiredColumns.isEmpty {
            let available = header ?? sample?.keys ?? []
            let missing = options.requiredColumns.filter { !available.contains(sameUTF8As: $0) }
            if !missing.isEmpty {
                throw EntropyGuardError(.usage, "--required-columns: \(path) has no column \(missing.joined(separator: ", ")); available columns: \(Snippet.names(available))"
                                        + Self.normalizationHint(missing, available))
            }
        }
        if let column = options.textColumn {
            // An empty CSV file has no header, and no records for the column to be missing from.
            if let header, !header.isEmpty, !header.contains(sameUTF8As: column) {
                throw EntropyGuardError(.usage, "--text-column \(column): no such column in \(path); columns: \(Snippet.names(header))"
                                        + Self.normalizationHint([column], header))
            }
            // A field absent from every sampled record is almost surely a typo: otherwise every row would
            // be dropped as empty_or_null and the output silently empty. A field that only some records
            // have is fine (the others are dropped with a reason).
            if let sample, sample.objects > 0, !sample.keys.contains(sameUTF8As: column) {
                throw EntropyGuardError(.usage, "--text-column \(column): none of the first \(sample.objects) records of \(path) has this field; fields seen: \(Snippet.names(sample.keys))"
                                        + Self.normalizationHint([column], sample.keys))
            }
            return IngestInfo(format: format, textColumn: column, csvHeader: header)
        }
        if try store.meta("ingest.input_hash") == inputHash, let column = try store.meta("text_column") {
            return IngestInfo(format: format, textColumn: column, csvHeader: header)
        }
        let detected = try TextColumnDetection.detect(fileDescriptor: fd, path: path, format: format)
        guard let column = detected else {
            // A CSV file always has a candidate once it has a header; a JSONL one may have records without strings.
            var reader = JSONLReader(fileDescriptor: fd, path: path)
            let empty = try format == .csv || reader.next() == nil
            throw EntropyGuardError(.usage, empty
                ? "\(path) has no records, so there is no text column to detect; name one with --text-column"
                : "\(path): no string field to use as text in the first 100 records; name one with --text-column")
        }
        progress.info("Using text column '\(Snippet.printable(column))' (the string field with the longest mean length in the first 100 records; set --text-column to choose)")
        return IngestInfo(format: format, textColumn: column, csvHeader: header)
    }

    /// Parquet input: the files' schema (each file must have the first one's) gives the columns; the text
    /// column is detected as for JSONL, from the first 100 records as JSON objects.
    private func resolveParquetInfo(store: WorkingStore, input: InputSource, inputHash: String) throws -> IngestInfo {
        let dataset = try ParquetDataset(paths: input.parquetFiles)
        let path = input.recordPath
        let names = dataset.schema.fieldNames
        var info = IngestInfo(format: .parquet, textColumn: "", csvHeader: nil, parquetFieldNames: names, parquetRowCount: dataset.rowCount)
        if let groups = input.parquetRowGroups {   // progress counts the range's rows
            let reader = try ParquetFileReader(path: input.parquetFiles[0])
            info.parquetRowCount = Int64(groups.reduce(0) { $0 + reader.rowCount(ofRowGroup: $1) })
        }
        if !options.requiredColumns.isEmpty {
            let missing = options.requiredColumns.filter { !names.contains(sameUTF8As: $0) }
            if !missing.isEmpty {
                throw EntropyGuardError(.usage, "--required-columns: \(path) has no column \(missing.joined(separator: ", ")); available columns: \(Snippet.names(names))"
                                        + Self.normalizationHint(missing, names))
            }
        }
        if let column = options.textColumn {
            guard names.contains(sameUTF8As: column) else {
                throw EntropyGuardError(.usage, "--text-column \(column): no such column in \(path); columns: \(Snippet.names(names))"
                                        + Self.normalizationHint([column], names))
            }
            info.textColumn = column
            return info
        }
        if try store.meta("ingest.input_hash") == inputHash, let column = try store.meta("text_column") {
            info.textColumn = column
            return info
        }
        let (detected, sampled) = try TextColumnDetection.detect(parquet: dataset)
        guard let column = detected else {
            throw EntropyGuardError(.usage, sampled == 0
                ? "\(path) has no records, so there is no text column to detect; name one with --text-column"
                : "\(path): no string field to use as text in the first 100 records; name one with --text-column")
        }
        progress.info("Using text column '\(Snippet.printable(column))' (the string field with the longest mean length in the first 100 records; set --text-column to choose)")
        info.textColumn = column
        return info
    }

    /// Column names are matched by bytes (see `UTF8Key`). When a wanted name is missing only because it
    /// is in another Unicode normalization form than the input's (`==` below is canonical equivalence,
    /// on purpose), the message says so: the two print the same.
    static func normalizationHint(_ wanted: [String], _ available: [String]) -> String {
        guard wanted.contains(where: { name in available.contains { $0 == name } }) else { return "" }
        return "; a column has that name in another Unicode normalization form (NFC vs NFD), but names must match byte for byte"
    }

    private func startRun(store: WorkingStore, input: InputSource) throws -> Int64 {
        try store.startRun(arguments: options.arguments.joined(separator: " "), inputPath: input.displayPath,
                           inputHash: input.hash.hex, at: Self.timestamp())
    }

    private func finishRun(store: WorkingStore, runID: Int64, status: String, summary: RunSummary?) throws {
        try store.finishRun(runID, status: status, rowsIn: summary?.rowsIn, rowsOut: summary?.rowsOut, summary: summary?.json,
                            at: Self.timestamp())
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("entropyguard.XXXXXX").utf8CString)
        guard let result = mkdtemp(&template) else {
            throw EntropyGuardError(.cannotCreate, "cannot create a temporary working directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: result)
    }
}
