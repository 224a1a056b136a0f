/// What the pipeline knows about a stage, written once, next to the stage (its `definition`); the
/// stage's position in a `StageRegistry` is its generation. The pipeline, the store, the snapshots and
/// the CLI ask these properties instead of testing for particular stages.
public struct StageDefinition: Sendable {
    /// Names the stage's view, checkpoint and snapshot (`after_<name>`), its audit entries and its
    /// summary line: lowercase letters, digits and `_`, starting with a letter.
    public let name: String
    /// Reads the input and creates the rows: the first stage, and only it. Its rows are written at its
    /// generation already, and what it processed is what it read.
    public let readsInput: Bool
    /// Can add rows (chunk: a row per chunk, linked to its parent): the alive rows are counted again
    /// after it, and snapshots from it on carry the chunk columns.
    public let addsRows: Bool
    /// Rewrites texts (sanitize). The store keeps the original text and the latest one, so at most one
    /// stage may: rewinding before it restores the originals, snapshots before it show them.
    public let rewritesTexts: Bool
    /// An expensive stage commits its checkpoint (and moves its survivors to its generation) as soon as
    /// it finishes. A cheap one is committed with the next such commit, in the same transaction, which
    /// saves a full-table UPDATE per stage; a crash in between only redoes it.
    public let checkpointsImmediately: Bool
    /// Commits its progress with each batch (`BatchProgress`) and, after a crash, continues after the
    /// last committed batch instead of being rewound. Such a stage must checkpoint immediately, so no
    /// later stage has written anything while its batches are partial.
    public let resumesPerBatch: Bool
    /// Removes duplicates: `--snapshots dedup` keeps its snapshot.
    public let removesDuplicates: Bool
    /// Keeps every core busy (a `parallelMap` over each batch): the snapshots committed just before it
    /// wait for its commit, and are written then in one pass with its own (SnapshotExporter.exportCommitted).
    public let usesAllCores: Bool
    /// The options that switch and tune it: long flag names, which are also the settings file's keys.
    public let optionKeys: [String]
    /// The stage as the run's options configure it, or nil when they switch it off: it then passes
    /// every row through, and keeps its generation, view, checkpoint and snapshot. The stage's
    /// `settings` go into the chained config hash.
    public let make: @Sendable (StageSetup) throws -> (any PipelineStage)?

    public init(name: String, readsInput: Bool = false, addsRows: Bool = false, rewritesTexts: Bool = false,
                checkpointsImmediately: Bool = false, resumesPerBatch: Bool = false, removesDuplicates: Bool = false,
                usesAllCores: Bool = false, optionKeys: [String] = [],
                make: @escaping @Sendable (StageSetup) throws -> (any PipelineStage)?) {
        self.name = name
        self.readsInput = readsInput
        self.addsRows = addsRows
        self.rewritesTexts = rewritesTexts
        self.checkpointsImmediately = checkpointsImmediately
        self.resumesPerBatch = resumesPerBatch
        self.removesDuplicates = removesDuplicates
        self.usesAllCores = usesAllCores
        self.optionKeys = optionKeys
        self.make = make
    }
}

/// What a stage is configured from.
public struct StageSetup: Sendable {
    public let options: PipelineOptions
    /// Format and text column of the input.
    public let ingestInfo: IngestInfo
    /// `--reference`: the corpus the dedup stages compare with first (its identity is part of their settings).
    var reference: ReferenceCorpus? = nil
}
