import MinHash

/// Everything a run needs, already validated by the CLI (or set by library users).
public struct PipelineOptions: Sendable {
    /// Which Parquet snapshots a run with a checkpoint dir leaves: every stage's, those of the stages
    /// that remove duplicates, or none.
    public enum Snapshots: String, Sendable, CaseIterable { case all, dedup, none }

    /// Each default, once: the options below, the CLI's help and the settings file use these.
    public enum Defaults {
        public static let batchSize = 10_000
        public static let minLength = 50
        /// For models whose config recommends none (transformers); a static model's config has its own.
        public static let dedupThreshold = 0.95
        public static let fuzzyThreshold = 0.8
        public static let shingle = ShingleSetting.defaultSetting
        public static let minhashPermutations = MinHasher.defaultPermutations
        public static let modelName = "all-MiniLM-L6-v2"
        public static let searchMode = SemanticSearchMode.auto
        public static let piiKinds = PIIKind.all
        public static let chunkOverlap = Chunker.defaultOverlap
        public static let snapshots = Snapshots.all
        public static let annotateField = "_entropyguard"
    }

    public var inputPath: String = "-"
    public var outputPath: String = "-"
    public var textColumn: String?
    public var checkpointDirectory: String?
    /// `--reference`: deduplicate against this corpus as if it came first (ReferenceCorpus): the
    /// checkpoint dir of an earlier run, or a JSONL/CSV/Parquet file.
    public var referencePath: String?

    // Resume
    public var resume = false
    public var autoResume = true
    /// Redo from this stage on (a stage of the pipeline's registry).
    public var resumeFrom: StageID?
    /// Run the stages up to this one, commit its checkpoint, write no output (a cluster job's shard).
    public var stopAfter: StageID?
    /// With `stopAfter`: write the alive rows' keys, signatures and embeddings here (`RowExport`).
    public var exportRowsDirectory: String?
    /// The dedup stages apply this file's drops instead of searching (`GlobalDropsStage`).
    public var globalDropsPath: String?
    /// Parquet input of one file: only these row groups are the input (`InputSource.parquetRowGroups`).
    public var parquetRowGroups: Range<Int>?
    /// Added to the row numbers a JSONL output shows (`_chunk.parent`): a cluster shard's first record's.
    public var outputRowOffset: Int64 = 0
    /// The output has the `_chunk` field even when this store made no chunks (another shard did).
    public var outputChunkField = false

    // Ingest
    public var skipBadLines = false
    /// Rows per store transaction (and per progress tick).
    public var batchSize = Defaults.batchSize

    // Stages
    public var minLength = Defaults.minLength
    public var requiredColumns: [String] = []
    public var exactDedup = true
    public var fuzzyDedup = true
    /// Estimated Jaccard similarity of shingle sets at or above which a row is a near duplicate.
    public var fuzzyThreshold = Defaults.fuzzyThreshold
    public var shingle = Defaults.shingle
    public var minhashPermutations = Defaults.minhashPermutations
    public var semanticDedup = true
    /// nil: the model's recommended threshold (its config), else `Defaults.dedupThreshold`.
    public var dedupThreshold: Double?
    public var modelName = Defaults.modelName
    public var searchMode = Defaults.searchMode
    public var sanitize = true
    public var stripHTML = true
    public var piiKinds = Defaults.piiKinds
    public var chunkSize: Int?
    public var chunkOverlap = Defaults.chunkOverlap
    public var chunkSeparators: [String]?

    // Output and reporting
    public var auditLogPath: String?
    /// Write every record, each with an object field `annotateField` saying whether it was kept and
    /// why not (`Annotation`). Only an output choice: no stage's settings, so no config hash, see it.
    public var annotate = false
    public var annotateField = Defaults.annotateField
    public var snapshots = Defaults.snapshots
    public var dryRun = false
    public var quiet = false
    public var jsonSummary = false
    /// Write the HTML report (`RunReport`) to the checkpoint dir at the end.
    public var report = false
    public var showProgress = true
    /// The command line, recorded in the runs table.
    public var arguments: [String] = []

    public init() {}
}
