import EntropyGuard
import Foundation
import XCTest

/// Parquet snapshots and Parquet output, end to end: the binary writes them, duckdb/pyarrow read them
/// back and compare with the store's views (Python's sqlite3) and the input.
final class SnapshotCLITests: XCTestCase {
    /// Mixed types per column (ints widening to double, a string/int/bool mix, an int beyond int64),
    /// nulls, nested objects and arrays, non-ASCII, a text sanitize rewrites, a non-string text,
    /// duplicates, a short text, and long texts for chunking.
    static let input = [
        #"{"id": 1, "text": "Alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango.", "score": 1, "ok": true, "meta": {"a": [1, 2], "b": "é"}, "lang": "en"}"#,
        #"{"id": 2, "text": "Ünïcödé — 日本語のテキスト with enough words to be kept.", "score": 2.5, "ok": false, "tags": ["x", "ü"], "lang": "de"}"#,
        #"{"id": 3, "text": "Ünïcödé — 日本語のテキスト with enough words to be kept.", "score": null, "ok": null, "mixed": "str"}"#,
        #"{"id": 4, "text": "short", "score": 3, "mixed": 5}"#,
        #"{"id": 5, "text": null, "score": 4, "lang": null}"#,
        #"{"id": 6, "text": "<b>HTML</b> text with an email bob@example.com, long enough to stay.", "score": -0.125, "mixed": true}"#,
        #"{"id": 7, "text": 42, "score": 7}"#,
        #"{"id": 8, "text": "A \"quoted\" text with a tab\t and a newline\n that is long enough.", "big": 12345678901234567890, "score": 8}"#,
    ].joined(separator: "\n") + "\n"

    static let types = ["id": "BIGINT", "text": "VARCHAR", "score": "DOUBLE", "ok": "BOOLEAN", "meta": "VARCHAR",
                        "lang": "VARCHAR", "tags": "VARCHAR", "mixed": "VARCHAR", "big": "DOUBLE"]

    @discardableResult
    private func run(_ directory: URL, _ extra: [String], output: String = "out.jsonl") throws -> CLIResult {
        let result = try CLI.run(["--input", directory.appendingPathComponent("in.jsonl").path,
                                  "--output", directory.appendingPathComponent(output).path,
                                  "--checkpoint-dir", directory.appendingPathComponent("ck").path,
                                  "--no-semantic-dedup", "--min-length", "20"] + extra)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result
    }

