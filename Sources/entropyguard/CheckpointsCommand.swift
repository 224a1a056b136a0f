import ArgumentParser
import EntropyGuard

struct CheckpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoints", abstract: "List or clean the checkpoints of a checkpoint directory.")
}
