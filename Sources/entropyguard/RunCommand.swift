import ArgumentParser
import EntropyGuard

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the cleaning pipeline (the default command).")
    @Option(help: "Input JSONL or CSV file, or - for stdin.") var input: String = "-"
    func run() throws {}
}
