@testable import EntropyGuard
import Foundation
import XCTest

/// A store damaged from outside (flipped bytes, a cut copy, another file under its name) is found
/// before its checkpoints are trusted, set aside as `entropyguard.sqlite.damaged-<UTC time>`, and the
/// run starts over: the output is byte-identical to a clean run's. `checkpoints list` on one fails
/// with exit 74; `checkpoints clean` and `--no-auto-resume` work.
final class DamagedStoreCLITests: XCTestCase {
    var dir: URL!
    var input: URL!
    var reference: Data!

    override func setUpWithError() throws {
        dir = try makeTemporaryDirectory()
        input = dir.appendingPathComponent("data.jsonl")
        // Every 5th text carries an e-mail address, which sanitize masks: the output then joins
        // row_content for its texts, as in the report (damage there made the output 9 rows short).
        let lines = makeDataset(rows: 10_000, seed: 10).split(separator: "\n").enumerated().map { index, line in
            index % 5 == 0 ? line.replacingOccurrences(of: "\"text\": \"", with: "\"text\": \"write to u\(index)@example.com ") : String(line)
        }
        try write(lines.joined(separator: "\n") + "\n", to: input)
        let clean = try CLI.run(arguments("ck-ref", output: "ref.jsonl"))
        XCTAssertEqual(clean.status, 0, clean.stderr)
        reference = try Data(contentsOf: dir.appendingPathComponent("ref.jsonl"))
    }

    func arguments(_ checkpoints: String, output: String = "out.jsonl") -> [String] {
        ["--input", input.path, "--output", output == "-" ? "-" : dir.appendingPathComponent(output).path, "--text-column", "text",
         "--checkpoint-dir", dir.appendingPathComponent(checkpoints).path, "--no-semantic-dedup", "--min-length", "20"]
    }

    func storePath(_ checkpoints: String) -> String {
        dir.appendingPathComponent(checkpoints).appendingPathComponent("entropyguard.sqlite").path
    }

    /// Stores set aside in the checkpoint dir (without their -wal and -shm files).
    func setAside(_ checkpoints: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(checkpoints).path)
            .filter { $0.hasPrefix("entropyguard.sqlite.damaged-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }.sorted()
    }

    /// A finished run's store, then the damage.
    func finishedStore(_ checkpoints: String) throws {
        let run = try CLI.run(arguments(checkpoints))
        XCTAssertEqual(run.status, 0, run.stderr)
    }

    /// 8 runs of 16 bytes inverted in leaf pages of `rows` and `row_content`, the tables a resume
    /// trusts, at fixed places. (Spread over the whole file the flips used to land in them; since the
    /// fuzzy stage's signature cache fills the middle of the file, they are aimed: damage in the cache is
    /// met only when the cache is read.)
    func flipBytes(_ path: String, in tables: [String] = ["rows", "row_content"], pageType: String = "leaf") throws {
        let (pageSize, pages): (UInt64, [UInt64]) = try {
            let database = try Database(path: path)
            let size = try XCTUnwrap(database.rows("PRAGMA page_size").first?.first?.int64)
            let pages = try database.rows("""
                SELECT pageno FROM dbstat WHERE name IN (\(tables.map { "'\($0)'" }.joined(separator: ", "))) AND pagetype = '\(pageType)' ORDER BY pageno
                """).compactMap { $0.first?.int64 }
            return (UInt64(size), pages.map { UInt64($0) })
        }()
        XCTAssertGreaterThanOrEqual(pages.count, 8)
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        for run in 0..<8 {
            let page = pages[pages.count / 4 + run * pages.count / 16]
            let offset = (page - 1) * pageSize + 4_321 % pageSize
            try handle.seek(toOffset: offset)
            let bytes = try XCTUnwrap(handle.read(upToCount: 16))
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: Data(bytes.map { ~$0 }))
        }
    }

