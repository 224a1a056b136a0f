import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// `checkpoint_metadata.json` in the checkpoint directory: the checkpoints table as JSON, for tools
/// that read the directory without SQLite (the original Python tool wrote this file). The table stays
/// the truth; this file is rewritten from it, atomically (temporary file + rename), after every change.
///
/// Shape: an object keyed by checkpoint name (`after_exact_dedup`), as the original tool's file is and
/// its users' scripts read it, each value
/// `{stage, generation, input_path, input_hash, config_hash, row_count, checkpoint_path, parquet_xxh3, timestamp}`
/// where `stage` is the checkpoint name too (the original's key is its `stage` field), `checkpoint_path`
/// is the snapshot's path relative to the directory (null when the stage has no snapshot) and
/// `timestamp` the checkpoint's creation time (ISO 8601, UTC).
enum CheckpointMetadataFile {
    static let fileName = "checkpoint_metadata.json"

    /// The file's content for the store's current checkpoints.
    static func content(store: WorkingStore) throws -> Data {
        let inputPath = try store.meta("input_path")
        var object: [String: Any] = [:]
        for checkpoint in try store.checkpoints() {
            object[checkpoint.stage.checkpointName] = [
                "stage": checkpoint.stage.checkpointName,
                "generation": checkpoint.generation,
                "input_path": inputPath ?? NSNull(),
                "input_hash": checkpoint.inputHash,
                "config_hash": checkpoint.configHash,
                "row_count": checkpoint.rowCount,
                "checkpoint_path": checkpoint.snapshotPath ?? NSNull(),
                "parquet_xxh3": checkpoint.snapshotXXH3 ?? NSNull(),
                "timestamp": checkpoint.createdAt,
            ] as [String: Any]
        }
        var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }

    /// Rewrites `<directory>/checkpoint_metadata.json` from the store (an `AtomicFile`).
    static func write(directory: String, store: WorkingStore) throws {
        let path = (directory as NSString).appendingPathComponent(fileName)
        do {
            try AtomicFile.write(Array(try content(store: store)), to: path)
        } catch let error as ParquetError {
            throw EntropyGuardError(error, writing: path)
        }
    }
}
