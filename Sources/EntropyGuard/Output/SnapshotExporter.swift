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
/// Switched-off (pass-through) stages get a snapshot too under `.all`, so every checkpoint has one
/// and `after_<stage>.parquet` exists for every stage. It is nearly free: such a stage has the rows
/// and texts of the stage before it, so when that one's file was written or verified in this run it
/// is copied rather than exported again.
final class SnapshotExporter {
    let directory: String
    let store: WorkingStore
    let input: InputSource
    let info: IngestInfo
    let selection: PipelineOptions.Snapshots
    let progress: ProgressReporter
    /// Stages that are switched off in this run.
    let passThrough: Set<StageID>
    private var schema: SnapshotSchema?
    /// Snapshot files known to match the store in this run (written or verified), with their XXH3.
    private var current: [StageID: String] = [:]

    init(directory: String, store: WorkingStore, input: InputSource, info: IngestInfo,
         selection: PipelineOptions.Snapshots, passThrough: Set<StageID>, progress: ProgressReporter) {
        self.directory = directory
        self.store = store
        self.input = input
        self.info = info
        self.selection = selection
        self.passThrough = passThrough
        self.progress = progress
    }

    /// `after_<stage>.parquet`.
    static func fileName(_ stage: StageID) -> String { "\(stage.checkpointName).parquet" }

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

    /// After checkpoints were committed: exports the selected ones' snapshots, removes a stale file of
    /// an unselected one, and rewrites checkpoint_metadata.json after each.
    func exportCommitted(_ stages: [StageID]) throws {
        for stage in stages {
            if includes(stage) {
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
    /// removed); later stages will run again, so their old files are removed now, and so are those of
    /// stages this stage list does not have (the store was made with another list).
    func reconcile(resumedThrough generation: Int) throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files where Self.isSnapshotFile(file) {
            if store.stages[String(file.dropLast(".parquet".count))] == nil { try removeFile(named: file) }
        }
        let checkpoints = Dictionary(uniqueKeysWithValues: try store.checkpoints().map { ($0.stage, $0) })
        for stage in store.stages.ids {
            guard stage.generation <= generation, let checkpoint = checkpoints[stage] else {
                try removeFile(of: stage)
                continue
            }
            guard includes(stage) else {
                try forget(stage)
                continue
            }
            let problem = checkpoint.snapshotPath == nil || checkpoint.snapshotXXH3 == nil
                ? "snapshot \(Self.fileName(stage)) was not recorded"
                : SnapshotCheck.problem(directory: directory, relativePath: checkpoint.snapshotPath!, expectedXXH3: checkpoint.snapshotXXH3)
            if let problem {
                progress.warn("\(problem); exporting it again from the store")
                try export(stage)
            } else {
                current[stage] = checkpoint.snapshotXXH3
            }
        }
        try CheckpointMetadataFile.write(directory: directory, store: store)
    }

    /// Writes the stage's snapshot and records it in its checkpoint.
    private func export(_ stage: StageID) throws {
        let name = Self.fileName(stage)
        let path = (directory as NSString).appendingPathComponent(name)
        if let previous = store.stages.id(generation: stage.generation - 1), let hash = current[previous], try sameContent(stage, as: previous) {
            try copy(from: (directory as NSString).appendingPathComponent(Self.fileName(previous)), to: path)
            try store.setSnapshot(stage: stage, path: name, xxh3: hash)
            current[stage] = hash
            return
        }
        if schema == nil { schema = try SnapshotSchema.of(store: store, input: input, info: info) }
        let rows = try SnapshotTableWriter(store: store, input: input, info: info, schema: schema!)
            .write(stage: stage, to: path, rowNumber: true, progress: progress, label: "snapshot \(stage.checkpointName)")
        if let expected = try store.checkpoints().first(where: { $0.stage == stage })?.rowCount, expected != rows {
            progress.warn("\(name) has \(rows) rows but checkpoint \(stage.checkpointName) counts \(expected)")
        }
        let hash = try Self.xxh3(ofFile: path)
        try store.setSnapshot(stage: stage, path: name, xxh3: hash)
        current[stage] = hash
    }

    /// A switched-off stage's snapshot equals the previous stage's byte for byte: same rows (it drops
    /// none, creates none), same texts, same columns. The checks guard the two ways the content could
    /// still differ: chunk columns appearing at the stage that adds rows, and texts read from
    /// `text_original` before the stage that rewrites them (both impossible after a rewind, checked
    /// anyway since they are cheap).
    private func sameContent(_ stage: StageID, as previous: StageID) throws -> Bool {
        guard passThrough.contains(stage) else { return false }
        let definition = store.stages.definition(of: stage)
        if definition.addsRows, try store.hasChunks() { return false }
        if definition.rewritesTexts { return try !store.hasChangedTexts() }
        return true
    }

    /// Copies a file under a temporary name, then renames it onto `destination`.
    private func copy(from source: String, to destination: String) throws {
        let temporary = TemporaryFileName.make(for: destination)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
            guard rename(temporary, destination) == 0 else {
                throw EntropyGuardError(.ioError, "\(destination): cannot replace: \(String(cString: strerror(errno)))")
            }
        } catch let error as EntropyGuardError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw EntropyGuardError(.ioError, "\(destination): cannot copy \(source): \(error.localizedDescription)")
        }
    }

    /// Unselected stage: no file, nothing recorded.
    private func forget(_ stage: StageID) throws {
        current[stage] = nil
        try removeFile(of: stage)
        try store.setSnapshot(stage: stage, path: nil, xxh3: nil)
    }

    private func removeFile(of stage: StageID) throws {
        try removeFile(named: Self.fileName(stage))
    }

    private func removeFile(named name: String) throws {
        let path = (directory as NSString).appendingPathComponent(name)
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