    func truncate(_ path: String, toPageBoundary: Bool = false) throws {
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64)
        let half = toPageBoundary ? size / 2 / 65_536 * 65_536 : size / 2
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: half)
        try handle.close()
    }

    func quickCheck(_ path: String) throws -> String {
        let database = try Database(path: path)
        return (try? database.rows("PRAGMA quick_check").compactMap { $0.first?.string }.joined(separator: "; ")) ?? "unreadable"
    }

    /// The damage is reported on stderr as one line, and the run's output is the clean run's.
    func assertStartedOver(_ result: CLIResult, output: String = "out.jsonl", file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        let reports = result.stderr.split(separator: "\n").filter { $0.contains("is damaged") }
        XCTAssertEqual(reports.count, 1, result.stderr, file: file, line: line)
        XCTAssertTrue(reports.first?.contains("moved it aside as entropyguard.sqlite.damaged-") == true, result.stderr, file: file, line: line)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent(output)), reference, "output differs from a clean run's", file: file, line: line)
    }

    func testFlippedBytesInTheStoreAreFoundAndTheRunStartsOver() throws {
        try finishedStore("ck")
        try flipBytes(storePath("ck"))
        XCTAssertNotEqual(try quickCheck(storePath("ck")), "ok", "the damage must reach SQLite's b-trees")

        try assertStartedOver(try CLI.run(arguments("ck")))
        XCTAssertEqual(try setAside("ck").count, 1)
        // The new store is whole: the next run resumes from it.
        let again = try CLI.run(arguments("ck", output: "again.jsonl"))
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("Resuming from checkpoint after_semantic_dedup"), again.stderr)
        XCTAssertFalse(again.stderr.contains("damaged"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("again.jsonl")), reference)
        XCTAssertEqual(try quickCheck(storePath("ck")), "ok")
    }

    /// Bytes flipped inside stored MinHash signatures leave SQLite's b-trees whole; the checksum each
    /// signature carries finds them when another --fuzzy-threshold reuses the signatures.
    func testFlippedSignatureBytesAreFoundWhenTheSignaturesAreReused() throws {
        try finishedStore("ck")
        // A batch's signatures are one value of ~4 MB, kept in overflow pages.
        try flipBytes(storePath("ck"), in: ["minhash_batches"], pageType: "overflow")
        let clean = try CLI.run(arguments("ck-07", output: "clean07.jsonl") + ["--fuzzy-threshold", "0.7"])
        XCTAssertEqual(clean.status, 0, clean.stderr)

        let reused = try CLI.run(arguments("ck", output: "out07.jsonl") + ["--fuzzy-threshold", "0.7"])
        XCTAssertEqual(reused.status, 0, reused.stderr)
        XCTAssertTrue(reused.stderr.contains("fails its checksum"), reused.stderr)
        XCTAssertTrue(reused.stderr.contains("moved it aside as entropyguard.sqlite.damaged-"), reused.stderr)
        XCTAssertEqual(try setAside("ck").count, 1)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out07.jsonl")),
                       try Data(contentsOf: dir.appendingPathComponent("clean07.jsonl")))
    }

    func testDamageFoundWhileWritingToStdoutFailsWithExit74AndTheNextRunStartsOver() throws {
        try finishedStore("ck")
        try flipBytes(storePath("ck"))
        let streamed = try CLI.run(arguments("ck", output: "-"))
        XCTAssertEqual(streamed.status, 74, streamed.stderr)
        let lines = streamed.stderr.split(separator: "\n").filter { $0.contains("error") }
        XCTAssertEqual(lines.count, 1, streamed.stderr)
        XCTAssertTrue(lines.first?.contains("the output on stdout is incomplete; run the same command again") == true, streamed.stderr)
        XCTAssertEqual(try setAside("ck").count, 1)

        let again = try CLI.run(arguments("ck", output: "-"))
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stdout, reference)
    }

    func testCountsThatDisagreeWithTheCheckpointsAreDamage() throws {
        try finishedStore("ck")
        // A flipped value SQLite cannot see: an exact duplicate that looks alive again.
        do {
            let database = try Database(path: storePath("ck"))
            try database.execute("""
                UPDATE rows SET dropped_by = NULL, drop_reason = NULL, duplicate_of = NULL, generation = \(StageRegistry.standard.ids.last!.generation)
                WHERE row_id = (SELECT min(row_id) FROM rows WHERE drop_reason = 'exact_duplicate')
                """)
            XCTAssertEqual(database.changes, 1)
        }
        XCTAssertEqual(try quickCheck(storePath("ck")), "ok")

        let result = try CLI.run(arguments("ck"))
        try assertStartedOver(result)
        XCTAssertTrue(result.stderr.contains("the rows dropped by exact_dedup do not match its checkpoint"), result.stderr)
    }

    func testTruncatedStoreIsSetAsideAndTheRunStartsOver() throws {
        try finishedStore("ck")
        try truncate(storePath("ck"))
        try assertStartedOver(try CLI.run(arguments("ck")))
        // Cut at a page boundary: the header's page count gives it away.
        try truncate(storePath("ck"), toPageBoundary: true)
        let result = try CLI.run(arguments("ck"))
        try assertStartedOver(result)
        XCTAssertTrue(result.stderr.contains("its header says"), result.stderr)
        XCTAssertEqual(try setAside("ck").count, 2)
    }

    func testNoAutoResumeWorksOnATruncatedStore() throws {
        try finishedStore("ck")
        try truncate(storePath("ck"))
        try assertStartedOver(try CLI.run(arguments("ck") + ["--no-auto-resume"]))
        XCTAssertEqual(try setAside("ck").count, 1)
    }

    func testAFileThatIsNotADatabaseIsSetAside() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("ck"), withIntermediateDirectories: true)
        try write(String(repeating: "not a database\n", count: 10_000), to: URL(fileURLWithPath: storePath("ck")))
        let result = try CLI.run(arguments("ck"))
        try assertStartedOver(result)
        XCTAssertTrue(result.stderr.contains("not an SQLite database"), result.stderr)
    }

    func testCheckpointsListFailsWithExit74AndCleanWorksOnADamagedStore() throws {
        let ck = dir.appendingPathComponent("ck").path
        try finishedStore("ck")
        try truncate(storePath("ck"))

        let list = try CLI.run(["checkpoints", "list", "--checkpoint-dir", ck])
        XCTAssertEqual(list.status, 74, list.stderr)
        XCTAssertEqual(list.stderr.split(separator: "\n").count, 1, list.stderr)
        XCTAssertTrue(list.stderr.contains("is damaged") && list.stderr.contains("entropyguard checkpoints clean --checkpoint-dir"), list.stderr)
        XCTAssertFalse(list.stderr.contains("PRAGMA") || list.stderr.contains("SELECT"), "no SQL in messages: \(list.stderr)")

        // --keep-latest cannot keep a checkpoint of a damaged store: it sets the store aside.
        let keep = try CLI.run(["checkpoints", "clean", "--checkpoint-dir", ck, "--keep-latest"])
        XCTAssertEqual(keep.status, 0, keep.stderr)
        XCTAssertTrue(keep.stderr.contains("no checkpoint could be kept; moved it aside as entropyguard.sqlite.damaged-"), keep.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: storePath("ck")))
        XCTAssertEqual(try setAside("ck").count, 1)

        // clean removes a damaged store (and the ones set aside) without opening it.
        try finishedStore("ck")
        try truncate(storePath("ck"))
        let clean = try CLI.run(["checkpoints", "clean", "--checkpoint-dir", ck])
        XCTAssertEqual(clean.status, 0, clean.stderr)
        let left = try FileManager.default.contentsOfDirectory(atPath: ck).filter { $0 != "entropyguard.lock" }
        XCTAssertEqual(left, [], "clean leaves nothing but the lock file")
    }
}
