import ArgumentParser
import EntropyGuard
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Clean a dataset: sanitize, validate, remove exact and semantic duplicates (the default command).",
        discussion: """
        Every stage checkpoints in <checkpoint-dir>/entropyguard.sqlite; an interrupted or repeated run
        resumes from the newest checkpoint whose input and settings match.

        Examples:
          entropyguard --input data.jsonl --output cleaned.jsonl --text-column text --checkpoint-dir ./checkpoints
          cat data.jsonl | entropyguard --min-length 20 --no-semantic-dedup > cleaned.jsonl
          entropyguard --input data.csv --output cleaned.csv --audit-log dropped.jsonl --json
          entropyguard --input data.jsonl --output out.jsonl --checkpoint-dir ck --resume-from exact_dedup

        Exit codes: 0 ok, 64 usage, 65 bad input data, 66 input missing, 70 internal error,
        73 output cannot be created, 74 I/O error, 75 checkpoint dir in use, 130 interrupted.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Input JSONL or CSV file; - or omitted: stdin.", valueName: "path"))
    var input: String = "-"

    @Option(name: .long, help: ArgumentHelp("Output file (.jsonl, .csv); - or omitted: stdout.", valueName: "path"))
    var output: String = "-"

    @Option(name: .long, help: ArgumentHelp("The field holding the text. Omitted: the string field with the longest mean length in the first 100 records.", valueName: "name"))
    var textColumn: String?

    @Option(name: .long, help: ArgumentHelp("Directory of the working store and checkpoints (omitted: a temporary one, removed at the end).", valueName: "dir"))
    var checkpointDir: String?

    @Flag(name: .long, help: "Resume from the newest valid checkpoint; say why when there is none.")
    var resume = false

    @Flag(name: .long, help: "Do not use existing checkpoints (unless --resume): reset the store.")
    var noAutoResume = false

    @Option(name: .long, help: ArgumentHelp("Redo from this stage on: ingest, sanitize, chunk, validate, exact_dedup, semantic_dedup.", valueName: "stage"))
    var resumeFrom: String?

    @Option(name: .long, help: "Drop texts shorter than this many characters (code points).")
    var minLength: Int = 50

    @Option(name: .long, help: "Cosine similarity at or above which a text is a semantic duplicate of an earlier kept one.")
    var dedupThreshold: Double = 0.95

    @Option(name: .long, help: ArgumentHelp("Embedding model: a name under the models folder or a path.", valueName: "name|path"))
    var modelName: String = "all-MiniLM-L6-v2"

    @Option(name: .long, help: "Rows per store transaction and progress step.")
    var batchSize: Int = 10_000

    @Flag(name: .long, help: "Skip the semantic dedup stage.")
    var noSemanticDedup = false

    @Option(name: .long, help: ArgumentHelp("Write one entry per dropped row: .json (array) or .jsonl.", valueName: "path"))
    var auditLog: String?

    @Flag(name: .long, help: "Record unreadable lines (reason bad_record) and go on, instead of stopping with exit 65.")
    var skipBadLines = false

    @Flag(name: .long, help: "No progress or informational messages on stderr (errors and warnings still appear).")
    var quiet = false

    @Flag(name: .long, help: "Print the summary as one JSON object (on stdout, or on stderr when the data goes to stdout).")
    var json = false

    @Flag(name: .long, help: "Run every stage but write no output file; print what would be written.")
    var dryRun = false

    func validate() throws {
        if minLength < 0 { throw ValidationError("--min-length must be 0 or more (got \(minLength))") }
        if !(0...1).contains(dedupThreshold) { throw ValidationError("--dedup-threshold must be between 0 and 1 (got \(dedupThreshold))") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        if resume && checkpointDir == nil { throw ValidationError("--resume needs --checkpoint-dir") }
        if let resumeFrom {
            if StageID(name: resumeFrom) == nil {
                throw ValidationError("--resume-from: unknown stage '\(resumeFrom)'; stages: \(StageID.allCases.map(\.name).joined(separator: ", "))")
            }
            if checkpointDir == nil { throw ValidationError("--resume-from needs --checkpoint-dir") }
        }
        if textColumn?.isEmpty == true { throw ValidationError("--text-column must not be empty") }
    }

    func run() throws {
        var options = PipelineOptions()
        options.inputPath = input
        options.outputPath = output
        options.textColumn = textColumn
        options.checkpointDirectory = checkpointDir
        options.resume = resume
        options.autoResume = !noAutoResume
        options.resumeFrom = resumeFrom.flatMap(StageID.init(name:))
        options.minLength = minLength
        options.dedupThreshold = dedupThreshold
        options.modelName = modelName
        options.batchSize = batchSize
        options.semanticDedup = !noSemanticDedup
        options.auditLogPath = auditLog
        options.skipBadLines = skipBadLines
        options.quiet = quiet
        options.jsonSummary = json
        options.dryRun = dryRun
        options.arguments = Array(CommandLine.arguments.dropFirst())

        Interrupt.install()
        do {
            let summary = try Pipeline(options: options).run()
            if json {
                let line = summary.json + "\n"
                if output == "-" && !dryRun { FileHandle.standardError.write(Data(line.utf8)) }
                else { FileHandle.standardOutput.write(Data(line.utf8)) }
            } else if !quiet {
                FileHandle.standardError.write(Data((summary.text + "\n").utf8))
            }
        } catch {
            throw CLIFailure.report(error)
        }
    }
}
