import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One run: open (or create) the store, decide where to resume, run the remaining stages, write the
/// output, the audit log and the summary.
public final class Pipeline {
    public let options: PipelineOptions
    public let progress: ProgressReporter

    public init(options: PipelineOptions) {
        self.options = options
        progress = ProgressReporter(quiet: options.quiet, showProgress: options.showProgress)
    }

    public func run() throws -> RunSummary {
        let started = Date()
        let workDirectory = try options.checkpointDirectory ?? Self.makeTemporaryDirectory()
        defer {
            if options.checkpointDirectory == nil { try? FileManager.default.removeItem(atPath: workDirectory) }
        }
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let lock = try StoreLock(directory: workDirectory)
        defer { withExtendedLifetime(lock) {} }

        let input = try InputSource.open(path: options.inputPath, spoolDirectory: workDirectory)
        let store = try WorkingStore(directory: workDirectory)
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
        let stages = makeStages(info: info)
        let expected = ConfigHash.chain(stages.map { ($0.id, $0.settings) })

        // Resume: the newest checkpoint whose input hash and chained config hash match.
        var resumePoint = 0
        var resumedFrom: String?
        if options.autoResume || options.resume, let latest = try store.latestValidCheckpoint(inputHash: inputHash, expectedConfigHashes: expected) {
            resumePoint = latest.generation
            if let from = options.resumeFrom {
                resumePoint = min(resumePoint, from.generation - 1)
            }
            if resumePoint > 0 {
                let rows = try store.checkpoints().first { $0.generation == resumePoint }?.rowCount ?? 0
                let name = StageID(rawValue: resumePoint)!.checkpointName
                progress.info("Resuming from checkpoint \(name) (generation \(resumePoint), \(rows) rows)")
                resumedFrom = name
            }
        } else if options.resume {
            progress.info("Checkpoint invalid or not found: \(try invalidReason(store: store, inputHash: inputHash, expected: expected))")
        } else if !(try store.checkpoints().isEmpty) {
            progress.info("Checkpoints not used: \(try invalidReason(store: store, inputHash: inputHash, expected: expected))")
        }
        if resumePoint > 0 {
            // Nothing to undo when the store sits exactly at its newest checkpoint (a repeated run):
            // skip the rewind's full-table statements.
            let newest = try store.checkpoints().last?.generation ?? 0
            if try resumePoint < newest || store.stageInProgress() != nil {
                try store.rewind(to: resumePoint)
            }
        } else {
            // No usable checkpoint. A partial ingest of the same input with the same settings continues;
            // anything else starts from an empty store.
            let sameIngest = try store.meta("ingest.input_hash") == inputHash && store.meta("ingest.config_hash") == expected[.ingest]
            if !sameIngest || options.resumeFrom == .ingest {
                try store.reset()
                try store.setMeta("ingest.input_hash", inputHash)
                try store.setMeta("ingest.config_hash", expected[.ingest]!)
            }
        }
        try store.setMeta("input_path", input.displayPath)
        try store.setMeta("input_format", info.format.rawValue)
        try store.setMeta("text_column", info.textColumn)

        // [snapshots] Parquet snapshots of the stages, only when the checkpoint dir outlives the run.
        let snapshots = options.checkpointDirectory == nil ? nil
            : try SnapshotExporter(directory: workDirectory, store: store, input: input, info: info, selection: options.snapshots,
                                   progress: progress)
        // Snapshots are written on a worker thread: a failing run stops it before the store closes.
        defer { snapshots?.abandon() }
        try snapshots?.reconcile(resumedThrough: resumePoint)
        let context = StageContext(store: store, options: options, progress: progress, input: input, ingestInfo: info)
        var summaries: [RunSummary.Stage] = []
        var pending: [Checkpoint] = []
        let resumedCheckpoints = resumePoint > 0 ? try store.checkpoints() : []
        // Rows alive before the next stage, carried from stage to stage instead of counted each time.
        var alive: Int? = resumedCheckpoints.first { $0.generation == resumePoint }?.rowCount
        for (index, stage) in stages.enumerated() {
            if stage.id.generation <= resumePoint, let checkpoint = resumedCheckpoints.first(where: { $0.stage == stage.id }) {
                // Counts come from the checkpoint, not from scanning the store.
                let dropped = checkpoint.dropped.values.reduce(0, +)
                summaries.append(RunSummary.Stage(name: stage.id.name, status: "resumed", rowsIn: checkpoint.rowCount + dropped,
                                                  rowsOut: checkpoint.rowCount, dropped: checkpoint.dropped, seconds: nil,
                                                  rowsPerSecond: nil, notes: [:]))
                continue
            }
            let rowsIn = stage.id == .ingest ? 0 : try alive ?? store.aliveCount()
            let stageStarted = Date()
            try store.markStageStarted(stage.id)
            let report = try stage.run(context)
            // A pass-through stage drops nothing; only stages that add rows (chunk) need a recount.
            let dropped = stage.isEnabled ? try store.dropCounts(stage: stage.id) : [:]
            let rowsOut = stage.id == .ingest || stage.id == .chunk ? try store.aliveCount() : rowsIn - dropped.values.reduce(0, +)
            alive = rowsOut
            pending.append(Checkpoint(stage: stage.id, inputHash: inputHash, configHash: expected[stage.id]!,
                                      rowCount: rowsOut, createdAt: Self.timestamp(), dropped: dropped))
            if stage.checkpointsImmediately || index == stages.count - 1 {
                try store.database.transaction {
                    // Ingest writes its rows at generation 1 already (0 when rejected): no UPDATE needed.
                    if stage.id != .ingest { try store.advanceSurvivors(to: stage.id) }
                    for checkpoint in pending { try store.saveCheckpoint(checkpoint) }
                    try store.clearStageInProgress()
                }
                // [snapshots] Held back while the next stage keeps every core busy: see
                // SnapshotExporter.exportCommitted.
                let next = index + 1 < stages.count ? stages[index + 1] : nil
                try snapshots?.exportCommitted(pending.map(\.stage),
                                               holdBack: next.map { $0.isEnabled && [.sanitize, .chunk].contains($0.id) } ?? false)
                pending.removeAll()
            }
            let seconds = Date().timeIntervalSince(stageStarted)
            let processed = stage.id == .ingest ? rowsOut + dropped.values.reduce(0, +) : rowsIn
            summaries.append(RunSummary.Stage(name: stage.id.name, status: stage.isEnabled ? "ran" : "off", rowsIn: processed,
                                              rowsOut: rowsOut, dropped: dropped, seconds: stage.isEnabled ? seconds : nil,
                                              rowsPerSecond: stage.isEnabled && seconds > 0 ? Double(processed) / seconds : nil,
                                              notes: report.notes))
        }

        let last = stages.last!.id
        let outputStarted = Date()
        let format = OutputFormat(path: options.outputPath)
        let written = try RecordOutput(store: store, input: input, info: info, format: format, path: options.outputPath)
            .write(after: last, progress: progress, dryRun: options.dryRun)
        let outputSeconds = Date().timeIntervalSince(outputStarted)
        if let auditPath = options.auditLogPath {
            try AuditLogWriter(store: store, path: auditPath).write()
        }
        try snapshots?.finish()   // [snapshots] the last ones were written while the output was
        let rowsIn = Int(try store.meta("ingest.next_row") ?? "0") ?? 0
        summaries.append(RunSummary.Stage(name: "output", status: options.dryRun ? "dry-run" : "ran", rowsIn: written, rowsOut: written,
                                          dropped: [:], seconds: outputSeconds,
                                          rowsPerSecond: outputSeconds > 0 ? Double(written) / outputSeconds : nil, notes: [:]))
        return RunSummary(input: options.inputPath, output: options.dryRun ? nil : (options.outputPath == "-" ? "<stdout>" : options.outputPath),
                          checkpointDir: options.checkpointDirectory, resumedFrom: resumedFrom, rowsIn: rowsIn, rowsOut: written,
                          stages: summaries, seconds: Date().timeIntervalSince(started), dryRun: options.dryRun)
    }

