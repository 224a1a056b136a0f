/// Everything a run needs, already validated by the CLI (or set by library users).
public struct PipelineOptions: Sendable {
    public enum Snapshots: String, Sendable, CaseIterable { case all, dedup, none }

    public var inputPath: String = "-"
    public var outputPath: String = "-"
    public var textColumn: String?
    public var checkpointDirectory: String?

    // Resume
    public var resume = false
    public var autoResume = true
    public var resumeFrom: StageID?

    // Ingest
    public var skipBadLines = false
    /// Rows per store transaction (and per progress tick).
    public var batchSize = 10_000

    // Stages
    public var minLength = 50
    public var requiredColumns: [String] = []
    public var exactDedup = true
    public var semanticDedup = true
    public var dedupThreshold = 0.95
    public var modelName = "all-MiniLM-L6-v2"
    public var embeddingBatchSize = 64
    public var searchMode = "auto"
    public var sanitize = true
    public var stripHTML = true
    public var piiKinds: [String] = ["email", "phone", "ssn", "credit_card", "ip", "iban"]
    public var chunkSize: Int?
    public var chunkOverlap = 50
    public var chunkSeparators: [String]?

    // Output and reporting
    public var auditLogPath: String?
    public var snapshots: Snapshots = .all
    public var dryRun = false
    public var quiet = false
    public var jsonSummary = false
    public var showProgress = true
    /// The command line, recorded in the runs table.
    public var arguments: [String] = []

    public init() {}
}
