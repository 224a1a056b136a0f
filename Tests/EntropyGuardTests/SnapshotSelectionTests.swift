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

    private struct ScannedRow: Equatable {
        var rowID: Int64
        var position: Int64
        var changed: String?
        var original: String?
    }

    /// `RowReader.forEachStageRow` over every stage, from `fromRow` on.
    private func stageRows(_ store: WorkingStore, originalTexts: Bool, fromRow: Int64) throws -> [ScannedRow] {
        var rows: [ScannedRow] = []
        try store.rowReader.forEachStageRow(StageID.allCases, originalTexts: originalTexts, fromRow: fromRow) { row in
            rows.append(ScannedRow(rowID: row.rowID, position: row.parentRow ?? row.rowID,
                                   changed: row.changedText.map { String(decoding: $0, as: UTF8.self) },
                                   original: row.originalText.map { String(decoding: $0, as: UTF8.self) }))
        }
        return rows
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
            // From a row on (`fromRow`), the scan gives the rows of the whole scan from that place in input
            // order (a chunk at its parent's), with the same texts.
            for originalTexts in [false, true] {
                let all = try stageRows(store, originalTexts: originalTexts, fromRow: 0)
                XCTAssertTrue(all.contains { $0.changed != nil })
                for from in [1, 3, 5, 7] {
                    XCTAssertEqual(try stageRows(store, originalTexts: originalTexts, fromRow: Int64(from)), all.filter { $0.position >= from })
                }
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
        try store.setMeta("ingest.next_row", "1")
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

    /// An append (the old input's rows first) infers from the cached observation of the old rows over
    /// the new rows only, and gets a full pass's schema: a column null in every old row takes its new
    /// rows' type, a new column comes last, a type widens. The cache serves only that append: same old
    /// input, text column and format, the new rows starting where the cached ones ended.
    func testAnAppendInfersFromTheOldRowsObservationOverTheNewRowsOnly() throws {
        let old = [#"{"text": "a", "n": null, "w": 1, "b": true}"#, #"{"text": "b", "w": 2}"#]
        let new = [#"{"text": "c", "n": 3, "w": 2.5, "extra": "x"}"#, #"{"n": 4, "text": "d", "b": false}"#]
        let directory = try temporaryDirectory()
        let path = (directory as NSString).appendingPathComponent("in.jsonl")
        let store = try WorkingStore(directory: (directory as NSString).appendingPathComponent("ck"))
        func write(_ lines: [String]) throws -> InputSource {
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            return try InputSource.open(path: path, spoolDirectory: directory)
        }
        func insertRows(_ lines: [String], from first: Int) throws {
            var offset = (old + new)[..<first].reduce(0) { $0 + $1.utf8.count + 1 }
            for (index, line) in lines.enumerated() {
                try store.database.run("INSERT INTO rows (row_id, line, record_offset, record_length, generation) VALUES (?, ?, ?, ?, 1)",
                                       [.integer(Int64(first + index)), .integer(Int64(first + index + 1)), .integer(Int64(offset)),
                                        .integer(Int64(line.utf8.count))])
                offset += line.utf8.count + 1
            }
            try store.setMeta("ingest.next_row", String(first + lines.count))
        }
        let info = IngestInfo(format: .jsonl, textColumn: "text", csvHeader: nil)
        var input = try write(old)
        try store.setMeta("ingest.input_hash", input.hash.hex)
        try insertRows(old, from: 0)
        XCTAssertEqual(try SnapshotSchema.of(store: store, input: input, info: info).columns.map(\.type), [.string, .string, .int64, .bool])

        input = try write(old + new)
        var whole = SchemaInference()
        for line in old + new { try whole.observe(record: Array(line.utf8)) }
        let expected = whole.schema(textColumn: "text")
        XCTAssertEqual(expected.columns.map(\.name), ["text", "n", "w", "b", "extra"])
        XCTAssertEqual(expected.columns.map(\.type), [.string, .int64, .double, .bool, .string])
        try store.beginAppend(.init(firstRow: 2, configHash: "c"), inputHash: input.hash.hex, inputLength: Int64(input.byteCount))
        try insertRows(new, from: 2)
        let start = try SnapshotSchema.start(store: store, info: info)
        XCTAssertEqual(start.fromRow, 2)
        // Only the new rows are read: with the old rows gone from the store the schema is still the full one.
        let saved = try store.meta(SnapshotSchema.metaKey)
        try store.database.run("UPDATE rows SET text_state = 'bad_record' WHERE row_id < 2")
        XCTAssertEqual(try SnapshotSchema.of(store: store, input: input, info: info), expected)
        XCTAssertEqual(try SnapshotSchema.cached(store: store, input: input, info: info), expected)   // cached for the grown input

        // Not from the cache: another text column, or the old rows' count not the append's first row,
        // or another old input, or no append.
        try store.setMeta(SnapshotSchema.metaKey, saved!)
        XCTAssertEqual(try SnapshotSchema.start(store: store, info: IngestInfo(format: .jsonl, textColumn: "w", csvHeader: nil)).fromRow, 0)
        try store.setMeta("append.first_row", "1")
        XCTAssertEqual(try SnapshotSchema.start(store: store, info: info).fromRow, 0)
        try store.setMeta("append.first_row", "2")
        XCTAssertEqual(try SnapshotSchema.start(store: store, info: info).fromRow, 2)
        try store.setMeta("append.old_input_hash", "another input")
        XCTAssertEqual(try SnapshotSchema.start(store: store, info: info).fromRow, 0)
        try store.removeMeta(prefix: "append.")
        XCTAssertEqual(try SnapshotSchema.start(store: store, info: info).fromRow, 0)
    }
}
