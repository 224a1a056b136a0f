@testable import EntropyGuard
import Foundation
import XCTest

/// The snapshot's row selection (`born <= S AND (dropped_by IS NULL OR dropped_by > S)`) against the
/// views, and the schema cache.
final class SnapshotSelectionTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eg-snapsel-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Long texts (chunked), duplicates, short and null texts.
    private func writeInput(in directory: String) throws -> String {
        let long = (0..<40).map { "word\($0)" }.joined(separator: " ")
        let lines = [
            #"{"id": 0, "text": "\#(long)"}"#,
            #"{"id": 1, "text": "a text that is long enough to be kept by the validator, number one"}"#,
            #"{"id": 2, "text": "short"}"#,
            #"{"id": 3, "text": "a text that is long enough to be kept by the validator, number one"}"#,
            #"{"id": 4, "text": null}"#,
            #"{"id": 5, "text": "<p>\#(long) again</p>"}"#,
            #"{"id": 6, "text": "another text, long enough to be kept by the validator, number two"}"#,
        ]
        let path = (directory as NSString).appendingPathComponent("in.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func rowIDs(_ store: WorkingStore, _ sql: String, _ stage: StageID) throws -> [Int64] {
        try store.database.rows(sql, sql.contains("?") ? [.integer(Int64(stage.generation))] : []).map { $0[0].int64! }
    }

    private static let selection = "SELECT row_id FROM rows WHERE born <= ?1 AND (dropped_by IS NULL OR dropped_by > ?1) ORDER BY row_id"

    func testSelectionEqualsViewsOnceCommitted() throws {
        for chunkSize in [nil, 60] {
            let directory = try temporaryDirectory()
            var options = PipelineOptions()
            options.inputPath = try writeInput(in: directory)
            options.outputPath = (directory as NSString).appendingPathComponent("out.jsonl")
            options.checkpointDirectory = (directory as NSString).appendingPathComponent("ck")
            options.chunkSize = chunkSize
            options.chunkOverlap = 5
            options.semanticDedup = false
            options.quiet = true
            options.showProgress = false
            options.snapshots = .none
            _ = try Pipeline(options: options).run()
            let store = try WorkingStore(directory: options.checkpointDirectory!)
            if chunkSize != nil { XCTAssertTrue(try store.hasChunks()) }
            var sizes: [Int] = []
            for stage in StageID.allCases {
                let selected = try rowIDs(store, Self.selection, stage)
                XCTAssertEqual(selected, try rowIDs(store, "SELECT row_id FROM \(stage.checkpointName) ORDER BY row_id", stage), stage.name)
                XCTAssertEqual(selected, try rowIDs(store, "SELECT row_id FROM rows WHERE generation >= ?1 AND born <= ?1 ORDER BY row_id", stage), stage.name)
                XCTAssertEqual(selected.count, try store.aliveCount(after: stage), stage.name)
                XCTAssertEqual(selected.count, try store.checkpoints().first { $0.stage == stage }?.rowCount, stage.name)
                sizes.append(selected.count)
            }
            // The data really exercises drops (and chunks when chunking).
            XCTAssertEqual(sizes[0], 7)
            XCTAssertLessThan(sizes[5], sizes[2])
        }
    }

    /// Before the lazy commit, `generation` still says the previous stage; the selection is already right.
    func testSelectionIsRightWhileACheckpointIsPending() throws {
        let store = try WorkingStore(directory: try temporaryDirectory())
        for row in 0..<4 {
            try store.database.run("INSERT INTO rows (row_id, line, record_offset, record_length, generation) VALUES (?, ?, 0, 1, 3)",
                                   [.integer(Int64(row)), .integer(Int64(row + 1))])
            try store.database.run("INSERT INTO row_content (row_id, text_original) VALUES (?, 'x')", [.integer(Int64(row))])
        }
        try store.drop(row: 1, by: .validate, reason: "below_min_length")
        try store.drop(row: 2, by: .exactDedup, reason: "exact_duplicate", duplicateOf: 0)
        XCTAssertEqual(try rowIDs(store, Self.selection, .validate), [0, 2, 3])
        XCTAssertEqual(try rowIDs(store, Self.selection, .exactDedup), [0, 3])
        XCTAssertEqual(try rowIDs(store, "SELECT row_id FROM after_exact_dedup", .exactDedup), [])   // not committed yet
        try store.advanceSurvivors(to: .exactDedup)
        XCTAssertEqual(try rowIDs(store, "SELECT row_id FROM after_validate ORDER BY row_id", .validate), [0, 2, 3])
        XCTAssertEqual(try rowIDs(store, "SELECT row_id FROM after_exact_dedup ORDER BY row_id", .exactDedup), [0, 3])
    }

    func testSchemaIsCachedPerInput() throws {
        let directory = try temporaryDirectory()
        let path = (directory as NSString).appendingPathComponent("in.jsonl")
        try Data(#"{"text": "a", "n": 1}"#.utf8 + [0x0A]).write(to: URL(fileURLWithPath: path))
        let store = try WorkingStore(directory: (directory as NSString).appendingPathComponent("ck"))
        let input = try InputSource.open(path: path, spoolDirectory: directory)
        try store.setMeta("ingest.input_hash", input.hash.hex)
        try store.database.run("INSERT INTO rows (row_id, line, record_offset, record_length, generation) VALUES (0, 1, 0, ?, 1)",
                               [.integer(Int64(input.byteCount - 1))])
        let info = IngestInfo(format: .jsonl, textColumn: "text", csvHeader: nil)
        let first = try SnapshotSchema.of(store: store, input: input, info: info)
        XCTAssertEqual(first.columns, [SnapshotColumn(name: "text", type: .string), SnapshotColumn(name: "n", type: .int64)])
        XCTAssertNotNil(try store.meta(SnapshotSchema.metaKey))
        // A cached schema is used as long as the input hash matches (no rows left to infer from here).
        try store.database.run("DELETE FROM rows")
        XCTAssertEqual(try SnapshotSchema.of(store: store, input: input, info: info), first)
        try store.setMeta("ingest.input_hash", "another input")
        XCTAssertEqual(try SnapshotSchema.of(store: store, input: input, info: info).columns, [SnapshotColumn(name: "text", type: .string)])
    }
}
