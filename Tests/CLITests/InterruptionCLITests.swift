import EntropyGuard
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
