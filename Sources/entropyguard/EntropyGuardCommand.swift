import ArgumentParser
import EntropyGuard
import MiniLM

@main
struct EntropyGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entropyguard",
        abstract: "Clean text datasets for LLM training and retrieval: sanitize, validate, chunk, and remove exact and semantic duplicates.",
        discussion: """
        The main job is the default subcommand, so its options go straight after `entropyguard`.
        `entropyguard help run` lists them all.

        Examples:
          entropyguard --input data.jsonl --output cleaned.jsonl --text-column text --checkpoint-dir ./checkpoints
          cat data.jsonl | entropyguard --min-length 20 --no-semantic-dedup > cleaned.jsonl
          entropyguard --input data.csv --output cleaned.parquet --audit-log dropped.jsonl --json
          entropyguard checkpoints list --checkpoint-dir ./checkpoints
          entropyguard embed --input data.jsonl --text-column text --output vectors.npy
          entropyguard explain --checkpoint-dir ./checkpoints 12 --line 40
          entropyguard report --checkpoint-dir ./checkpoints --output report.html
          entropyguard distill --model-name all-MiniLM-L6-v2 --dims 256 --name all-MiniLM-L6-v2-static
        """,
        version: EntropyGuardVersion.string,
        subcommands: [RunCommand.self, CheckpointsCommand.self, EmbedCommand.self, ExplainCommand.self, ReportCommand.self, DistillCommand.self],
        defaultSubcommand: RunCommand.self
    )

    /// OpenBLAS's idle worker threads stop before anything else runs (`OpenBLASRuntime.stopIdleThreads`
    /// says why and what they cost).
    static func main() {
        OpenBLASRuntime.stopIdleThreads()
        main(nil)
    }
}