    /// The stages in order; switched-off ones pass rows through so generations stay fixed.
    func makeStages(info: IngestInfo) -> [any PipelineStage] {
        [
            IngestStage(info: info, skipBadLines: options.skipBadLines),
            options.sanitize
                ? SanitizeStage(options: SanitizeOptions(stripHTML: options.stripHTML, normalizeUnicode: true,
                                                         piiKinds: Set(options.piiKinds.compactMap(PIIKind.init(rawValue:)))))
                : PassThroughStage(id: .sanitize),
            options.chunkSize.map { ChunkStage(chunker: Chunker(size: $0, overlap: options.chunkOverlap,
                                                                separators: options.chunkSeparators ?? Chunker.defaultSeparators)) }
                ?? PassThroughStage(id: .chunk),
            ValidateStage(minLength: options.minLength),
            options.exactDedup ? ExactDedupStage() as any PipelineStage : PassThroughStage(id: .exactDedup),
            options.semanticDedup
                ? SemanticDedupStage(modelName: options.modelName, threshold: options.dedupThreshold,
                                     searchMode: SemanticSearchMode(rawValue: options.searchMode) ?? .auto) as any PipelineStage
                : PassThroughStage(id: .semanticDedup),
        ]
    }

    /// Format, text column and CSV header. When the store already holds this input and no column was
    /// given, the column detected last time is reused, so resuming reads nothing beyond the hash.
    private func resolveIngestInfo(store: WorkingStore, input: InputSource, inputHash: String) throws -> IngestInfo {
        let fd = try input.openForReading()
        defer { close(fd) }
        let format = input.detectFormat(fileDescriptor: fd)
        let path = input.recordPath
        var header: [String]?
        if format == .csv {
            header = try CSVReader(fileDescriptor: fd, path: path).header
        }
        if !options.requiredColumns.isEmpty {
            let available = try header ?? TextColumnDetection.jsonKeys(fileDescriptor: fd, path: path)
            let missing = options.requiredColumns.filter { !available.contains($0) }
            if !missing.isEmpty {
                throw EntropyGuardError(.usage, "--required-columns: \(path) has no column \(missing.joined(separator: ", ")); available columns: \(available.joined(separator: ", "))")
            }
        }
        if let column = options.textColumn {
            if let header, !header.contains(column) {
                throw EntropyGuardError(.usage, "--text-column \(column): no such column in \(path); columns: \(header.joined(separator: ", "))")
            }
            return IngestInfo(format: format, textColumn: column, csvHeader: header)
        }
        if try store.meta("ingest.input_hash") == inputHash, let column = try store.meta("text_column") {
            return IngestInfo(format: format, textColumn: column, csvHeader: header)
        }
        let detected = try TextColumnDetection.detect(fileDescriptor: fd, path: path, format: format)
        guard let column = detected else {
            throw EntropyGuardError(.usage, "\(path): no string field to use as text in the first 100 records; name one with --text-column")
        }
        progress.info("Using text column '\(column)' (the string field with the longest mean length in the first 100 records; set --text-column to choose)")
        return IngestInfo(format: format, textColumn: column, csvHeader: header)
    }

