import ArgumentParser
import EntropyGuard
import Foundation

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show what happened to rows of a checkpoint dir's store: each stage's verdict, the sanitize word diff, chunks, why a row was dropped and which rows duplicate it.",
        discussion: """
        Rows are row ids (0-based, input order; chunks are numbered after the input's rows), as in the
        audit log's row_index and --annotate's duplicate_of; --line N takes the record that starts at
        line N of the input. Texts are shown with PII replaced by its kind (<email>, <phone>, ...).

        Examples:
          entropyguard explain --checkpoint-dir ./checkpoints 12 40
          entropyguard explain --checkpoint-dir ./checkpoints --line 13 --json

        Exit codes: 0 ok, 64 unknown row or line, 66 no store in the directory, 74 damaged store.
        """
    )

    @Option(name: .long, help: ArgumentHelp("The checkpoint directory of the run.", valueName: "dir")) var checkpointDir: String
    @Option(name: .long, help: ArgumentHelp("Explain the record that starts at this line of the input (repeatable).", valueName: "n"))
    var line: [Int] = []
    @Flag(name: .long, help: "One JSON object per row on stdout.") var json = false
    @Argument(help: ArgumentHelp("Row ids to explain.", valueName: "row")) var rows: [Int64] = []

    func validate() throws {
        if rows.isEmpty && line.isEmpty { throw ValidationError("name at least one row, or --line N") }
    }

    func run() throws {
        do {
            let explainer = try RowExplainer(checkpointDir: checkpointDir)
            let journeys = try rows.map { try explainer.journey(row: $0) } + line.map { try explainer.journey(line: $0) }
            let text = json ? journeys.map(\.json).joined(separator: "\n") : journeys.map(\.text).joined(separator: "\n\n")
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        } catch {
            throw CLIFailure.report(error)
        }
    }
}
