/// A row of the `checkpoints` table: a completed stage and what it was computed from.
public struct Checkpoint: Equatable, Sendable {
    public var stage: StageID
    public var inputHash: String
    public var configHash: String
    public var rowCount: Int
    public var createdAt: String
    public var snapshotPath: String?
    public var snapshotXXH3: String?
    /// Rows the stage dropped, per reason.
    public var dropped: [String: Int]
    /// The stage's settings (what its config hash is made from); nil in checkpoints saved without them.
    public var settings: String?

    public var generation: Int { stage.generation }

    public init(stage: StageID, inputHash: String, configHash: String, rowCount: Int, createdAt: String,
                snapshotPath: String? = nil, snapshotXXH3: String? = nil, dropped: [String: Int] = [:], settings: String? = nil) {
        self.stage = stage
        self.inputHash = inputHash
        self.configHash = configHash
        self.rowCount = rowCount
        self.createdAt = createdAt
        self.snapshotPath = snapshotPath
        self.snapshotXXH3 = snapshotXXH3
        self.dropped = dropped
        self.settings = settings
    }
}
