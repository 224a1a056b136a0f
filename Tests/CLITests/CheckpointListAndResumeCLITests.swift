@testable import EntropyGuard
import Foundation
import XCTest

/// `checkpoints list` and a run agree: the run resumes from the newest checkpoint the list calls valid,
/// whatever happened to the directory in between.
final class CheckpointListAndResumeCLITests: XCTestCase {
    var dir: URL!
    var ck: URL { dir.appendingPathComponent("ck") }

    override func setUpWithError() throws {
        dir = try makeTemporaryDirectory()
        try write(makeDataset(rows: 200, seed: 5), to: dir.appendingPathComponent("in.jsonl"))
    }

    func runPipeline(_ output: String = "out.jsonl") throws -> CLIResult {
        let result = try CLI.run(["--input", dir.appendingPathComponent("in.jsonl").path, "--output", dir.appendingPathComponent(output).path,
                                  "--text-column", "text", "--checkpoint-dir", ck.path, "--no-semantic-dedup", "--min-length", "20",
                                  "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result
    }

    /// The list's JSON objects, oldest first.
    func list() throws -> [[String: Any]] {
        let result = try CLI.run(["checkpoints", "list", "--checkpoint-dir", ck.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try result.stdoutText.split(separator: "\n").map { try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// The checkpoint a run resumed from, by its message.
    func resumedFrom(_ result: CLIResult) -> String? {
        guard let range = result.stderr.range(of: "Resuming from checkpoint ") else { return nil }
        return String(result.stderr[range.upperBound...].prefix { $0 != " " })
    }

    func stages(_ result: CLIResult) throws -> [[String: Any]] {
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        return try XCTUnwrap(summary["stages"] as? [[String: Any]])
    }

    func testTruncatedSnapshotLeavesEveryCheckpointValidAndIsExportedAgain() throws {
        _ = try runPipeline()
        let validate = ck.appendingPathComponent("after_validate.parquet")
        let original = try Data(contentsOf: validate)
        try original.prefix(original.count / 2).write(to: validate)

        let listed = try list()
        XCTAssertEqual(listed.map { $0["valid"] as? Bool }, Array(repeating: true, count: StageRegistry.standard.ids.count), "\(listed)")
        XCTAssertEqual(listed.map { $0["snapshot_problem"] is NSNull }, [true, true, true, false, true, true, true])
        XCTAssertEqual(listed[3]["snapshot_problem"] as? String,
                       "snapshot after_validate.parquet does not match its recorded XXH3 (truncated or changed)")
        let text = try CLI.run(["checkpoints", "list", "--checkpoint-dir", ck.path]).stdoutText.split(separator: "\n")
        XCTAssertTrue(text[3].hasSuffix("valid; snapshot after_validate.parquet does not match its recorded XXH3 (truncated or changed) (the next run exports it again)"),
                      String(text[3]))

        let resumed = try runPipeline()
        XCTAssertEqual(resumedFrom(resumed), "after_semantic_dedup")
        XCTAssertEqual(try stages(resumed).dropLast().map { $0["status"] as? String }, Array(repeating: "resumed", count: StageRegistry.standard.ids.count))
        XCTAssertTrue(resumed.stderr.contains("warning: snapshot after_validate.parquet does not match"), resumed.stderr)
        XCTAssertEqual(try Data(contentsOf: validate), original)
        XCTAssertTrue(try list().allSatisfy { $0["valid"] as? Bool == true && $0["snapshot_problem"] is NSNull })
    }

    func testAfterKeepLatestTheKeptCheckpointIsValidAndResumedWithoutRedoingEarlierStages() throws {
        let first = try runPipeline()
        let reference = try Data(contentsOf: dir.appendingPathComponent("out.jsonl"))
        XCTAssertEqual(try CLI.run(["checkpoints", "clean", "--checkpoint-dir", ck.path, "--keep-latest"]).status, 0)
        let listed = try list()
        XCTAssertEqual(listed.map { $0["stage"] as? String }, ["semantic_dedup"])
        XCTAssertEqual(listed.first?["valid"] as? Bool, true, "\(listed)")

        let resumed = try runPipeline("again.jsonl")
        XCTAssertEqual(resumedFrom(resumed), "after_semantic_dedup")
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("again.jsonl")), reference)
        // Every stage resumed, with the first run's counts (from the store where the checkpoint is gone).
        let counts: ([[String: Any]]) -> [String] = {
            $0.dropLast().map { stage in
                let dropped = (stage["dropped"] as? [String: Int] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                return "\(stage["name"]!) \(stage["rows_in"]!) \(stage["rows_out"]!) \(dropped)"
            }
        }
        XCTAssertEqual(try stages(resumed).dropLast().map { $0["status"] as? String }, Array(repeating: "resumed", count: StageRegistry.standard.ids.count))
        XCTAssertEqual(counts(try stages(resumed)), counts(try stages(first)))
        // Nothing was redone, so no checkpoint came back.
        XCTAssertEqual(try list().map { $0["stage"] as? String }, ["semantic_dedup"])
    }

    func testACheckpointWhoseRowCountTheStoreDoesNotHaveMakesBothCallTheStoreDamaged() throws {
        _ = try runPipeline()
        let reference = try Data(contentsOf: dir.appendingPathComponent("out.jsonl"))
        do {
            let store = try Database(path: ck.appendingPathComponent("entropyguard.sqlite").path)
            try store.run("UPDATE checkpoints SET row_count = row_count + 1 WHERE stage = 'validate'")
        }
        let listed = try CLI.run(["checkpoints", "list", "--checkpoint-dir", ck.path])
        XCTAssertEqual(listed.status, 74, listed.stderr)
        XCTAssertTrue(listed.stderr.contains("is damaged (the store after validate has"), listed.stderr)

        let again = try CLI.run(["--input", dir.appendingPathComponent("in.jsonl").path, "--output", dir.appendingPathComponent("again.jsonl").path,
                                 "--text-column", "text", "--checkpoint-dir", ck.path, "--no-semantic-dedup", "--min-length", "20"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertNil(resumedFrom(again), again.stderr)
        XCTAssertTrue(again.stderr.contains("moved it aside"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("again.jsonl")), reference)
        XCTAssertTrue(try list().allSatisfy { $0["valid"] as? Bool == true })
    }
}
