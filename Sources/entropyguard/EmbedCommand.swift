import ArgumentParser
import EntropyGuard
import Foundation

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write one L2-normalized sentence embedding per record, in input order (.npy or .jsonl).",
        discussion: """
        .npy: float32 [n, dim] (NumPy format 1.0). .jsonl: {"row": i, "embedding": [...]} per line.
        A record whose text is missing, null or not a string gets a zero vector in .npy and
        "embedding": null in .jsonl, so rows stay aligned with the input.

        Example: entropyguard embed --input data.jsonl --text-column text --output vectors.npy
        """
    )

    @Option(name: .long, help: ArgumentHelp("Input JSONL or CSV file; - for stdin.", valueName: "path")) var input: String = "-"
    @Option(name: .long, help: ArgumentHelp("The field holding the text (default: detected).", valueName: "name")) var textColumn: String?
    @Option(name: .long, help: ArgumentHelp("Output .npy or .jsonl file.", valueName: "path")) var output: String
    @Option(name: .long, help: ArgumentHelp("Embedding model: a name under the models folder or a path.", valueName: "name|path"))
    var modelName: String = PipelineOptions.Defaults.modelName
    @Option(name: .long, help: "Texts per forward pass.") var batchSize: Int = EmbedJob.defaultBatchSize
    @Flag(name: .long, help: "No progress on stderr.") var quiet = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        let lower = output.lowercased()
        if !lower.hasSuffix(".npy") && !lower.hasSuffix(".jsonl") { throw ValidationError("--output must end in .npy or .jsonl") }
    }

    func run() throws {
        do {
            Interrupt.install()
            let count = try EmbedJob(inputPath: input, textColumn: textColumn, outputPath: output, modelName: modelName,
                                     batchSize: batchSize, progress: ProgressReporter(quiet: quiet, showProgress: true)).run()
            if !quiet { FileHandle.standardError.write(Data("embedded \(count) records into \(output)\n".utf8)) }
        } catch {
            throw CLIFailure.report(error)
        }
    }
}