    private func parquetFiles(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("ck").path)
            .filter { $0.hasSuffix(".parquet") }.sorted()
    }

    private func xxh3(_ url: URL) throws -> String {
        let data = try Data(contentsOf: url)
        let hasher = XXH3Stream64()
        data.withUnsafeBytes { hasher.update($0) }
        let digits = String(hasher.digest(), radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private func metadata(_ directory: URL) throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("ck/checkpoint_metadata.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
    }

    private static let allFiles = StageRegistry.standard.ids.map { "after_\($0.name).parquet" }.sorted()

    func testSnapshotsHoldEachStageViewWithTypedColumns() throws {
        for chunking in [[], ["--chunk-size", "60", "--chunk-overlap", "10"]] {
            let directory = try makeTemporaryDirectory()
            try write(Self.input, to: directory.appendingPathComponent("in.jsonl"))
            try run(directory, chunking)
            XCTAssertEqual(try parquetFiles(directory), Self.allFiles)
            let report = try runSnapshotCheck("snapshots", directory.appendingPathComponent("ck"), directory.appendingPathComponent("in.jsonl"),
                                              types: Self.types, in: directory)
            XCTAssertTrue(report.hasPrefix("ok 7 snapshots"), report)
            // Switched-off stages have the previous stage's content.
            let ck = directory.appendingPathComponent("ck")
            XCTAssertEqual(try Data(contentsOf: ck.appendingPathComponent("after_semantic_dedup.parquet")),
                           try Data(contentsOf: ck.appendingPathComponent("after_exact_dedup.parquet")))
            if chunking.isEmpty {
                XCTAssertEqual(try Data(contentsOf: ck.appendingPathComponent("after_chunk.parquet")),
                               try Data(contentsOf: ck.appendingPathComponent("after_sanitize.parquet")))
            }
            // The metadata's hashes are the files' XXH3-64.
            let metadata = try metadata(directory)
            // Keyed by checkpoint name, as the original tool's file is.
            XCTAssertEqual(Set(metadata.keys), Set(StageRegistry.standard.ids.map(\.checkpointName)))
            XCTAssertEqual(metadata["after_exact_dedup"]?["stage"] as? String, "after_exact_dedup")
            for (stage, entry) in metadata {
                let file = directory.appendingPathComponent("ck").appendingPathComponent(try XCTUnwrap(entry["checkpoint_path"] as? String))
                XCTAssertEqual(entry["parquet_xxh3"] as? String, try xxh3(file), stage)
            }
        }
    }

    /// JSONL snapshots take unchanged texts from the input records rather than the store: every kind of
    /// text field must come out as ingest stored it (escapes, surrogate pairs, a lone surrogate, a
    /// duplicate key, a non-string, a missing one, an empty one), before and after sanitize.
    func testSnapshotTextsAreTheTextsIngestStored() throws {
        let directory = try makeTemporaryDirectory()
        let lines = [
            #"{"id": 1, "text": "caf\u00e9 and an emoji \ud83d\ude00 spelled with escapes, long enough"}"#,
            #"{"id": 2, "text": "the first occurrence of a duplicate key wins, long enough", "text": "second"}"#,
            #"{"id": 3, "text": "a lone surrogate \ud800 is whatever ingest made of it, long enough"}"#,
            #"{"id": 4, "text": ["not", "a", "string"]}"#,
            #"{"id": 5}"#,
            #"{"id": 6, "text": "tab\tand \"quotes\" and a backslash \\ in a long enough text"}"#,
            #"{"id": 7, "text": ""}"#,
            #"{"id": 8, "text": "  Spaces   collapsed by sanitize, \u00e9 long enough to be kept  "}"#,
        ]
        try write(lines.joined(separator: "\n") + "\n", to: directory.appendingPathComponent("in.jsonl"))
        try run(directory, ["--min-length", "5"])
        let report = try runSnapshotCheck("snapshots", directory.appendingPathComponent("ck"), directory.appendingPathComponent("in.jsonl"),
                                          types: ["id": "BIGINT", "text": "VARCHAR"], in: directory)
        XCTAssertTrue(report.hasPrefix("ok 7 snapshots"), report)
    }

    /// A stage that changed nothing (here chunk and semantic dedup, switched off, and fuzzy dedup, which finds nothing) gets a hard link to
    /// the previous stage's file. The twins verify, re-export and clean up independently.
    func testUnchangedStagesAreHardLinksThatResumeAndCleanUpIndependently() throws {
        let directory = try makeTemporaryDirectory()
        try write(Self.input, to: directory.appendingPathComponent("in.jsonl"))
        try run(directory, [])
        let ck = directory.appendingPathComponent("ck")
        func inode(_ name: String) throws -> UInt64 {
            try XCTUnwrap((try FileManager.default.attributesOfItem(atPath: ck.appendingPathComponent(name).path))[.systemFileNumber] as? UInt64)
        }
        XCTAssertEqual(try inode("after_chunk.parquet"), try inode("after_sanitize.parquet"))
        XCTAssertEqual(try inode("after_fuzzy_dedup.parquet"), try inode("after_exact_dedup.parquet"))   // no near duplicates
        XCTAssertEqual(try inode("after_semantic_dedup.parquet"), try inode("after_exact_dedup.parquet"))
        XCTAssertNotEqual(try inode("after_validate.parquet"), try inode("after_chunk.parquet"))   // validate dropped rows
        let metadata = try metadata(directory)
        XCTAssertEqual(metadata["after_chunk"]?["parquet_xxh3"] as? String, metadata["after_sanitize"]?["parquet_xxh3"] as? String)
        XCTAssertEqual(metadata["after_chunk"]?["checkpoint_path"] as? String, "after_chunk.parquet")

        // One twin gone: only it is written again, and it is linked to its source again.
        try FileManager.default.removeItem(at: ck.appendingPathComponent("after_chunk.parquet"))
        let second = try run(directory, [])
        XCTAssertTrue(second.stderr.contains("warning: snapshot after_chunk.parquet is missing"), second.stderr)
        XCTAssertFalse(second.stderr.contains("after_sanitize.parquet"), second.stderr)
        XCTAssertEqual(try inode("after_chunk.parquet"), try inode("after_sanitize.parquet"))
        try runSnapshotCheck("snapshots", ck, directory.appendingPathComponent("in.jsonl"), types: Self.types, in: directory)

        // --keep-latest removes the earlier names; the newest checkpoint's file, whose twin is gone,
        // is intact and still verifies.
        let entries = try self.metadata(directory)
        let recorded = try XCTUnwrap(entries["after_semantic_dedup"]?["parquet_xxh3"] as? String)
        XCTAssertEqual(try CLI.run(["checkpoints", "clean", "--checkpoint-dir", ck.path, "--keep-latest"]).status, 0)
        XCTAssertEqual(try parquetFiles(directory), ["after_semantic_dedup.parquet"])
        XCTAssertEqual(try xxh3(ck.appendingPathComponent("after_semantic_dedup.parquet")), recorded)
        let third = try run(directory, [])
        XCTAssertTrue(third.stderr.contains("Resuming from checkpoint after_semantic_dedup"), third.stderr)
        XCTAssertFalse(third.stderr.contains("after_semantic_dedup.parquet"), third.stderr)
    }

    func testCorruptedOrMissingSnapshotIsExportedAgainWithAWarning() throws {
        let directory = try makeTemporaryDirectory()
        try write(Self.input, to: directory.appendingPathComponent("in.jsonl"))
        let chunking = ["--chunk-size", "60", "--chunk-overlap", "10"]
        try run(directory, chunking)
        let ck = directory.appendingPathComponent("ck")
        let validate = ck.appendingPathComponent("after_validate.parquet"), ingest = ck.appendingPathComponent("after_ingest.parquet")
        let originalValidate = try Data(contentsOf: validate), originalIngest = try Data(contentsOf: ingest)
        try originalValidate.prefix(originalValidate.count / 2).write(to: validate)
        try FileManager.default.removeItem(at: ingest)
        let untouched = try Data(contentsOf: ck.appendingPathComponent("after_chunk.parquet"))

        let second = try run(directory, chunking)
        XCTAssertTrue(second.stderr.contains("Resuming from checkpoint after_semantic_dedup"), second.stderr)
        XCTAssertTrue(second.stderr.contains("warning: snapshot after_validate.parquet does not match its recorded XXH3"), second.stderr)
        XCTAssertTrue(second.stderr.contains("warning: snapshot after_ingest.parquet is missing"), second.stderr)
        XCTAssertFalse(second.stderr.contains("after_chunk.parquet"), second.stderr)
        // Exported from the store: the same bytes as the first time (after_ingest with the original texts).
        XCTAssertEqual(try Data(contentsOf: validate), originalValidate)
        XCTAssertEqual(try Data(contentsOf: ingest), originalIngest)
        XCTAssertEqual(try Data(contentsOf: ck.appendingPathComponent("after_chunk.parquet")), untouched)
        try runSnapshotCheck("snapshots", ck, directory.appendingPathComponent("in.jsonl"), types: Self.types, in: directory)

        let third = try run(directory, chunking)
        XCTAssertFalse(third.stderr.contains("warning"), third.stderr)
        let list = try CLI.run(["checkpoints", "list", "--checkpoint-dir", ck.path])
        XCTAssertEqual(list.stdoutText.components(separatedBy: "  valid").count - 1, 7, list.stdoutText)
    }

    /// Snapshots take the texts sanitize changed from a second cursor walked beside the rows: changed
    /// rows that a later stage drops (a duplicate, a short text) or keeps, at the first and the last
    /// row, give the stages' views and the output; and every batch size gives the same files, byte for byte.
    func testChangedTextsBesideKeptAndDroppedRows() throws {
        var lines: [String] = []
        for i in 0..<40 {
            let rewritten = "Row  \(i)  is a text   that sanitize rewrites, long enough."
            switch i % 3 {
            case 0: lines.append(#"{"id": \#(i), "text": "\#(rewritten)"}"#)
            case 1: lines.append(#"{"id": \#(i), "text": "Row \#(i) is a text that sanitize leaves as it is, long enough."}"#)
            default:
                // A duplicate of row i - 2 once both are sanitized, or a text too short to keep.
                let text = i % 4 == 2 ? "Row \(i - 2)  is a  text that sanitize rewrites,  long enough." : "a  b"
                lines.append(#"{"id": \#(i), "text": "\#(text)"}"#)
            }
        }
        var files: [[Data]] = []
        for batchSize in ["7", "1000"] {
            let directory = try makeTemporaryDirectory("\(#function)-\(batchSize)")
            try write(lines.joined(separator: "\n") + "\n", to: directory.appendingPathComponent("in.jsonl"))
            let result = try run(directory, ["--batch-size", batchSize, "--json"])
            XCTAssertTrue(result.stdoutText.contains(#""texts_changed":27"#), result.stdoutText)
            XCTAssertTrue(result.stdoutText.contains(#""exact_duplicate":4"#), result.stdoutText)
            let report = try runSnapshotCheck("snapshots", directory.appendingPathComponent("ck"), directory.appendingPathComponent("in.jsonl"),
                                              types: ["id": "BIGINT", "text": "VARCHAR"], in: directory)
            XCTAssertTrue(report.hasPrefix("ok 7 snapshots"), report)
            files.append(try Self.allFiles.map { try Data(contentsOf: directory.appendingPathComponent("ck").appendingPathComponent($0)) })
            // The output reads the changed texts the same way.
            let output = try String(decoding: Data(contentsOf: directory.appendingPathComponent("out.jsonl")), as: UTF8.self)
            let expected = (0..<40).filter { $0 % 3 != 2 }.map { i in
                i % 3 == 0 ? #"{"id": \#(i), "text": "Row \#(i) is a text that sanitize rewrites, long enough."}"# : lines[i]
            }
            XCTAssertEqual(output, expected.joined(separator: "\n") + "\n")
        }
        XCTAssertEqual(files[0], files[1])
    }

    func testSnapshotsDedupWritesExactlyTheDedupStagesFiles() throws {
        let directory = try makeTemporaryDirectory()
        try write(Self.input, to: directory.appendingPathComponent("in.jsonl"))
        try run(directory, ["--snapshots", "all"])
        XCTAssertEqual(try parquetFiles(directory), Self.allFiles)
        // Resuming with dedup removes the other stages' files and forgets them in the checkpoints.
        try run(directory, ["--snapshots", "dedup"])
        XCTAssertEqual(try parquetFiles(directory), ["after_exact_dedup.parquet", "after_fuzzy_dedup.parquet", "after_semantic_dedup.parquet"])
        let metadata = try metadata(directory)
        XCTAssertTrue(metadata["after_validate"]?["checkpoint_path"] is NSNull)
        XCTAssertEqual(metadata["after_exact_dedup"]?["checkpoint_path"] as? String, "after_exact_dedup.parquet")
        try runSnapshotCheck("snapshots", directory.appendingPathComponent("ck"), directory.appendingPathComponent("in.jsonl"),
                             types: Self.types, in: directory)

        // A fresh run with dedup.
        let fresh = try makeTemporaryDirectory()
        try write(Self.input, to: fresh.appendingPathComponent("in.jsonl"))
        try run(fresh, ["--snapshots", "dedup"])
        XCTAssertEqual(try parquetFiles(fresh), ["after_exact_dedup.parquet", "after_fuzzy_dedup.parquet", "after_semantic_dedup.parquet"])
        try run(fresh, ["--snapshots", "none", "--no-auto-resume"])
        XCTAssertEqual(try parquetFiles(fresh), [])
    }

    func testParquetOutputHasTheJSONLOutputsValues() throws {
        for (chunking, rows) in [([String](), 4), (["--chunk-size", "60", "--chunk-overlap", "10"], 7)] {
            let directory = try makeTemporaryDirectory()
            try write(Self.input, to: directory.appendingPathComponent("in.jsonl"))
            try run(directory, chunking, output: "out.jsonl")
            try run(directory, chunking, output: "out.parquet")
            let report = try runSnapshotCheck("output", directory.appendingPathComponent("out.parquet"), directory.appendingPathComponent("out.jsonl"),
                                              types: Self.types, in: directory)
            XCTAssertEqual(report, "ok \(rows) rows\n")
        }
    }

    /// CSV input: every column is a string; an empty unquoted field is null, an empty quoted one "".
    func testCSVSnapshotColumnsAreStrings() throws {
        let directory = try makeTemporaryDirectory()
        try write("id,text,note\r\n1,\"A text, long enough to be kept by the validator.\",\r\n2,\"Another text that is also long enough, ü.\",\"\"\r\n3,x,7\r\n",
                  to: directory.appendingPathComponent("in.csv"))
        let result = try CLI.run(["--input", directory.appendingPathComponent("in.csv").path, "--output", directory.appendingPathComponent("out.csv").path,
                                  "--checkpoint-dir", directory.appendingPathComponent("ck").path, "--no-semantic-dedup", "--min-length", "20"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let script = """
            import duckdb, json, sys
            con = duckdb.connect()
            out = {}
            for stage in ["ingest", "validate"]:
                path = sys.argv[1] + f"/after_{stage}.parquet"
                out[stage] = {"types": [list(r[:2]) for r in con.execute(f"describe select * from read_parquet('{path}')").fetchall()],
                              "rows": [list(r) for r in con.execute(f"select * from read_parquet('{path}')").fetchall()]}
            print(json.dumps(out, ensure_ascii=False))
            """
        let scriptURL = directory.appendingPathComponent("csv_check.py")
        try write(script, to: scriptURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try snapshotCheckPython())
        process.arguments = [scriptURL.path, directory.appendingPathComponent("ck").path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [String: [[Any]]]])
        let types = [["_row", "BIGINT"], ["id", "VARCHAR"], ["text", "VARCHAR"], ["note", "VARCHAR"]]
        XCTAssertEqual(parsed["ingest"]?["types"]?.map { $0.map { "\($0)" } }, types)
        XCTAssertEqual(parsed["validate"]?["types"]?.map { $0.map { "\($0)" } }, types)
        let describe: ([Any]) -> String = { $0.map { $0 is NSNull ? "null" : "\($0)" }.joined(separator: "|") }
        XCTAssertEqual(parsed["ingest"]?["rows"]?.map(describe), [
            "0|1|A text, long enough to be kept by the validator.|null",
            "1|2|Another text that is also long enough, ü.|",
            "2|3|x|7",
        ])
        XCTAssertEqual(parsed["validate"]?["rows"]?.map(describe), [
            "0|1|A text, long enough to be kept by the validator.|null",
            "1|2|Another text that is also long enough, ü.|",
        ])
    }
}
