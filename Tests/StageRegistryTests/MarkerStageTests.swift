import EntropyGuard
import Foundation
import XCTest

/// The proof that one place suffices to add a stage: `MarkerStage` joins the pipeline by one registry
/// line, and its view, audit entries, checkpoint, snapshot, resume and --resume-from all work, while
/// the stages after it are renumbered. The store is inspected as a user would: the sqlite3 shell,
/// pyarrow, the audit log and checkpoint_metadata.json.
final class MarkerStageTests: XCTestCase {
    /// The one registry line.
    static func registry(marker: String = "XYZZY") throws -> StageRegistry {
        try StageRegistry.standard.inserting(MarkerStage.definition(marker: marker), before: "exact_dedup")
    }

    static let lines = [
        #"{"id": 0, "text": "a perfectly ordinary sentence that is long enough to keep"}"#,
        #"{"id": 1, "text": "this one carries the XYZZY marker and must be dropped by the toy stage"}"#,
        #"{"id": 2, "text": "a perfectly ordinary sentence that is long enough to keep"}"#,
        #"{"id": 3, "text": "short"}"#,
        #"{"id": 4, "text": "another XYZZY text, long enough to pass validation easily here"}"#,
        #"{"id": 5, "text": "a different sentence that survives every stage of the pipeline"}"#,
        #"{"id": 6, "text": "xyzzy in lower case is not the marker, so this long text stays"}"#,
        #"{"id": 7, "text": "this one carries the XYZZY marker and must be dropped by the toy stage"}"#,
    ]

