import ArgumentParser
import EntropyGuard
import Foundation

struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Make a static embedding model from a sentence-transformer (model2vec's method), for fast semantic dedup.",
        discussion: """
        Every vocabulary token goes through the model's encoder alone; the outputs are reduced by PCA
        to --dims dimensions and weighted by token rank (Zipf/SIF). The result goes into the models
        folder under --name (model.safetensors, the tokenizer files, config.json with kind "static",
        its source and its recommended threshold) and is used with --model-name NAME. A folder that
        already holds the same distillation is left as it is unless --force. Exit codes: 0 ok,
        64 usage, 65 invalid source model, 66 source model missing, 73 cannot write the model.

        Example: entropyguard distill --model-name all-MiniLM-L6-v2 --dims 256 --name all-MiniLM-L6-v2-static
        """
    )

    @Option(name: .long, help: ArgumentHelp("The sentence-transformer to distil: a name under the models folder or a path.", valueName: "name|path"))
    var modelName: String = PipelineOptions.Defaults.modelName
    @Option(name: .long, help: "Dimensions of the static vectors (PCA components).")
    var dims: Int = DistillJob.defaultDimension
    @Option(name: .long, help: ArgumentHelp("The static model's name under the models folder, or a path.", valueName: "name|path"))
    var name: String = DistillJob.defaultName
    @Flag(name: .long, help: "Distil even when the folder already holds this distillation.") var force = false
    @Flag(name: .long, help: "No progress on stderr.") var quiet = false

    func validate() throws {
        if dims < 1 { throw ValidationError("--dims must be at least 1") }
    }

    func run() throws {
        do {
            _ = try DistillJob(sourceModel: modelName, dimension: dims, name: name, force: force,
                               progress: ProgressReporter(quiet: quiet, showProgress: true)).run()
        } catch {
            throw CLIFailure.report(error)
        }
    }
}