    private func invalidReason(store: WorkingStore, inputHash: String, expected: [StageID: String]) throws -> String {
        let checkpoints = try store.checkpoints()
        guard let first = checkpoints.first else { return "none found" }
        if first.inputHash != inputHash { return "input changed" }
        for checkpoint in checkpoints where expected[checkpoint.stage] != checkpoint.configHash {
            return "config of stage \(checkpoint.stage.name) changed"
        }
        return "none found"
    }

    private func startRun(store: WorkingStore, input: InputSource) throws -> Int64 {
        try store.database.run("INSERT INTO runs (started_at, arguments, input_path, input_hash) VALUES (?, ?, ?, ?)",
                               [.text(Self.timestamp()), .text(options.arguments.joined(separator: " ")),
                                .text(input.displayPath), .text(input.hash.hex)])
        return try store.database.scalar("SELECT last_insert_rowid()")?.int64 ?? 0
    }

    private func finishRun(store: WorkingStore, runID: Int64, status: String, summary: RunSummary?) throws {
        try store.database.run("""
            UPDATE runs SET finished_at = ?, status = ?, rows_in = ?, rows_out = ?, summary = ? WHERE run_id = ?
            """, [.text(Self.timestamp()), .text(status), summary.map { .integer(Int64($0.rowsIn)) } ?? .null,
                  summary.map { .integer(Int64($0.rowsOut)) } ?? .null, summary.map { .text($0.json) } ?? .null, .integer(runID)])
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