    var directory = URL(fileURLWithPath: "/")
    var input: String { directory.appendingPathComponent("in.jsonl").path }
    var checkpoints: String { directory.appendingPathComponent("ck").path }
    var output: String { directory.appendingPathComponent("out.jsonl").path }
    var audit: String { directory.appendingPathComponent("audit.jsonl").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eg-marker-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let directory = self.directory
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        try Data((Self.lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
    }

    func run(_ stages: StageRegistry, resumeFrom: String? = nil) throws -> RunSummary {
        var options = PipelineOptions()
        options.inputPath = input
        options.outputPath = output
        options.auditLogPath = audit
        options.checkpointDirectory = checkpoints
        options.semanticDedup = false
        options.quiet = true
        options.showProgress = false
        options.resumeFrom = resumeFrom.map { stages[$0]! }
        return try Pipeline(options: options, stages: stages).run()
    }

    func outputIDs() throws -> [Int] {
        try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["id"] as! Int
        }
    }

    func testAStageAddedThroughTheRegistryHasItsViewAuditCheckpointAndSnapshot() throws {
        let stages = try Self.registry()
        XCTAssertEqual(stages.names, ["ingest", "sanitize", "chunk", "validate", "drop_marked", "exact_dedup", "fuzzy_dedup", "semantic_dedup"])
        let summary = try run(stages)
        XCTAssertEqual(summary.stages.map(\.name), stages.names + ["output"])
        let marked = summary.stages[4]
        XCTAssertEqual(marked.status, "ran")
        XCTAssertEqual(marked.dropped, ["contains_marker": 3])
        XCTAssertEqual(marked.notes, ["marked": 3])
        XCTAssertEqual(try outputIDs(), [0, 5, 6])

        // The store: its stage list, the toy's view, the audit view, all renumbered after it.
        XCTAssertEqual(try sqlite("select generation || ' ' || name from stages order by generation"),
                       ["1 ingest", "2 sanitize", "3 chunk", "4 validate", "5 drop_marked", "6 exact_dedup", "7 fuzzy_dedup", "8 semantic_dedup"])
        XCTAssertEqual(try sqlite("select row_id from after_drop_marked order by row_id"), ["0", "2", "5", "6"])
        XCTAssertEqual(try sqlite("select row_id from after_exact_dedup order by row_id"), ["0", "5", "6"])
        XCTAssertEqual(try sqlite("select row_id || ' ' || stage || ' ' || reason from dropped order by row_id"),
                       ["1 drop_marked contains_marker", "2 exact_dedup exact_duplicate", "3 validate below_min_length",
                        "4 drop_marked contains_marker", "7 drop_marked contains_marker"])

        // The audit log names the stage and the reason.
        let entries = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let toy = entries.filter { $0["stage"] as? String == "drop_marked" }
        XCTAssertEqual(toy.map { $0["row_index"] as? Int }, [1, 4, 7])
        XCTAssertEqual(Set(toy.map { $0["reason"] as? String }), ["contains_marker"])
        XCTAssertEqual(Set(toy.map { $0["details"] as? String }), ["XYZZY"])

        // Its checkpoint, valid, with its row count; the chain after it is complete.
        let statuses = try CheckpointManager(checkpointDir: checkpoints, stages: stages).list(inputHash: InputSource.hashOnly(path: input).hex)
        XCTAssertEqual(statuses.map(\.checkpoint.stage.name), stages.names)
        XCTAssertTrue(statuses.allSatisfy(\.isValid), "\(statuses.map(\.problem))")
        XCTAssertEqual(statuses[4].checkpoint.generation, 5)
        XCTAssertEqual(statuses[4].checkpoint.rowCount, 4)
        XCTAssertEqual(statuses[4].checkpoint.dropped, ["contains_marker": 3])

        // Its snapshot: recorded, listed in checkpoint_metadata.json, and holding the view's rows.
        XCTAssertEqual(statuses[4].checkpoint.snapshotPath, "after_drop_marked.parquet")
        let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoints + "/checkpoint_metadata.json"))) as! [String: Any]
        XCTAssertEqual((metadata["after_drop_marked"] as? [String: Any])?["generation"] as? Int, 5)
        XCTAssertEqual(try python("""
            import pyarrow.parquet as pq, sys
            t = pq.read_table(sys.argv[1] + "/after_drop_marked.parquet")
            print(t.column("_row").to_pylist(), t.column("id").to_pylist())
            """, checkpoints), "[0, 2, 5, 6] [0, 2, 5, 6]")
    }

    func testResumeAndResumeFromWorkThroughTheAddedStage() throws {
        let stages = try Self.registry()
        _ = try run(stages)
        // Repeated: everything comes from the checkpoints, the toy's included.
        let again = try run(stages)
        XCTAssertEqual(again.resumedFrom, "after_semantic_dedup")
        XCTAssertEqual(Set(again.stages.dropLast().map(\.status)), ["resumed"])
        XCTAssertEqual(again.stages[4].dropped, ["contains_marker": 3])
        XCTAssertEqual(try outputIDs(), [0, 5, 6])

        // Another marker changes the toy's settings: it and the stages after it run again, from after_validate.
        let other = try Self.registry(marker: "PLUGH")
        let changed = try run(other)
        XCTAssertEqual(changed.resumedFrom, "after_validate")
        XCTAssertEqual(changed.stages.map(\.status), ["resumed", "resumed", "resumed", "resumed", "ran", "ran", "ran", "off", "ran"])
        XCTAssertEqual(try outputIDs(), [0, 1, 4, 5, 6])
        XCTAssertEqual(try sqlite("select row_id || ' ' || stage from dropped where reason = 'exact_duplicate' order by row_id"),
                       ["2 exact_dedup", "7 exact_dedup"])

        // --resume-from the toy: redone from the checkpoint before it.
        let fromToy = try run(other, resumeFrom: "drop_marked")
        XCTAssertEqual(fromToy.resumedFrom, "after_validate")
        XCTAssertEqual(fromToy.stages[4].status, "ran")
        // --resume-from the stage after it: the toy's checkpoint is the resume point.
        let fromNext = try run(other, resumeFrom: "exact_dedup")
        XCTAssertEqual(fromNext.resumedFrom, "after_drop_marked")
        XCTAssertEqual(fromNext.stages[4].status, "resumed")
        XCTAssertEqual(fromNext.stages[5].status, "ran")
        XCTAssertEqual(try outputIDs(), [0, 1, 4, 5, 6])
    }

    /// A store records its stage list; one made with another list is reset (with a notice), never
    /// read with mis-numbered generations, and its stale view and snapshot go.
    func testAStoreMadeWithAnotherStageListIsReset() throws {
        let stages = try Self.registry()
        _ = try run(stages)
        XCTAssertThrowsError(try WorkingStore(directory: checkpoints, stages: .standard)) { error in
            XCTAssertTrue("\(error)".contains("made with other stages"), "\(error)")
        }
        do {
            let reopened = try WorkingStore(directory: checkpoints, stages: .standard, ifStagesDiffer: .reset)
            XCTAssertEqual(reopened.stageListChange?.previous, stages.names)
            XCTAssertEqual(reopened.stageListChange?.current, StageRegistry.standard.names)
            XCTAssertTrue(reopened.stageListChange?.notice.contains("it was reset") == true)
            XCTAssertEqual(try reopened.checkpoints(), [])
        }

        let standard = try run(.standard)
        XCTAssertNil(standard.resumedFrom)
        XCTAssertEqual(standard.stages.map(\.name), StageRegistry.standard.names + ["output"])
        XCTAssertEqual(try outputIDs(), [0, 1, 4, 5, 6])
        XCTAssertEqual(try sqlite("select count(*) from sqlite_schema where name = 'after_drop_marked'"), ["0"])
        XCTAssertEqual(try sqlite("select generation || ' ' || name from stages where generation >= 5 order by generation"),
                       ["5 exact_dedup", "6 fuzzy_dedup", "7 semantic_dedup"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: checkpoints + "/after_drop_marked.parquet"))
        // Opened again with its own list: nothing to reset.
        XCTAssertNil(try WorkingStore(directory: checkpoints, stages: .standard).stageListChange)
    }

    // MARK: tools

    /// Rows of a query by the sqlite3 shell, one string per row.
    func sqlite(_ query: String) throws -> [String] {
        try run(["sqlite3", "-readonly", checkpoints + "/entropyguard.sqlite", query]).split(separator: "\n").map(String.init)
    }

    func python(_ program: String, _ argument: String) throws -> String {
        try run([Self.pythonPath(), "-c", program, argument]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// ENTROPYGUARD_PYTHON, else the package's .venv python (scripts/setup-venv makes it).
    static func pythonPath() -> String {
        if let path = ProcessInfo.processInfo.environment["ENTROPYGUARD_PYTHON"], !path.isEmpty { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".venv/bin/python").path
    }

    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "MarkerStageTests", code: Int(process.terminationStatus), userInfo: [
                NSLocalizedDescriptionKey: "\(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))"])
        }
        return String(decoding: data, as: UTF8.self)
    }
}
