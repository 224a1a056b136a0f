import ArgumentParser
import EntropyGuard
import Foundation
import MinHash

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Clean a dataset: sanitize, validate, remove exact, near (MinHash) and semantic duplicates (the default command).",
        discussion: """
        Every stage checkpoints in <checkpoint-dir>/entropyguard.sqlite; an interrupted or repeated run
        resumes from the newest checkpoint whose input and settings match.

        Examples:
          entropyguard --input data.jsonl --output cleaned.jsonl --text-column text --checkpoint-dir ./checkpoints
          cat data.jsonl | entropyguard --min-length 20 --no-semantic-dedup > cleaned.jsonl
          entropyguard --input data.csv --output cleaned.csv --audit-log dropped.jsonl --json
          entropyguard --input data.jsonl --output out.jsonl --checkpoint-dir ck --resume-from exact_dedup

        A damaged store in the checkpoint dir is moved aside (entropyguard.sqlite.damaged-<time>) and
        the run starts from scratch.

        Exit codes: 0 ok, 64 usage, 65 bad input data, 66 input missing, 70 internal error,
        73 output cannot be created, 74 I/O error or damaged store, 75 checkpoint dir in use, 130 interrupted.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Input JSONL or CSV file; - or omitted: stdin.", valueName: "path"))
    var input: String?

    @Option(name: .long, help: ArgumentHelp("Output file (.jsonl, .csv, .parquet); - or omitted: stdout.", valueName: "path"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("The field holding the text. Omitted: the string field with the longest mean length in the first 100 records.", valueName: "name"))
    var textColumn: String?

    @Option(name: .long, help: ArgumentHelp("Directory of the working store and checkpoints (omitted: a temporary one, removed at the end).", valueName: "dir"))
    var checkpointDir: String?

    @Option(name: .long, help: ArgumentHelp("Deduplicate against this corpus as if it came first, without rewriting it: the checkpoint dir of an earlier run, or a JSONL/CSV/Parquet file (its store is made once in <checkpoint-dir>/reference/). Duplicates of its kept rows are dropped with duplicate_of ref:<row>.", valueName: "path"))
    var reference: String?

    @Flag(name: .long, help: "Resume from the newest valid checkpoint; say why when there is none.")
    var resume = false

    @Flag(name: .long, help: "Do not use existing checkpoints (unless --resume): reset the store.")
    var noAutoResume = false

    @Option(name: .long, help: ArgumentHelp("Redo from this stage on.", valueName: "stage"))
    var resumeFrom: StageChoice?

    @Option(name: .long, help: ArgumentHelp("Run the stages up to this one, commit its checkpoint and write no output (a cluster job's shard step).", valueName: "stage"))
    var stopAfter: StageChoice?

    @Option(name: .long, help: ArgumentHelp("With --stop-after: write the alive rows' dedup keys, MinHash signatures and LSH band keys, and embeddings to this directory (rows.parquet).", valueName: "dir"))
    var exportRows: String?

    @Option(name: .long, help: ArgumentHelp("The dedup stages drop the rows this file lists (row id, stage, reason, duplicate_of, similarity; tab-separated) instead of searching: decisions made across shards by entropyguard-ray.", valueName: "path"))
    var globalDrops: String?

    @Option(name: .long, help: ArgumentHelp("Parquet input of one file: read only its row groups START..<END (a cluster job's shard of a large file; rows are numbered from START's first row).", valueName: "start:end"))
    var rowGroups: String?

    @Option(name: .long, help: ArgumentHelp("Number the input's rows from N in a JSONL output's _chunk.parent (a cluster job's shard: the records before it).", valueName: "N"))
    var rowOffset: Int64?

    @Flag(name: .long, help: "Give every JSONL/CSV output record the _chunk field even when this run made no chunks (a cluster job's shard: another shard did).")
    var chunkField = false

    @Option(name: .long, help: ArgumentHelp("Drop texts shorter than this many characters (code points), after sanitizing. Default \(PipelineOptions.Defaults.minLength)."))
    var minLength: Int?

    @Option(name: .long, help: ArgumentHelp("Fail before anything runs unless the input has these columns.", valueName: "a,b,..."))
    var requiredColumns: String?

    @Option(name: .long, help: ArgumentHelp("Cosine similarity at or above which a text is a semantic duplicate of an earlier kept one. Default: the model's recommended threshold (a static model's config), else \(PipelineOptions.Defaults.dedupThreshold)."))
    var dedupThreshold: Double?

    @Option(name: .long, help: ArgumentHelp("Embedding model: a name under the models folder or a path. Default \(PipelineOptions.Defaults.modelName).", valueName: "name|path"))
    var modelName: String?

    @Option(name: .long, help: ArgumentHelp("Rows per store transaction and progress step. Default \(PipelineOptions.Defaults.batchSize)."))
    var batchSize: Int?

    @Flag(name: .long, help: "Skip the semantic dedup stage.")
    var noSemanticDedup = false

    @Flag(name: .long, help: "Skip the fuzzy (MinHash) dedup stage.")
    var noFuzzyDedup = false

    @Option(name: .long, help: ArgumentHelp("Estimated Jaccard similarity of shingle sets at or above which a text is a near duplicate of an earlier kept one. Default \(PipelineOptions.Defaults.fuzzyThreshold).", valueName: "J"))
    var fuzzyThreshold: Double?

    @Option(name: .long, help: ArgumentHelp("Fuzzy dedup's shingles: word or character n-grams of the text lowercased, punctuation turned into spaces, whitespace collapsed. Default \(PipelineOptions.Defaults.shingle).", valueName: "words:N|chars:N"))
    var shingle: ShingleSetting?

    @Option(name: .long, help: ArgumentHelp("MinHash permutations per signature (1 to \(MinHasher.maximumPermutations)). Default \(PipelineOptions.Defaults.minhashPermutations).", valueName: "N"))
    var minhashPerms: Int?

    @Option(name: .long, help: ArgumentHelp("Semantic search; auto picks by size. Default \(PipelineOptions.Defaults.searchMode.rawValue).", valueName: "mode"))
    var search: SemanticSearchMode?

    @Flag(name: .long, help: "Skip the sanitize stage (HTML, Unicode, PII) for data that is already clean.")
    var noSanitize = false

    @Flag(name: .long, help: "Do not mask PII.")
    var noPii = false

    @Option(name: .long, help: ArgumentHelp("PII kinds to mask, comma-separated. Default \(PIIKindList.describe(PipelineOptions.Defaults.piiKinds)).", valueName: "kinds"))
    var pii: PIIKindList?

    @Option(name: .long, help: "Split texts longer than this many characters into chunks (off by default).")
    var chunkSize: Int?

    @Option(name: .long, help: ArgumentHelp("Characters of overlap between consecutive chunks. Default \(PipelineOptions.Defaults.chunkOverlap)."))
    var chunkOverlap: Int?

    @Option(name: .long, help: ArgumentHelp("Chunk separators, comma-separated, with \\n and \\t escapes.", valueName: "list"))
    var separators: String?

    @Option(name: .long, help: ArgumentHelp("Write one entry per dropped row: .json (array) or .jsonl.", valueName: "path"))
    var auditLog: String?

    @Flag(name: .long, help: "Write every record, not only the kept ones, each with a field saying whether it was kept and why not (see --annotate-field).")
    var annotate = false

    @Option(name: .long, help: ArgumentHelp("The field --annotate adds (CSV and Parquet: flattened columns NAME.kept, NAME.stage, ...). Default \(PipelineOptions.Defaults.annotateField).", valueName: "name"))
    var annotateField: String?

    @Option(name: .long, help: ArgumentHelp("Parquet snapshots of the stages in the checkpoint dir: all, dedup (the stages that remove duplicates) or none. Default \(PipelineOptions.Defaults.snapshots.rawValue).", valueName: "which"))
    var snapshots: PipelineOptions.Snapshots?

    @Option(name: .long, help: ArgumentHelp("Settings file (.json or .toml; keys are the long flag names). Default: ./.entropyguardrc.json or .toml if present.", valueName: "path"))
    var config: String?

    @Flag(name: .long, help: "Record unreadable lines (reason bad_record) and go on, instead of stopping with exit 65.")
    var skipBadLines = false

    @Flag(name: .long, help: "No progress or informational messages on stderr (errors and warnings still appear).")
    var quiet = false

    @Flag(name: .long, help: "Print the summary as one JSON object (on stdout, or on stderr when the data goes to stdout).")
    var json = false

    @Flag(name: .long, help: "Run every stage but write no output file; print what would be written.")
    var dryRun = false

    @Flag(name: .long, help: "At the end, write the HTML report (see `entropyguard report`) to the checkpoint dir and print its path on stderr.")
    var report = false

    func validate() throws {
        if resume && checkpointDir == nil { throw ValidationError("--resume needs --checkpoint-dir") }
        if resumeFrom != nil && checkpointDir == nil { throw ValidationError("--resume-from needs --checkpoint-dir") }
        if report && checkpointDir == nil { throw ValidationError("--report needs --checkpoint-dir") }
    }

    func run() throws {
        do {
            let options = try RunSettings.options(from: self)
            Interrupt.install()
            let summary = try Pipeline(options: options).run()
            if options.jsonSummary {
                let line = summary.json + "\n"
                if options.outputPath == "-" && !options.dryRun { FileHandle.standardError.write(Data(line.utf8)) }
                else { FileHandle.standardOutput.write(Data(line.utf8)) }
            } else if !options.quiet {
                FileHandle.standardError.write(Data((summary.text + "\n").utf8))
            }
            if options.report, let directory = options.checkpointDirectory {
                let written = try RunReport(checkpointDir: directory).write()
                FileHandle.standardError.write(Data("report: \(written.path) (\(written.bytes / 1024) KiB)\n".utf8))
            }
        } catch {
            throw CLIFailure.report(error)
        }
    }
}
