@testable import EntropyGuard
import Foundation
import XCTest

/// The semantic dedup stage through the binary, with the real all-MiniLM-L6-v2 model
/// (scripts/fetch-model, run by `make test`).
final class SemanticCLITests: XCTestCase {
    static let fixture = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/paraphrases.jsonl")

    func auditEntries(_ url: URL) throws -> [[String: Any]] {
        try read(url).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func testPlantedParaphrasesOfRealSentencesAreDropped() throws {
        let dir = try makeTemporaryDirectory()
        let rows = try read(Self.fixture).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let result = try CLI.run(["--input", Self.fixture.path, "--output", dir.appendingPathComponent("out.jsonl").path, "--text-column", "text",
                                  "--min-length", "20", "--dedup-threshold", "0.85", "--audit-log", dir.appendingPathComponent("audit.jsonl").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let audit = try auditEntries(dir.appendingPathComponent("audit.jsonl"))
        // Exactly the six paraphrases, each pointing at its original, with the similarity recorded.
        XCTAssertEqual(audit.count, 6, "\(audit)")
        for entry in audit {
            let row = rows[entry["row_index"] as! Int], original = rows[entry["duplicate_of"] as! Int]
            XCTAssertEqual(entry["reason"] as? String, "semantic_duplicate")
            XCTAssertEqual(row["kind"] as? String, "para")
            XCTAssertEqual(original["kind"] as? String, "orig")
            XCTAssertEqual(row["pair"] as? Int, original["pair"] as? Int)
            XCTAssertGreaterThanOrEqual(entry["similarity"] as! Double, 0.85)
        }
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")).split(separator: "\n").count, rows.count - 6)
    }

    func testAnotherThresholdReusesEveryEmbedding() throws {
        let dir = try makeTemporaryDirectory()
        let base = ["--input", Self.fixture.path, "--output", dir.appendingPathComponent("out.jsonl").path, "--text-column", "text",
                    "--min-length", "20", "--checkpoint-dir", dir.appendingPathComponent("ck").path, "--json", "--quiet"]
        let first = try CLI.run(base + ["--dedup-threshold", "0.95"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(Self.semanticNotes(first)["embedded"], 30)
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")).split(separator: "\n").count, 29, "only the 0.976 pair at 0.95")
        let second = try CLI.run(base + ["--dedup-threshold", "0.85"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(Self.semanticNotes(second)["embedded"] ?? 0, 0, "a new threshold embeds nothing")
        XCTAssertEqual(Self.semanticNotes(second)["embeddings_reused"], 30)
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")).split(separator: "\n").count, 24)
    }

    static func semanticNotes(_ result: CLIResult) -> [String: Int] {
        guard let summary = try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
              let stages = summary["stages"] as? [[String: Any]],
              let semantic = stages.first(where: { $0["name"] as? String == "semantic_dedup" }) else { return [:] }
        return semantic["notes"] as? [String: Int] ?? [:]
    }

    func testSIGKILLDuringEmbeddingResumesWithOnlyTheMissingRows() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        try write(makeDataset(rows: 2000, seed: 5), to: input)
        func args(_ store: String, _ output: String) -> [String] {
            ["--input", input.path, "--output", dir.appendingPathComponent(output).path, "--text-column", "text", "--min-length", "20",
             "--checkpoint-dir", dir.appendingPathComponent(store).path, "--json", "--quiet"]
        }
        let reference = try CLI.run(args("ck-ref", "ref.jsonl"))
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let totalEmbedded = try XCTUnwrap(Self.semanticNotes(reference)["embedded"])

        let (process, out, err) = try CLI.start(args("ck", "out.jsonl"))
        let storePath = dir.appendingPathComponent("ck/entropyguard.sqlite").path
        var killedAt: Int?
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline && process.isRunning {
            if let db = try? Database(path: storePath), let n = try? db.scalar("SELECT count(*) FROM embeddings")?.int, n >= 512 {
                kill(process.processIdentifier, SIGKILL)
                killedAt = n
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        _ = out.fileHandleForReading.readDataToEndOfFile(); _ = err.fileHandleForReading.readDataToEndOfFile()
        XCTAssertNotNil(killedAt, "the run ended before any embedding batch was committed")
        let stored = try Database(path: storePath).scalar("SELECT count(*) FROM embeddings")?.int ?? 0
        XCTAssertLessThan(stored, totalEmbedded, "killed before embedding finished")

        let resumed = try CLI.run(args("ck", "out.jsonl"))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(Self.semanticNotes(resumed)["embedded"], totalEmbedded - stored, "only what was missing is embedded")
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.jsonl")), try Data(contentsOf: dir.appendingPathComponent("ref.jsonl")))
    }
}
