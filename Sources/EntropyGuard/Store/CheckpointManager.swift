import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The library face of a checkpoint directory, mirroring the Python tool's CheckpointManager:
/// save, load (nil when invalid) and cleanupCheckpoints(keepLatest:). The store is the truth; a
/// checkpoint is a row of its `checkpoints` table that names what the stage was computed from.
public final class CheckpointManager {
    public let checkpointDir: String
    public let store: WorkingStore

    /// A checkpoint and whether it can be trusted, with the reason when not.
    public typealias Status = CheckpointStatus

    /// `ifStagesDiffer`: what to do with a store made with another stage list (refuse it: a listing
    /// must not change the store; a run resets it).
    public init(checkpointDir: String, stages: StageRegistry = .standard, ifStagesDiffer: WorkingStore.OtherStageList = .refuse) throws {
        self.checkpointDir = checkpointDir
        store = try WorkingStore(directory: checkpointDir, stages: stages, ifStagesDiffer: ifStagesDiffer)
    }

    /// Records that `stage` completed for the rows now alive after it, computed from the given input
    /// and (chained) config hash.
    @discardableResult
    public func save(stage: StageID, inputHash: String, configHash: String) throws -> Checkpoint {
        let checkpoint = Checkpoint(stage: stage, inputHash: inputHash, configHash: configHash,
                                    rowCount: try store.aliveCount(after: stage), createdAt: Pipeline.timestamp(),
                                    dropped: try store.dropCounts(stage: stage))
        try store.saveCheckpoint(checkpoint)
        return checkpoint
    }

    /// The checkpoint of `stage` if it exists, matches both hashes and passes the consistency checks; nil otherwise.
    public func load(stage: StageID, inputHash: String, configHash: String) throws -> Checkpoint? {
        guard let status = try list().first(where: { $0.checkpoint.stage == stage }), status.isValid,
              status.checkpoint.inputHash == inputHash, status.checkpoint.configHash == configHash else { return nil }
        return status.checkpoint
    }

    /// Every checkpoint with its validity by `CheckpointValidity` (the rule a run resumes by), of
    /// `inputHash` when given, and the state of its Parquet snapshot.
    public func list(inputHash: String? = nil) throws -> [Status] {
        try CheckpointValidity(store: store, inputHash: inputHash, expectedConfigHashes: nil).statuses(snapshotDirectory: checkpointDir)
    }

    /// keepLatest: keeps the newest checkpoint (resuming from it still works) and forgets the earlier
    /// ones and their snapshots; the store is checked first (StoreConsistency), as a run would before
    /// resuming from it. Otherwise removes every file of the checkpoint dir (removeFiles).
    public func cleanupCheckpoints(keepLatest: Bool) throws {
        guard keepLatest else {
            Self.removeFiles(checkpointDir: checkpointDir)
            return
        }
        try StoreConsistency.check(store)
        let checkpoints = try store.checkpoints()
        guard let latest = checkpoints.last else { return }
        for checkpoint in checkpoints.dropLast() {
            if let snapshot = checkpoint.snapshotPath {
                try? FileManager.default.removeItem(atPath: (checkpointDir as NSString).appendingPathComponent(snapshot))
            }
        }
        try store.forgetCheckpoints(before: latest.generation)
    }

    /// Removes what EntropyGuard keeps in `checkpointDir`, by name and without opening the store, so it
    /// works on a damaged one too: the store, stores set aside as damaged, the snapshots (of any stage
    /// list), the metadata file and spooled stdin. The caller holds the directory's StoreLock.
    public static func removeFiles(checkpointDir: String) {
        let snapshots = ((try? FileManager.default.contentsOfDirectory(atPath: checkpointDir)) ?? []).filter(SnapshotExporter.isSnapshotFile)
        let names = WorkingStore.fileSuffixes.map { WorkingStore.fileName + $0 } + WorkingStore.setAsideFiles(in: checkpointDir)
            + snapshots + [CheckpointMetadataFile.fileName, InputSource.stdinSpoolName]
        for name in names {
            try? FileManager.default.removeItem(atPath: (checkpointDir as NSString).appendingPathComponent(name))
        }
    }
}

/// Verifies snapshot files against the XXH3-64 recorded for them. A file reached again under another
/// name (a hard-linked twin: same device, inode, size and modification time) is not read twice.
struct SnapshotCheck {
    private struct FileIdentity: Hashable {
        var device: UInt64, inode: UInt64, size: Int64, modified: Int, modifiedNanoseconds: Int
    }
    private var known: [FileIdentity: String] = [:]

    mutating func problem(directory: String, relativePath: String, expectedXXH3: String?) -> String? {
        let path = (directory as NSString).appendingPathComponent(relativePath)
        var info = stat()
        guard stat(path, &info) == 0, access(path, R_OK) == 0 else { return "snapshot \(relativePath) is missing" }
        guard let expectedXXH3 else { return nil }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                                    modified: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec)
        let hash = known[identity] ?? Self.xxh3(ofFile: path)
        known[identity] = hash
        return hash == expectedXXH3 ? nil : "snapshot \(relativePath) does not match its recorded XXH3 (truncated or changed)"
    }

    /// XXH3-64 of a file's bytes, as 16 lowercase hex digits; nil when it cannot be read. (Files
    /// this run writes are hashed as they are written: `XXH3FileObserver`.)
    static func xxh3(ofFile path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let hasher = XXH3Stream64()
        return hasher.update(descriptor: fd, from: 0) ? hex64(hasher.digest()) : nil
    }
}
