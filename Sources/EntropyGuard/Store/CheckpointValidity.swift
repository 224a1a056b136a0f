/// A checkpoint and whether a run may resume from it, with the reason when not.
public struct CheckpointStatus: Sendable {
    public let checkpoint: Checkpoint
    /// Why the checkpoint cannot be trusted; nil when a run resumes from it.
    public let problem: String?
    /// What is wrong with its Parquet snapshot (missing, truncated, changed), when it was checked. Not a
    /// reason to distrust the checkpoint: the store is the truth, and the next run exports the snapshot again.
    public let snapshotProblem: String?
    public var isValid: Bool { problem == nil }
}

/// The one rule for trusting a checkpoint, used by both `checkpoints list` and a run deciding where to
/// resume, so the two always agree. Each checkpoint is judged on its own:
///
/// - it was made from the input (the given one, or else the one whose rows the store holds);
/// - its chained config hash is the expected one (when the settings are known, i.e. in a run); the
///   chain covers every earlier stage's settings, so a missing earlier checkpoint does not matter
///   (`checkpoints clean --keep-latest` removes them on purpose).
///
/// Whether the store still holds what the checkpoints recorded (row counts, drops) is not a question
/// about one checkpoint: `StoreConsistency` answers it for the whole store before either caller gets
/// here, and a store that fails it is damaged, set aside and never resumed from.
///
/// A snapshot problem is reported beside the verdict and does not change it.
public struct CheckpointValidity {
    let store: WorkingStore
    let checkpoints: [Checkpoint]
    /// The input hash checkpoints must have, and whether the caller gave it (the message differs).
    let inputHash: String?
    let inputGiven: Bool
    let expectedConfigHashes: [StageID: String]?

    /// - Parameters:
    ///   - inputHash: the input the checkpoints must be of; nil: the input whose rows the store holds.
    ///   - expectedConfigHashes: the chained config hashes of this run's settings; nil: not checked.
    public init(store: WorkingStore, inputHash: String?, expectedConfigHashes: [StageID: String]?) throws {
        self.store = store
        checkpoints = try store.checkpoints()
        inputGiven = inputHash != nil
        self.inputHash = try inputHash ?? store.meta("ingest.input_hash") ?? checkpoints.first?.inputHash
        self.expectedConfigHashes = expectedConfigHashes
    }

    /// Every checkpoint, oldest first, with its verdict; snapshots are checked in `snapshotDirectory` when given.
    public func statuses(snapshotDirectory: String?) throws -> [CheckpointStatus] {
        var check = SnapshotCheck()
        return try checkpoints.map { checkpoint in
            let snapshot = snapshotDirectory.flatMap { directory in
                checkpoint.snapshotPath.flatMap {
                    check.problem(directory: directory, relativePath: $0, expectedXXH3: checkpoint.snapshotXXH3)
                }
            }
            return CheckpointStatus(checkpoint: checkpoint, problem: try problem(of: checkpoint), snapshotProblem: snapshot)
        }
    }

    /// The checkpoint a run resumes from: the newest valid one.
    public func newestValid() throws -> Checkpoint? {
        for checkpoint in checkpoints.reversed() where try problem(of: checkpoint) == nil { return checkpoint }
        return nil
    }

    /// Why no checkpoint is used, for the run's message: the newest one's problem.
    public func reasonNoneValid() throws -> String {
        guard let newest = checkpoints.last else { return "none found" }
        return try problem(of: newest) ?? "none found"
    }

    /// Why `checkpoint` cannot be trusted, cheapest checks first; nil when it can.
    func problem(of checkpoint: Checkpoint) throws -> String? {
        if let inputHash, checkpoint.inputHash != inputHash {
            return inputGiven ? "input changed" : "made from another input than the rows in the store"
        }
        if let expected = expectedConfigHashes, expected[checkpoint.stage] != checkpoint.configHash {
            // The chain makes every later hash differ too: name the first stage that differs.
            let first = checkpoints.first { $0.generation <= checkpoint.generation && expected[$0.stage] != $0.configHash }!
            return "config of stage \(first.stage.name) changed"
        }
        return nil
    }
}
