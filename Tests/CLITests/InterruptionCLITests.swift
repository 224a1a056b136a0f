@testable import EntropyGuard
import Foundation
import XCTest

/// SIGKILL or SIGINT at any point, then the same command again: the output is byte-identical to an
/// uninterrupted run, and the store is consistent.
final class InterruptionCLITests: XCTestCase {
    var dir: URL!
    var input: URL!

    override func setUpWithError() throws {
        dir = try makeTemporaryDirectory()
        input = dir.appendingPathComponent("data.jsonl")
        try write(makeDataset(rows: 60_000, seed: 99), to: input)
    }

    func arguments(checkpoints: String, output: String) -> [String] {
        ["--input", input.path, "--output", dir.appendingPathComponent(output).path, "--text-column", "text",
         "--checkpoint-dir", dir.appendingPathComponent(checkpoints).path, "--no-semantic-dedup", "--min-length", "20",
         "--batch-size", "500"]
    }

    func referenceOutput() throws -> Data {
        let result = try CLI.run(arguments(checkpoints: "ck-ref", output: "ref.jsonl"))
        XCTAssertEqual(result.status, 0, result.stderr)
        return try Data(contentsOf: dir.appendingPathComponent("ref.jsonl"))
    }

    /// Polls the store of a running process until `condition` holds (or the process ends).
    func waitFor(_ process: Process, store: String, timeout: TimeInterval = 60, _ condition: (Database) throws -> Bool) throws -> Bool {
        let path = dir.appendingPathComponent(store).appendingPathComponent("entropyguard.sqlite").path
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            if FileManager.default.fileExists(atPath: path), let db = try? Database(path: path),
               (try? condition(db)) == true {
                return true
            }
            usleep(2_000)
        }
        return false
    }

    func killThenResume(store: String, signal: Int32 = SIGKILL, expectStatus: Int32? = nil,
                        _ condition: @escaping (Database) throws -> Bool) throws {
        let reference = try referenceOutput()
        let args = arguments(checkpoints: store, output: "out.jsonl")
        let (process, out, err) = try CLI.start(args)
        let reached = try waitFor(process, store: store, condition)
        XCTAssertTrue(reached, "the run ended before the kill point")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        _ = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if let expectStatus { XCTAssertEqual(process.terminationStatus, expectStatus, stderr) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path), "no output before the run finished")

        let resumed = try CLI.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.jsonl")), reference)
        // The killed run's temporary output (if it got that far) was removed by the second run.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func testSIGKILLDuringIngest() throws {
        try killThenResume(store: "ck-ingest") { db in
            (try db.scalar("SELECT value FROM meta WHERE key = 'ingest.next_row'")?.string).flatMap { Int($0) }.map { $0 >= 10_000 } ?? false
        }
        let resumedStore = try Database(path: dir.appendingPathComponent("ck-ingest/entropyguard.sqlite").path)
        XCTAssertEqual(try resumedStore.scalar("SELECT count(*) FROM rows")?.int, 60_000, "every row ingested exactly once")
    }

    func testSIGKILLBetweenStages() throws {
        try killThenResume(store: "ck-between") { db in
            (try db.scalar("SELECT count(*) FROM checkpoints")?.int ?? 0) >= 1
        }
    }

    func testSIGKILLDuringOutput() throws {
        try killThenResume(store: "ck-output") { [dir] _ in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir!.path)) ?? []
            return names.contains { $0.hasPrefix(".out.jsonl.tmp-") }
        }
    }

    func testSIGINTCommitsAndExits130ThenResumes() throws {
        try killThenResume(store: "ck-int", signal: SIGINT, expectStatus: 130) { db in
            (try db.scalar("SELECT value FROM meta WHERE key = 'ingest.next_row'")?.string).flatMap { Int($0) }.map { $0 >= 5_000 } ?? false
        }
    }

    // MARK: sanitize and chunk: at most one batch lost

    /// The summary's notes of one stage (--json on stdout).
    func notes(_ result: CLIResult, stage: String) -> [String: Int] {
        guard let summary = try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
              let stages = summary["stages"] as? [[String: Any]],
              let entry = stages.first(where: { $0["name"] as? String == stage }) else { return [:] }
        return entry["notes"] as? [String: Int] ?? [:]
    }

    func storeDatabase(_ store: String) throws -> Database {
        try Database(path: dir.appendingPathComponent(store).appendingPathComponent("entropyguard.sqlite").path)
    }

    /// Everything a stage leaves in the store (rows with their texts, keys, drops and chunk numbering;
    /// the checkpoints' counts and hashes), to compare a resumed store with an uninterrupted one.
    func storeContent(_ store: String) throws -> [[SQLValue]] {
        let db = try storeDatabase(store)
        return try db.rows("""
            SELECT row_id, line, generation, text_state, rows.text_length, rows.dedup_key, dropped_by, drop_reason, drop_details,
                   duplicate_of, parent_row, chunk_index, born, c.text_original, c.text, t.text, t.dedup_key, t.text_length
            FROM rows JOIN row_content c USING (row_id) LEFT JOIN sanitized_text t USING (row_id) ORDER BY row_id
            """) + db.rows("SELECT generation, stage, input_hash, config_hash, row_count, dropped FROM checkpoints ORDER BY generation")
            // The views people read (sanitize's keys and lengths reach rows at its checkpoint).
            + StageRegistry.standard.ids.flatMap { try db.rows("SELECT * FROM \($0.checkpointName) ORDER BY row_id") }
    }

    /// Starts a run and SIGKILLs it once `stage` committed batches up to at least row `atRow`; checks
    /// the stage was caught midway (progress committed, no checkpoint yet) and returns the killed store.
    func killDuring(_ stage: String, args: [String], store: String, atRow: Int) throws -> Database {
        let (process, out, err) = try CLI.start(args)
        let reached = try waitFor(process, store: store) { db in
            (try db.scalar("SELECT value FROM meta WHERE key = ?", [.text("\(stage).next_row")])?.string).flatMap { Int($0) }.map { $0 >= atRow } ?? false
        }
        let stderr = CLI.kill(process, out: out, err: err)
        XCTAssertTrue(reached, "\(stage) committed no batch up to row \(atRow) before the run ended: \(stderr)")
        let db = try storeDatabase(store)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM checkpoints WHERE stage = ?", [.text(stage)])?.int, 0, "killed before \(stage) finished")
        return db
    }

    func testSIGKILLDuringSanitizeResumesAfterTheCommittedBatches() throws {
        // 60 batches: seconds of sanitize in a debug build.
        try write(makeDataset(rows: 30_000, seed: 99), to: input)
        let reference = try CLI.run(arguments(checkpoints: "ck-ref", output: "ref.jsonl") + ["--json"])
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let args = arguments(checkpoints: "ck-sanitize", output: "out.jsonl") + ["--json"]
        let killed = try killDuring("sanitize", args: args, store: "ck-sanitize", atRow: 5_000)
        let nextRow = try XCTUnwrap(killed.scalar("SELECT value FROM meta WHERE key = 'sanitize.next_row'")?.string.flatMap { Int($0) })
        let done = try XCTUnwrap(killed.scalar("SELECT count(*) FROM rows WHERE text_state = 'ok' AND row_id < ?", [.integer(Int64(nextRow))])?.int)
        let changed = try XCTUnwrap(killed.scalar("SELECT count(*) FROM sanitized_text")?.int)
        XCTAssertGreaterThan(changed, 0, "the committed batches changed texts")
        XCTAssertEqual(try killed.scalar("SELECT count(*) FROM sanitized_text WHERE row_id >= ?", [.integer(Int64(nextRow))])?.int, 0,
                       "only whole batches below the marker were committed")
        // The views as the store stands: ingest committed, sanitize not. Every row is after_ingest with
        // the values ingest gave it (sanitize's keys and lengths wait in sanitized_text for its
        // checkpoint), none is after_sanitize yet, and the sanitized texts show as the current ones.
        let ingested = try XCTUnwrap(killed.scalar("SELECT row_count FROM checkpoints WHERE stage = 'ingest'")?.int)
        XCTAssertEqual(try killed.scalar("SELECT count(*) FROM after_ingest")?.int, ingested)
        XCTAssertEqual(try killed.scalar("SELECT count(*) FROM after_sanitize")?.int, 0)
        let normalizer = TextNormalizer()
        for row in try killed.rows("""
            SELECT c.text_original, r.dedup_key, r.text_length, t.text, t.dedup_key, t.text_length
            FROM sanitized_text t JOIN rows r USING (row_id) JOIN row_content c USING (row_id)
            """) {
            let original = row[0].string ?? "", sanitized = row[3].string ?? ""
            XCTAssertEqual([row[1], row[2]], [.integer(normalizer.key(original)), .integer(Int64(TextNormalizer.trimmedLength(original)))])
            XCTAssertEqual([row[4], row[5]], [.integer(normalizer.key(sanitized)), .integer(Int64(TextNormalizer.trimmedLength(sanitized)))])
        }
        XCTAssertEqual(try killed.scalar("SELECT count(*) FROM after_ingest a JOIN sanitized_text t USING (row_id) WHERE a.text = t.text")?.int, changed)

        let resumed = try CLI.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("Resuming sanitize at row \(nextRow) (\(done) of "), resumed.stderr)
        XCTAssertEqual(notes(resumed, stage: "sanitize")["rows_resumed"], done, "the committed batches are not redone")
        XCTAssertEqual(notes(resumed, stage: "sanitize")["texts_changed"], try XCTUnwrap(notes(reference, stage: "sanitize")["texts_changed"]) - changed,
                       "only the rows after the marker are sanitized again")
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.jsonl")), try Data(contentsOf: dir.appendingPathComponent("ref.jsonl")))
        XCTAssertEqual(try storeContent("ck-sanitize"), try storeContent("ck-ref"))
    }

    func testSIGKILLDuringChunkResumesAfterTheCommittedBatches() throws {
        try killDuringChunk(extra: [])
    }

    /// Sanitize off: its (pass-through) stage is the one in progress while chunk runs, and is committed
    /// with chunk's checkpoint; chunk's committed batches must survive the resume all the same.
    func testSIGKILLDuringChunkAfterASwitchedOffSanitizeResumesAfterTheCommittedBatches() throws {
        try killDuringChunk(extra: ["--no-sanitize"])
    }

    func killDuringChunk(extra: [String]) throws {
        // Most texts become two chunks: 10,000 rows keep chunk busy for seconds in a debug build.
        try write(makeDataset(rows: 10_000, seed: 99), to: input)
        let chunking = ["--chunk-size", "60", "--chunk-overlap", "10", "--json"] + extra
        let reference = try CLI.run(arguments(checkpoints: "ck-ref", output: "ref.jsonl") + chunking)
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let args = arguments(checkpoints: "ck-chunk", output: "out.jsonl") + chunking
        let killed = try killDuring("chunk", args: args, store: "ck-chunk", atRow: 2_000)
        let nextRow = try XCTUnwrap(killed.scalar("SELECT value FROM meta WHERE key = 'chunk.next_row'")?.string.flatMap { Int($0) })
        let done = try XCTUnwrap(killed.scalar("SELECT count(*) FROM rows WHERE text_state = 'ok' AND born = 1 AND row_id < ?", [.integer(Int64(nextRow))])?.int)
        let split = try XCTUnwrap(killed.scalar("SELECT count(*) FROM rows WHERE dropped_by = 3")?.int)
        let chunks = try XCTUnwrap(killed.scalar("SELECT count(*) FROM rows WHERE born = 3")?.int)
        XCTAssertGreaterThan(split, 0, "the committed batches split rows")
        XCTAssertEqual(try killed.scalar("SELECT count(*) FROM rows WHERE born = 3 AND parent_row >= ?", [.integer(Int64(nextRow))])?.int, 0,
                       "only whole batches below the marker were committed")

        let resumed = try CLI.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("Resuming chunk at row \(nextRow) (\(done) of "), resumed.stderr)
        let referenceNotes = notes(reference, stage: "chunk"), resumedNotes = notes(resumed, stage: "chunk")
        XCTAssertEqual(resumedNotes["rows_resumed"], done, "the committed batches are not redone")
        XCTAssertEqual(resumedNotes["rows_split"], try XCTUnwrap(referenceNotes["rows_split"]) - split, "only rows after the marker are split")
        XCTAssertEqual(resumedNotes["chunks_created"], try XCTUnwrap(referenceNotes["chunks_created"]) - chunks)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.jsonl")), try Data(contentsOf: dir.appendingPathComponent("ref.jsonl")))
        XCTAssertEqual(try storeContent("ck-chunk"), try storeContent("ck-ref"), "chunk rows numbered as in one uninterrupted run")
    }

    /// Batches sanitized with other settings are never reused: here the first run masked e-mail
    /// addresses and the second masks none.
    func testChangedSanitizeSettingAfterAPartialSanitizeRedoesTheStage() throws {
        let lines = (0..<30_000).map { "{\"text\": \"row \($0): write to user\($0)@example.com about alpha bravo charlie\"}" }
        try write(lines.joined(separator: "\n") + "\n", to: input)
        let killed = try killDuring("sanitize", args: arguments(checkpoints: "ck-changed", output: "out.jsonl"), store: "ck-changed", atRow: 5_000)
        XCTAssertGreaterThan(try killed.scalar("SELECT count(*) FROM sanitized_text WHERE text LIKE '%[EMAIL_REMOVED]%'")?.int ?? 0, 0)

        let reference = try CLI.run(arguments(checkpoints: "ck-ref", output: "ref.jsonl") + ["--no-pii", "--json"])
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let changed = try CLI.run(arguments(checkpoints: "ck-changed", output: "out.jsonl") + ["--no-pii", "--json"])
        XCTAssertEqual(changed.status, 0, changed.stderr)
        XCTAssertFalse(changed.stderr.contains("Resuming sanitize"), changed.stderr)
        XCTAssertEqual(notes(changed, stage: "sanitize")["rows_resumed"], 0)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.jsonl")), try Data(contentsOf: dir.appendingPathComponent("ref.jsonl")))
        XCTAssertEqual(try storeContent("ck-changed"), try storeContent("ck-ref"))
    }

    func testSecondRunOnALockedDirectoryFailsWithExit75() throws {
        let store = dir.appendingPathComponent("ck-locked").path
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        let lock = try StoreLock(directory: store)
        let result = try CLI.run(arguments(checkpoints: "ck-locked", output: "out.jsonl"))
        withExtendedLifetime(lock) {}
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stderr.contains("in use by another entropyguard run"), result.stderr)
    }
}
