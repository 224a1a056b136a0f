import Foundation

/// The Parquet snapshots of a checkpoint directory: `<dir>/after_<stage>.parquet`, one per checkpointed
/// stage that `--snapshots` selects, with the stage's rows as its view shows them (see
/// `SnapshotTableWriter` for the columns). Each is recorded in its checkpoint (path relative to the
/// directory and XXH3-64 of the file) and listed in `checkpoint_metadata.json`.
///
/// The store is the truth and a snapshot is a product of it: a snapshot that is missing or does not
/// match its recorded hash is exported again from the store, with a warning, when its stage is resumed.
/// Switched-off (pass-through) stages get a snapshot too under `.all`, so every checkpoint has one
/// and `after_<stage>.parquet` exists for every stage; it costs one more pass over the survivors.
final class SnapshotExporter {
    let directory: String
    let store: WorkingStore
    let input: InputSource
    let info: IngestInfo
    let selection: PipelineOptions.Snapshots
    let progress: ProgressReporter
    private var schema: SnapshotSchema?

    init(directory: String, store: WorkingStore, input: InputSource, info: IngestInfo,
         selection: PipelineOptions.Snapshots, progress: ProgressReporter) {
        self.directory = directory
        self.store = store
        self.input = input
        self.info = info
        self.selection = selection
        self.progress = progress
    }

    /// `after_<stage>.parquet`.
    static func fileName(_ stage: StageID) -> String { "\(stage.checkpointName).parquet" }

    /// Whether `selection` asks for `stage`'s snapshot: all of them, only the two dedup stages (the
    /// files the original tool wrote), or none.
    static func includes(_ stage: StageID, in selection: PipelineOptions.Snapshots) -> Bool {
        switch selection {
        case .all: return true
        case .dedup: return stage == .exactDedup || stage == .semanticDedup
        case .none: return false
        }
    }

    /// After checkpoints were committed: exports the selected ones' snapshots, removes a stale file of
    /// an unselected one, and rewrites checkpoint_metadata.json after each.
    func exportCommitted(_ stages: [StageID]) throws {
        for stage in stages {
            if Self.includes(stage, in: selection) {
                try export(stage)
            } else {
                try forget(stage)
            }
            try CheckpointMetadataFile.write(directory: directory, store: store)
        }
        if stages.isEmpty { try CheckpointMetadataFile.write(directory: directory, store: store) }
    }

    /// When a run resumes after `generation`: stages up to it keep their checkpoints, so their
    /// snapshots are checked (missing or changed → exported again with a warning; unselected →
    /// removed); later stages will run again, so their old files are removed now.
    func reconcile(resumedThrough generation: Int) throws {
        let checkpoints = Dictionary(uniqueKeysWithValues: try store.checkpoints().map { ($0.stage, $0) })
        for stage in StageID.allCases {
            guard stage.generation <= generation, let checkpoint = checkpoints[stage] else {
                try removeFile(of: stage)
                continue
            }
            guard Self.includes(stage, in: selection) else {
                try forget(stage)
                continue
            }
            let problem = checkpoint.snapshotPath == nil || checkpoint.snapshotXXH3 == nil
                ? "snapshot \(Self.fileName(stage)) was not recorded"
                : SnapshotCheck.problem(directory: directory, relativePath: checkpoint.snapshotPath!, expectedXXH3: checkpoint.snapshotXXH3)
            if let problem {
                progress.warn("\(problem); exporting it again from the store")
                try export(stage)
            }
        }
        try CheckpointMetadataFile.write(directory: directory, store: store)
    }

    /// Writes the stage's snapshot and records it in its checkpoint.
    private func export(_ stage: StageID) throws {
        if schema == nil { schema = try SnapshotSchema.of(store: store, input: input, info: info) }
        let name = Self.fileName(stage)
        let path = (directory as NSString).appendingPathComponent(name)
        let rows = try SnapshotTableWriter(store: store, input: input, info: info, schema: schema!)
            .write(stage: stage, to: path, rowNumber: true, progress: progress, label: "snapshot \(stage.checkpointName)")
        if let expected = try store.checkpoints().first(where: { $0.stage == stage })?.rowCount, expected != rows {
            progress.warn("\(name) has \(rows) rows but checkpoint \(stage.checkpointName) counts \(expected)")
        }
        try store.setSnapshot(stage: stage, path: name, xxh3: try Self.xxh3(ofFile: path))
    }

    /// Unselected stage: no file, nothing recorded.
    private func forget(_ stage: StageID) throws {
        try removeFile(of: stage)
        try store.setSnapshot(stage: stage, path: nil, xxh3: nil)
    }

    private func removeFile(of stage: StageID) throws {
        let path = (directory as NSString).appendingPathComponent(Self.fileName(stage))
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }

    /// XXH3-64 of a file's bytes, as 16 lowercase hex digits.
    static func xxh3(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EntropyGuardError(.ioError, "\(path): cannot read back the snapshot")
        }
        defer { try? handle.close() }
        let hasher = XXH3Stream64()
        while let data = try handle.read(upToCount: 4 << 20), !data.isEmpty {
            data.withUnsafeBytes { hasher.update($0) }
        }
        return hex64(hasher.digest())
    }
}
