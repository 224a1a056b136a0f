import ArgumentParser
import EntropyGuard

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Write one normalized sentence embedding per record (.npy or .jsonl).")
}
