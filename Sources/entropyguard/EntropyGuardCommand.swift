import ArgumentParser
import EntropyGuard

@main
struct EntropyGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entropyguard",
        abstract: "Clean text datasets for LLM training and retrieval: sanitize, validate, chunk, and remove exact and semantic duplicates.",
        version: EntropyGuardVersion.string,
        subcommands: [RunCommand.self, CheckpointsCommand.self, EmbedCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
