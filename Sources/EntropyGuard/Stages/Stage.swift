/// One step of the pipeline. A stage reads the rows alive after the previous generation, drops some
/// (recording stage, reason and duplicate_of in the store), may rewrite texts or add rows; the
/// pipeline then moves its survivors to its generation. Stages after ingest are redone from the store,
/// never from the input. A stage talks to the store through its named operations only (no SQL).
/// Its properties (name, whether it adds rows, ...) are in its `StageDefinition`.
public protocol PipelineStage {
    /// Canonical text of the settings that change this stage's result: part of the chained config hash.
    var settings: String { get }
    func run(_ context: StageContext) throws -> StageReport
    /// In an append (`context.appendFrom`): whether the stage can decide the new rows alone, with the
    /// verdicts a full run over the grown input would give every row. False ends the append: it and
    /// the stages after run over all rows.
    func canAppend(_ context: StageContext) throws -> Bool
}

extension PipelineStage {
    public func canAppend(_ context: StageContext) throws -> Bool { true }
}

/// What a stage gets to work with.
public struct StageContext {
    /// The running stage: what it drops rows `by`, and what it reads rows `before`.
    public let stage: StageID
    /// The stage's chained config hash (kept with its batch progress, see `BatchProgress`).
    public let configHash: String
    public let store: WorkingStore
    public let options: PipelineOptions
    public let progress: ProgressReporter
    public let input: InputSource
    public let ingestInfo: IngestInfo
    /// In an append (`InputAppend`): the first new row. The stage decides rows from it on (and the
    /// chunks of those); the rows before keep their verdicts, and a dedup stage reads them as it did.
    public var appendFrom: Int64?

    public init(stage: StageID, configHash: String, store: WorkingStore, options: PipelineOptions, progress: ProgressReporter,
                input: InputSource, ingestInfo: IngestInfo, appendFrom: Int64? = nil) {
        self.appendFrom = appendFrom
        self.stage = stage
        self.configHash = configHash
        self.store = store
        self.options = options
        self.progress = progress
        self.input = input
        self.ingestInfo = ingestInfo
    }
}

/// What a stage did, beyond what the store already tells (drops per reason come from the store).
public struct StageReport {
    public var notes: [String: Int]

    public init(notes: [String: Int] = [:]) { self.notes = notes }
}

/// A stage that is switched off: every row passes through unchanged. It still gets its generation
/// and checkpoint, so views and resume work the same whatever is enabled.
struct PassThroughStage: PipelineStage {
    var settings: String { "off" }

    func run(_ context: StageContext) throws -> StageReport { StageReport() }
}
