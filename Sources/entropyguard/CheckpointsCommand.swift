import ArgumentParser
import EntropyGuard
import Foundation

struct CheckpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoints",
        abstract: "List or clean the checkpoints of a checkpoint directory.",
        subcommands: [List.self, Clean.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each checkpoint: stage, generation, rows, input and config hash, time, valid (a run resumes from the newest valid one) or why not.",
            discussion: "Example: entropyguard checkpoints list --checkpoint-dir ./checkpoints")

        @Option(name: .long, help: ArgumentHelp("The checkpoint directory.", valueName: "dir")) var checkpointDir: String
        @Option(name: .long, help: ArgumentHelp("Also check that the checkpoints were made from this input.", valueName: "path")) var input: String?
        @Flag(name: .long, help: "One JSON object per checkpoint on stdout.") var json = false

        func run() throws {
            do {
                guard WorkingStore.exists(in: checkpointDir) else {
                    throw EntropyGuardError(.noInput, "\(checkpointDir): no EntropyGuard store here (entropyguard.sqlite is missing)")
                }
                let statuses: [CheckpointManager.Status]
                do {
                    let manager = try CheckpointManager(checkpointDir: checkpointDir)
                    try StoreConsistency.check(manager.store)
                    let inputHash = try input.map { try InputSource.hashOnly(path: $0).hex }
                    statuses = try manager.list(inputHash: inputHash)
                } catch {
                    guard let damage = StoreDamage(error) else { throw error }
                    let path = WorkingStore.path(in: checkpointDir)
                    throw EntropyGuardError(.ioError, "\(path) is damaged (\(damage.reason)): no checkpoint in it can be trusted; `entropyguard checkpoints clean --checkpoint-dir \(checkpointDir)` removes it, and the next run moves it aside and starts from scratch")
                }
                if statuses.isEmpty && !json { print("No checkpoints in \(checkpointDir).") }
                for status in statuses {
                    let c = status.checkpoint
                    if json {
                        let object: [String: Any] = ["stage": c.stage.name, "generation": c.generation, "row_count": c.rowCount,
                                                     "input_hash": c.inputHash, "config_hash": c.configHash, "created_at": c.createdAt,
                                                     "snapshot": c.snapshotPath ?? NSNull(), "valid": status.isValid,
                                                     "problem": status.problem ?? NSNull(),
                                                     "snapshot_problem": status.snapshotProblem ?? NSNull()]
                        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                        print(String(decoding: data, as: UTF8.self))
                    } else {
                        var validity = status.problem.map { "invalid: \($0)" } ?? "valid"
                        if let snapshot = status.snapshotProblem { validity += "; \(snapshot) (the next run exports it again)" }
                        print("\(c.checkpointName.padding(toLength: 21, withPad: " ", startingAt: 0)) gen \(c.generation)  \(String(c.rowCount).padding(toLength: 9, withPad: " ", startingAt: 0)) rows  input \(c.inputHash.prefix(16))  config \(c.configHash.prefix(16))  \(c.createdAt)  \(validity)")
                    }
                }
            } catch {
                throw CLIFailure.report(error)
            }
        }
    }

    struct Clean: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the store (damaged ones too) and snapshots of a checkpoint directory, or with --keep-latest all but the newest checkpoint.",
            discussion: "Example: entropyguard checkpoints clean --checkpoint-dir ./checkpoints --keep-latest")

        @Option(name: .long, help: ArgumentHelp("The checkpoint directory.", valueName: "dir")) var checkpointDir: String
        @Flag(name: .long, help: "Keep the newest checkpoint, so the next run still resumes from it.") var keepLatest = false

        func run() throws {
            do {
                // Without --keep-latest, stores set aside as damaged are something to clean too.
                guard WorkingStore.exists(in: checkpointDir) || (!keepLatest && !WorkingStore.setAsideFiles(in: checkpointDir).isEmpty) else {
                    FileHandle.standardError.write(Data("Nothing to clean in \(checkpointDir).\n".utf8))
                    return
                }
                let lock = try StoreLock(directory: checkpointDir)
                try withExtendedLifetime(lock) {
                    guard keepLatest else {
                        // By file name, without opening the store: works on a damaged one too.
                        CheckpointManager.removeFiles(checkpointDir: checkpointDir)
                        FileHandle.standardError.write(Data("Cleaned \(checkpointDir).\n".utf8))
                        return
                    }
                    do {
                        try CheckpointManager(checkpointDir: checkpointDir).cleanupCheckpoints(keepLatest: true)
                        FileHandle.standardError.write(Data("Cleaned \(checkpointDir) (kept the newest checkpoint).\n".utf8))
                    } catch {
                        // The store (closed by now) cannot vouch for its newest checkpoint: set it aside.
                        guard let damage = StoreDamage(error) else { throw error }
                        let path = WorkingStore.path(in: checkpointDir)
                        let aside = try WorkingStore.moveAside(directory: checkpointDir)
                        FileHandle.standardError.write(Data("warning: \(path) is damaged (\(damage.reason)): no checkpoint could be kept; moved it aside as \(aside)\n".utf8))
                    }
                }
            } catch {
                throw CLIFailure.report(error)
            }
        }
    }
}

extension Checkpoint {
    var checkpointName: String { stage.checkpointName }
}
