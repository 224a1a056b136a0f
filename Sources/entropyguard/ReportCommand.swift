import ArgumentParser
import EntropyGuard
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page about a checkpoint dir's run: what each stage removed and why, how to choose the dedup thresholds, duplicate groups, sanitize and length figures, checkpoints.",
        discussion: """
        The page has no script and no external reference (inline CSS and SVG), so it opens offline and can
        be attached to a ticket; it stays small whatever the input size. Its path is printed on stdout.
        `entropyguard --report ...` writes it at the end of a run.

        Examples:
          entropyguard report --checkpoint-dir ./checkpoints
          entropyguard report --checkpoint-dir ./checkpoints --output /tmp/run.html

        Exit codes: 0 ok, 66 no store in the directory, 73 the page cannot be written, 74 damaged store.
        """
    )

    @Option(name: .long, help: ArgumentHelp("The checkpoint directory of the run.", valueName: "dir")) var checkpointDir: String
    @Option(name: .long, help: ArgumentHelp("Where to write the page (default: report.html in the checkpoint directory).", valueName: "path"))
    var output: String?

    func run() throws {
        do {
            let written = try RunReport(checkpointDir: checkpointDir).write(to: output)
            FileHandle.standardOutput.write(Data((written.path + "\n").utf8))
        } catch {
            throw CLIFailure.report(error)
        }
    }
}
