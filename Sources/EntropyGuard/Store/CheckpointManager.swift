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
    public struct Status: Sendable {
        public let checkpoint: Checkpoint
        public let problem: String?
        public var isValid: Bool { problem == nil }
    }

    public init(checkpointDir: String) throws {
        self.checkpointDir = checkpointDir
        store = try WorkingStore(directory: checkpointDir)
    }

    /// Records that `stage` completed for the rows now alive after it, computed from the given input
    /// and (chained) config hash.
    @discardableResult
    public func save(stage: StageID, inputHash: String, configHash: String) throws -> Checkpoint {
        let checkpoint = Checkpoint(stage: stage, inputHash: inputHash, configHash: configHash,
                                    rowCount: try store.aliveCount(after: stage), createdAt: Pipeline.timestamp())
        try store.saveCheckpoint(checkpoint)
        return checkpoint
    }

    /// The checkpoint of `stage` if it exists, matches both hashes and passes the consistency checks; nil otherwise.
    public func load(stage: StageID, inputHash: String, configHash: String) throws -> Checkpoint? {
        guard let status = try list().first(where: { $0.checkpoint.stage == stage }), status.isValid,
              status.checkpoint.inputHash == inputHash, status.checkpoint.configHash == configHash else { return nil }
        return status.checkpoint
    }

    /// Every checkpoint with its validity: the chain before it is complete, its row count matches the
    /// store, it is of the same input as the others (and of `inputHash` when given), and its Parquet
    /// snapshot, when one was recorded, is present with the recorded XXH3.
    public func list(inputHash: String? = nil) throws -> [Status] {
        let checkpoints = try store.checkpoints()
        var result: [Status] = []
        var chainBroken = false
        var check = SnapshotCheck()
        for (index, checkpoint) in checkpoints.enumerated() {
            var problem: String?
            if index != checkpoint.generation - 1 || chainBroken {
                problem = "an earlier stage has no checkpoint"
            } else if let inputHash, checkpoint.inputHash != inputHash {
                problem = "input changed"
            } else if checkpoint.inputHash != checkpoints[0].inputHash {
                problem = "made from another input than the earlier stages"
            } else if try store.aliveCount(after: checkpoint.stage) != checkpoint.rowCount {
                problem = "row count \(checkpoint.rowCount) differs from the store's \(try store.aliveCount(after: checkpoint.stage))"
            } else if let snapshot = checkpoint.snapshotPath {
                problem = check.problem(directory: checkpointDir, relativePath: snapshot, expectedXXH3: checkpoint.snapshotXXH3)
            }
            if problem != nil { chainBroken = true }
            result.append(Status(checkpoint: checkpoint, problem: problem))
        }
        return result
    }

    /// keepLatest: keeps the newest checkpoint (resuming from it still works) and forgets the earlier
    /// ones and their snapshots. Otherwise removes the store, the snapshots and the metadata file.
    public func cleanupCheckpoints(keepLatest: Bool) throws {
        let checkpoints = try store.checkpoints()
        let doomed = keepLatest ? Array(checkpoints.dropLast()) : checkpoints
        for checkpoint in doomed {
            if let snapshot = checkpoint.snapshotPath {
                try? FileManager.default.removeItem(atPath: (checkpointDir as NSString).appendingPathComponent(snapshot))
            }
        }
        if keepLatest {
            if let latest = checkpoints.last {
                try store.database.run("DELETE FROM checkpoints WHERE generation < ?", [.integer(Int64(latest.generation))])
            }
            return
        }
        for name in [WorkingStore.fileName, WorkingStore.fileName + "-wal", WorkingStore.fileName + "-shm",
                     "checkpoint_metadata.json", "stdin.input"] {
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

    /// XXH3-64 of a file's bytes, as 16 lowercase hex digits; nil when it cannot be read.
    /// read(2) into one 4 MiB buffer: FileHandle.read(upToCount:) reads 4 KiB per call on Linux,
    /// which made hashing a 45 MB snapshot take 0.8 s.
    static func xxh3(ofFile path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
        defer { buffer.deallocate() }
        let hasher = XXH3Stream64()
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hex64(hasher.digest())
    }
}
