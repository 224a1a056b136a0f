@testable import EntropyGuard
import Foundation
import XCTest

/// Append through the binary: a run on an input, then on the same input grown at its end (same
/// checkpoint dir), writes the same bytes (output, audit log, snapshots, checkpoint metadata but its
/// timestamps and paths) as a fresh run over the grown input, while keeping the old rows' verdicts and
/// processing only the new rows. Any other change reruns everything.
final class AppendCLITests: XCTestCase {
    /// Old and new JSONL lines: the old ones hold 60 texts and a near copy of the first (dropped by
    /// fuzzy dedup); the new ones copies of old rows (exact, near), copies of earlier new rows, new
    /// texts, and an exact copy of the old near copy: a full run drops it in exact dedup (the old row was
    /// alive there), so an append must read old rows dropped by later stages too.
    static func corpora() -> (old: [String], new: [String]) {
        var (old, new) = ReferenceCLITests.corpora()
        let first = old[0].replacingOccurrences(of: #""id": "r0""#, with: #""id": "r0b""#)
        let near = first.replacingOccurrences(of: #"", "#, with: #"", "#)
            .replacingOccurrences(of: #"text": ""#, with: #"text": "zebra "#)
        old.append(near)
        // A near copy of a new text (new[3]: the corpora's fourth kind is new texts).
        var words = (try! JSONSerialization.jsonObject(with: Data(new[3].utf8)) as! [String: String])["text"]!.split(separator: " ")
        words[39] = "zebra"
        new.append(#"{"id": "n-near", "text": "\#(words.joined(separator: " "))"}"#)
        new.append(near.replacingOccurrences(of: "r0b", with: "n-copy"))
        return (old, new)
    }

    static func csv(_ lines: [String]) -> [String] {
        lines.map { line in
            let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: String]
            return "\(object["id"]!),\"\(object["text"]!)\""
        }
    }

    func staticModel() throws -> String {
        let installed = StaticModelCLITests.installed
        guard FileManager.default.fileExists(atPath: installed.appendingPathComponent("config.json").path) else {
            XCTFail("all-MiniLM-L6-v2-static is not installed; run scripts/fetch-model (make test does)")
            throw CocoaError(.fileNoSuchFile)
        }
        return installed.path
    }

    /// Runs `flags` on `input` with checkpoint dir `checkpoints`, output `out.<ext>` and audit `audit.jsonl` in it
    /// (other names in it when `flags` have `--output NAME` or `--audit-log NAME`).
    @discardableResult
    func run(_ input: URL, checkpoints: URL, _ flags: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        var files = ["--output": "out.\(input.pathExtension)", "--audit-log": "audit.jsonl"]
        var rest: [String] = []
        var index = 0
        while index < flags.count {
            if files[flags[index]] != nil, index + 1 < flags.count { files[flags[index]] = flags[index + 1]; index += 2; continue }
            rest.append(flags[index])
            index += 1
        }
        let result = try CLI.run(["--input", input.path, "--output", checkpoints.appendingPathComponent(files["--output"]!).path,
                                  "--audit-log", checkpoints.appendingPathComponent(files["--audit-log"]!).path,
                                  "--checkpoint-dir", checkpoints.path, "--json", "--quiet"] + rest)
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], result.stderr, file: file, line: line)
    }

    /// The files a run leaves that must be the same as a full run's: output, audit, snapshots, and the
    /// checkpoint metadata without its timestamps and input paths.
    func outputs(_ checkpoints: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: checkpoints.path)
        where name.hasPrefix("out.") || name.hasPrefix("audit.") || name.hasSuffix(".parquet") {
            files[name] = try Data(contentsOf: checkpoints.appendingPathComponent(name))
        }
        let metadata = try read(checkpoints.appendingPathComponent("checkpoint_metadata.json")).split(separator: "\n")
            .filter { !$0.contains("\"timestamp\"") && !$0.contains("\"input_path\"") }.joined(separator: "\n")
        files["checkpoint_metadata.json"] = Data(metadata.utf8)
        return files
    }

    /// The audit log's entries by row: (reason, duplicate_of).
    func audit(_ checkpoints: URL) throws -> [Int: (reason: String, duplicateOf: Int?)] {
        var entries: [Int: (String, Int?)] = [:]
        for line in try read(checkpoints.appendingPathComponent("audit.jsonl")).split(separator: "\n") {
            let entry = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            entries[entry["row_index"] as! Int] = (entry["reason"] as! String, entry["duplicate_of"] as? Int)
        }
        return entries
    }

    func statuses(_ summary: [String: Any]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (summary["stages"] as! [[String: Any]]).map { ($0["name"] as! String, $0["status"] as! String) })
    }

    func appended(_ summary: [String: Any]) -> [String: Int]? { summary["appended"] as? [String: Int] }

    /// Runs on `old`, then on `old + new` in the same file and checkpoint dir, and over `old + new`
    /// fresh: the same files. Returns the append run's summary and checkpoint dir.
    @discardableResult
    /// `copied`: the append keeps the previous output's old records (`OutputPrefix`): the output
    /// stage's note `rows_copied` counts them; false where the output must be written whole.
    func checkAppend(old: [String], new: [String], header: String? = nil, ext: String = "jsonl", flags: [String], copied: Bool = true,
                     beforeAppend: (URL) throws -> Void = { _ in }, file: StaticString = #filePath, line: UInt = #line) throws -> (summary: [String: Any], checkpoints: URL) {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.\(ext)")
        let head = header.map { $0 + "\n" } ?? ""
        try write(head + old.joined(separator: "\n") + "\n", to: input)
        let appending = dir.appendingPathComponent("ck-append")
        let first = try run(input, checkpoints: appending, flags, file: file, line: line)
        XCTAssertNil(appended(first), file: file, line: line)
        let firstOutput = (first["stages"] as! [[String: Any]]).first { $0["name"] as? String == "output" }!
        try beforeAppend(appending)
        try write(head + (old + new).joined(separator: "\n") + "\n", to: input)
        let summary = try run(input, checkpoints: appending, flags, file: file, line: line)
        XCTAssertEqual(appended(summary), ["old_rows": old.count, "new_rows": new.count], file: file, line: line)
        let output = (summary["stages"] as! [[String: Any]]).first { $0["name"] as? String == "output" }!
        XCTAssertEqual((output["notes"] as? [String: Int])?["rows_copied"], copied ? firstOutput["rows_out"] as? Int : nil,
                       "the old records copied from the previous output", file: file, line: line)
        let full = dir.appendingPathComponent("ck-full")
        try run(input, checkpoints: full, flags, file: file, line: line)
        let (expected, got) = (try outputs(full), try outputs(appending))
        XCTAssertEqual(Set(got.keys), Set(expected.keys), file: file, line: line)
        for (name, data) in expected {
            XCTAssertEqual(got[name], data, "\(name) differs from a full run's", file: file, line: line)
        }
        XCTAssertGreaterThan(got.keys.filter { $0.hasSuffix(".parquet") }.count, 0, "snapshots compared", file: file, line: line)
        // The checkpoints' counts (rows after each stage, its drops per reason) are a full run's too:
        // the append adds its new rows' counts to the old input's checkpoints (WorkingStore.appendedCounts).
        func counts(_ checkpoints: URL) throws -> [String] {
            try WorkingStore(directory: checkpoints.path).checkpoints()
                .map { "\($0.stage.name) \($0.rowCount) \(WorkingStore.encodeCounts($0.dropped))" }
        }
        XCTAssertEqual(try counts(appending), try counts(full), file: file, line: line)
        // A rerun of the grown input resumes from the last checkpoint and writes the same.
        let again = try run(input, checkpoints: appending, flags, file: file, line: line)
        XCTAssertEqual(Set(statuses(again).values.filter { $0 != "off" }), ["resumed", "ran"], file: file, line: line)
        XCTAssertEqual(statuses(again)["semantic_dedup"].map { $0 == "resumed" || $0 == "off" }, true, file: file, line: line)
        XCTAssertNil(appended(again), file: file, line: line)
        XCTAssertEqual(try outputs(appending), expected, file: file, line: line)
        return (summary, appending)
    }

    /// Checks the new rows (from `old` on) have drops for `reason` that duplicate an old row and a new row.
    func assertNewDrops(_ checkpoints: URL, old: Int, reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let drops = try audit(checkpoints).filter { $0.key >= old && $0.value.reason == reason }
        XCTAssertTrue(drops.contains { ($0.value.duplicateOf ?? old) < old }, "\(reason): a new row duplicating an old row", file: file, line: line)
        XCTAssertTrue(drops.contains { ($0.value.duplicateOf ?? -1) >= old }, "\(reason): a new row duplicating a new row", file: file, line: line)
    }

    func testAppendedJSONLGivesTheFilesOfAFullRunWithEveryDedupStage() throws {
        let (old, new) = Self.corpora()
        let model = try staticModel()
        let (_, ck) = try checkAppend(old: old, new: new, flags: ["--text-column", "text", "--min-length", "20", "--model-name", model,
                                                                 "--dedup-threshold", "0.98"])
        try assertNewDrops(ck, old: old.count, reason: "exact_duplicate")
        try assertNewDrops(ck, old: old.count, reason: "near_duplicate")
        // The copy of the old near copy (dropped by fuzzy dedup) is an exact duplicate of it, as in a full run.
        XCTAssertEqual(try audit(ck)[old.count + new.count - 1]?.reason, "exact_duplicate")
        XCTAssertEqual(try audit(ck)[old.count + new.count - 1]?.duplicateOf, old.count - 1)
    }

    /// Semantic dedup on its own after exact dedup (fuzzy would take the near copies first), with the
    /// exact search that a full run over so few rows uses too.
    func testAppendedJSONLSemanticDropsAreAFullRunsWithTheExactSearch() throws {
        let (old, new) = Self.corpora()
        let model = try staticModel()
        let (summary, ck) = try checkAppend(old: old, new: new, flags: ["--text-column", "text", "--min-length", "20", "--no-fuzzy-dedup",
                                                                       "--model-name", model, "--dedup-threshold", "0.98"])
        try assertNewDrops(ck, old: old.count, reason: "semantic_duplicate")
        let semantic = (summary["stages"] as! [[String: Any]]).first { $0["name"] as? String == "semantic_dedup" }!
        let notes = semantic["notes"] as! [String: Int]
        XCTAssertLessThan(notes["embedded"] ?? 0, new.count, "only new texts were embedded")
        XCTAssertGreaterThan(notes["embeddings_reused"] ?? 0, old.count / 2, "the old rows' vectors came from the store")
    }

    /// With the IVF search (its centroids depend on all the rows) semantic dedup reruns over all rows:
    /// the files are still a full run's.
    func testAppendWithIVFSearchRerunsSemanticDedupOverAllRows() throws {
        let (old, new) = Self.corpora()
        let model = try staticModel()
        let (summary, _) = try checkAppend(old: old, new: new, flags: ["--text-column", "text", "--min-length", "20", "--no-fuzzy-dedup",
                                                                      "--model-name", model, "--dedup-threshold", "0.98", "--search", "ivf"],
                                           copied: false)
        let semantic = (summary["stages"] as! [[String: Any]]).first { $0["name"] as? String == "semantic_dedup" }!
        XCTAssertEqual(semantic["rows_in"] as? Int, (summary["stages"] as! [[String: Any]]).first { $0["name"] as? String == "exact_dedup" }!["rows_out"] as? Int)
    }

    /// The same over snapshots of several row groups: the append ends before semantic dedup, which
    /// rewinds every row; the earlier stages' snapshots still start from the old files (their scan at
    /// the first row not kept), semantic dedup's is written whole, and all are a full run's.
    func testAnAppendEndedBeforeSemanticDedupOverSeveralRowGroupsGivesAFullRunsSnapshots() throws {
        let lines = makeDataset(rows: 28_000, seed: 23).split(separator: "\n").map(String.init)
        let model = try staticModel()
        try checkAppend(old: Array(lines[..<24_000]), new: Array(lines[24_000...]),
                        flags: ["--text-column", "text", "--min-length", "20", "--no-fuzzy-dedup", "--model-name", model,
                                "--dedup-threshold", "0.98", "--search", "ivf"], copied: false)
    }

    func testAppendedCSVGivesTheFilesOfAFullRun() throws {
        let (old, new) = Self.corpora()
        let model = try staticModel()
        let (_, ck) = try checkAppend(old: Self.csv(old), new: Self.csv(new), header: "id,text", ext: "csv",
                                      flags: ["--text-column", "text", "--min-length", "20", "--model-name", model, "--dedup-threshold", "0.98"])
        try assertNewDrops(ck, old: old.count, reason: "exact_duplicate")
        try assertNewDrops(ck, old: old.count, reason: "near_duplicate")
    }

    /// Standard input grown at its end appends (its prefix hashed while it is spooled), and writes a
    /// full run's output; the same input with a changed old record does not.
    func testAnAppendFromStandardInputGivesAFullRunsOutput() throws {
        let (old, new) = Self.corpora()
        let dir = try makeTemporaryDirectory()
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup", "--json", "--quiet", "--input", "-"]
        @discardableResult
        func run(_ lines: [String], _ checkpoints: String) throws -> [String: Any] {
            let ck = dir.appendingPathComponent(checkpoints)
            let result = try CLI.run(flags + ["--checkpoint-dir", ck.path, "--output", ck.appendingPathComponent("out.jsonl").path],
                                     stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            XCTAssertEqual(result.status, 0, result.stderr)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], result.stderr)
        }
        XCTAssertNil(appended(try run(old, "ck-append")))
        XCTAssertEqual(appended(try run(old + new, "ck-append")), ["old_rows": old.count, "new_rows": new.count])
        try run(old + new, "ck-full")
        XCTAssertEqual(try read(dir.appendingPathComponent("ck-append/out.jsonl")), try read(dir.appendingPathComponent("ck-full/out.jsonl")))
        var changed = old
        changed[3] = changed[3].replacingOccurrences(of: "\"text\": \"", with: "\"text\": \"changed ")
        XCTAssertNil(appended(try run(old, "ck-changed")))
        XCTAssertNil(appended(try run(changed + new, "ck-changed")), "a changed old record is not an append")
        try run(changed + new, "ck-changed-full")
        XCTAssertEqual(try read(dir.appendingPathComponent("ck-changed/out.jsonl")), try read(dir.appendingPathComponent("ck-changed-full/out.jsonl")))
    }

    /// Chunking on: the old rows made no chunks, a new row does (chunk rows are numbered after the
    /// input rows, as in a full run).
    func testAnAppendWhoseNewRowsAreChunkedGivesTheFilesOfAFullRun() throws {
        let (old, new) = Self.corpora()
        let long = (try! JSONSerialization.jsonObject(with: Data(new[3].utf8)) as! [String: String])["text"]!
        let chunked = #"{"id": "n-long", "text": "\#(long) \#(long) \#(long)"}"#
        let (_, ck) = try checkAppend(old: old, new: new + [chunked], flags: ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup",
                                                                            "--chunk-size", "400", "--chunk-overlap", "0"],
                                      copied: false)
        XCTAssertEqual(try audit(ck)[old.count + new.count]?.reason, "split_into_chunks")
    }

    /// --annotate: every record goes out (old dropped ones too) and is copied; a JSON-array audit log
    /// keeps its old entries (all but the closing bracket).
    func testAnAnnotatedAppendWithAJSONArrayAuditLogCopiesTheOldRecords() throws {
        let (old, new) = Self.corpora()
        let (_, ck) = try checkAppend(old: old, new: new, flags: ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup",
                                                                 "--annotate", "--audit-log", "audit.json"])
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: ck.appendingPathComponent("audit.json"))) as? [[String: Any]])
        XCTAssertTrue(entries.contains { ($0["row_index"] as! Int) >= old.count } && entries.contains { ($0["row_index"] as! Int) < old.count })
    }

    /// CSV output of a JSONL input: the header is the records' keys; new keys make another header,
    /// so the output is written whole (and is still a full run's).
    func testAnAppendWhoseNewRecordsBringAColumnWritesTheCSVOutputWhole() throws {
        let (old, new) = Self.corpora()
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup", "--output", "out.csv"]
        try checkAppend(old: old, new: new, flags: flags)
        try checkAppend(old: old, new: new.map { $0.replacingOccurrences(of: #"{"id""#, with: #"{"extra": 1, "id""#) }, flags: flags, copied: false)
    }

    /// The previous output or audit log changed after its run (edited, cut, replaced): it does not
    /// match the store's record, so it is written whole, and is a full run's.
    func testAChangedPreviousOutputIsWrittenWhole() throws {
        let (old, new) = Self.corpora()
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup"]
        try checkAppend(old: old, new: new, flags: flags, copied: false) { ck in
            let path = ck.appendingPathComponent("out.jsonl")
            var data = try Data(contentsOf: path)
            data[10] ^= 0x20
            try data.write(to: path)
        }
        try checkAppend(old: old, new: new, flags: flags, copied: false) { ck in
            let path = ck.appendingPathComponent("out.jsonl")
            let data = try Data(contentsOf: path)
            try data.dropLast(data.count - data.dropLast().lastIndex(of: 0x0A)! - 1).write(to: path)   // the last record cut off
        }
        // The audit log alone damaged: the output is still copied, the log written whole.
        try checkAppend(old: old, new: new, flags: flags) { ck in
            let path = ck.appendingPathComponent("audit.jsonl")
            try (try Data(contentsOf: path) + Data("{}\n".utf8)).write(to: path)
        }
    }

    /// Snapshots of many row groups (16,384 rows each): the append's keep the old files' groups but
    /// their last (which ended at the old input's end) and are still a full run's, byte for byte.
    func testAnAppendsSnapshotsKeepTheOldFilesRowGroups() throws {
        let (input, ck, full, flags) = try runOnThreeQuartersThenGrow()
        let result = try runWithFiles(input, checkpoints: ck, flags)
        XCTAssertEqual(result.status, 0, result.stderr)
        // after_ingest: the old file's first 16,384 rows (its second group, the last, is encoded again).
        XCTAssertTrue(result.stderr.contains("after_ingest.parquet: 16384 rows kept from the previous file"), result.stderr)
        XCTAssertTrue(result.stderr.contains("after_exact_dedup.parquet: 16384 rows kept from the previous file"), result.stderr)
        try run(input, checkpoints: full, flags)
        let expected = try outputs(full)
        XCTAssertEqual(try outputs(ck), expected)
        // pyarrow reads it whole: 3 row groups, every row.
        let read = try pyarrow("f = pq.ParquetFile(sys.argv[1]); "
                                   + "print(f.metadata.num_row_groups, f.read().num_rows, f.read().column('_row').to_pylist() == list(range(40000)))",
                               ck.appendingPathComponent("after_ingest.parquet"))
        XCTAssertEqual(String(decoding: read, as: UTF8.self), "3 40000 True\n")
    }

    /// What the project's Python prints for `code` (with sys and pyarrow.parquet as pq imported) run on `file`.
    private func pyarrow(_ code: String, _ file: URL) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try snapshotCheckPython())
        process.arguments = ["-c", "import sys, json, pyarrow.parquet as pq; " + code, file.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    /// Two appends over snapshots of several row groups, each snapshot's scan starting at the first row
    /// its old file did not keep; before the second, one old snapshot is replaced by another valid
    /// file (not the one the store recorded): that one is written whole. Then an append whose new rows
    /// change the inferred schema (a column null in every old row, a type widened, a new column): the
    /// schema is inferred on from the old rows' and the snapshots are written whole. Every file is a
    /// full run's.
    func testAppendsOverSeveralRowGroupsAndAChangingSchemaGiveAFullRunsSnapshots() throws {
        let lines = makeDataset(rows: 40_000, seed: 19).split(separator: "\n").map(String.init)
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup"]
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        let ck = dir.appendingPathComponent("ck")
        try write(lines[..<25_000].joined(separator: "\n") + "\n", to: input)
        try run(input, checkpoints: ck, flags)
        try write(lines[..<33_000].joined(separator: "\n") + "\n", to: input)
        XCTAssertEqual(appended(try run(input, checkpoints: ck, flags))?["new_rows"], 8_000)
        let validate = ck.appendingPathComponent("after_validate.parquet")
        try Data(contentsOf: ck.appendingPathComponent("after_ingest.parquet")).write(to: validate, options: .atomic)
        try write(lines.joined(separator: "\n") + "\n", to: input)
        let result = try runWithFiles(input, checkpoints: ck, flags)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("after_ingest.parquet: 32768 rows kept from the previous file"), result.stderr)
        XCTAssertFalse(result.stderr.split(separator: "\n").contains { $0.contains("after_validate.parquet") && $0.contains("rows kept") }, result.stderr)
        let full = dir.appendingPathComponent("ck-full")
        try run(input, checkpoints: full, flags)
        XCTAssertEqual(try outputs(ck), try outputs(full))

        let old = lines[..<30_000].map { $0.replacingOccurrences(of: #"{"id": "#, with: #"{"n": null, "w": 1, "id": "#) }
        let new = lines[30_000...].map { $0.replacingOccurrences(of: #"{"id": "#, with: #"{"n": 5, "w": 2.5, "extra": true, "id": "#) }
        try checkAppend(old: old, new: new, flags: flags)
        let schema = try parquetSchema(full: dir, lines: old + new, flags: flags)
        XCTAssertEqual(schema.filter { ["n", "w", "extra"].contains($0.key) }, ["n": "int64", "w": "double", "extra": "bool"])
    }

    /// The input columns' types in a full run's after_ingest.parquet, read by pyarrow.
    private func parquetSchema(full dir: URL, lines: [String], flags: [String]) throws -> [String: String] {
        let input = dir.appendingPathComponent("schema.jsonl"), ck = dir.appendingPathComponent("ck-schema")
        try write(lines.joined(separator: "\n") + "\n", to: input)
        try run(input, checkpoints: ck, flags)
        let data = try pyarrow("s = pq.read_schema(sys.argv[1]); print(json.dumps({f.name: str(f.type) for f in s}))",
                               ck.appendingPathComponent("after_ingest.parquet"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: String])
    }

    /// An old snapshot changed since its run is not continued, wherever the change is: in the part
    /// the append copies (checked as it is copied) or only in its last row group, which the copy does
    /// not take (checked after the copy, on a copy of the hash state). Both are written whole, as a
    /// full run's, and recorded with their own hash (a rerun resumes without exporting again).
    func testAnOldSnapshotChangedInItsCopiedOrItsLastBytesIsWrittenWhole() throws {
        let (input, ck, full, flags) = try runOnThreeQuartersThenGrow(beforeGrowing: { ck in try flipBytes(in: ck) })
        let result = try runWithFiles(input, checkpoints: ck, flags)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("after_ingest.parquet: 16384 rows kept"), result.stderr)
        XCTAssertFalse(result.stderr.contains("after_exact_dedup.parquet: 16384 rows kept"), result.stderr)
        try run(input, checkpoints: full, flags)
        XCTAssertEqual(try outputs(ck), try outputs(full))
        let again = try runWithFiles(input, checkpoints: ck, flags)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertFalse(again.stderr.contains("exporting it again"), again.stderr)
    }

    /// One byte changed in place in two old snapshots (hard-linked twins see it too): after_ingest in
    /// its last row group, just before the footer; after_exact_dedup in its first, which an append copies.
    private func flipBytes(in ck: URL) throws {
        func flip(_ name: String, at position: (Data) -> Int) throws {
            let url = ck.appendingPathComponent(name)
            let data = try Data(contentsOf: url)
            let handle = try FileHandle(forWritingTo: url)
            let at = position(data)
            try handle.seek(toOffset: UInt64(at))
            try handle.write(contentsOf: Data([data[at] ^ 0x5A]))
            try handle.close()
        }
        // after_ingest: a byte of its last row group's pages, just before the footer.
        try flip("after_ingest.parquet") { data in
            let footer = Int(data[data.count - 8]) | Int(data[data.count - 7]) << 8 | Int(data[data.count - 6]) << 16
            return data.count - 8 - footer - 100
        }
        // after_exact_dedup: a byte of its first row group, which the append copies.
        try flip("after_exact_dedup.parquet") { _ in 200 }
    }

    /// The first 30,000 of a 40,000-row dataset's lines run in `ck` (snapshots of two row groups), then
    /// (after `beforeGrowing`) the input grown to all of them; `full` is where a full run over it goes.
    private func runOnThreeQuartersThenGrow(beforeGrowing: (URL) throws -> Void = { _ in }) throws -> (input: URL, ck: URL, full: URL, flags: [String]) {
        let lines = makeDataset(rows: 40_000, seed: 11).split(separator: "\n").map(String.init)
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup"]
        let ck = dir.appendingPathComponent("ck"), full = dir.appendingPathComponent("ck-full")
        try write(lines[..<30_000].joined(separator: "\n") + "\n", to: input)
        try run(input, checkpoints: ck, flags)
        try beforeGrowing(ck)
        try write(lines.joined(separator: "\n") + "\n", to: input)
        return (input, ck, full, flags)
    }

    /// A run with the output and an audit log in the checkpoint dir (so `outputs` compares them too).
    private func runWithFiles(_ input: URL, checkpoints ck: URL, _ flags: [String]) throws -> CLIResult {
        try CLI.run(["--input", input.path, "--output", ck.appendingPathComponent("out.jsonl").path,
                     "--audit-log", ck.appendingPathComponent("audit.jsonl").path, "--checkpoint-dir", ck.path] + flags)
    }

    /// Parquet output: the previous file's row groups but its last are kept, and the file is a full run's.
    func testAnAppendsParquetOutputKeepsThePreviousFilesRowGroups() throws {
        let lines = makeDataset(rows: 40_000, seed: 17).split(separator: "\n").map(String.init)
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup", "--no-fuzzy-dedup", "--output", "out.parquet",
                     "--snapshots", "none"]
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        let ck = dir.appendingPathComponent("ck"), full = dir.appendingPathComponent("ck-full")
        try write(lines[..<30_000].joined(separator: "\n") + "\n", to: input)
        try run(input, checkpoints: ck, flags)
        try write(lines.joined(separator: "\n") + "\n", to: input)
        let summary = try run(input, checkpoints: ck, flags)
        let output = (summary["stages"] as! [[String: Any]]).first { $0["name"] as? String == "output" }!
        XCTAssertEqual((output["notes"] as? [String: Int])?["rows_copied"], 16_384)
        try run(input, checkpoints: full, flags)
        let (got, expected) = (try Data(contentsOf: ck.appendingPathComponent("out.parquet")), try Data(contentsOf: full.appendingPathComponent("out.parquet")))
        XCTAssertEqual(got, expected)
    }

    /// SIGKILL while the append writes its snapshots or output (a temporary file beside them): every
    /// file under its own name is the old run's or the full run's, whole; the same command then
    /// gives a full run's files.
    func testSIGKILLWhileAnAppendWritesItsFilesLeavesOldOrNewFilesAndTheRerunMatches() throws {
        let lines = makeDataset(rows: 40_000, seed: 13).split(separator: "\n").map(String.init)
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup"]
        try write(lines.joined(separator: "\n") + "\n", to: input)
        let full = dir.appendingPathComponent("ck-full")
        try run(input, checkpoints: full, flags)
        var expected = try outputs(full)
        expected["checkpoint_metadata.json"] = nil
        let ck = dir.appendingPathComponent("ck")
        try write(lines[..<30_000].joined(separator: "\n") + "\n", to: input)
        try run(input, checkpoints: ck, flags)
        var before = try outputs(ck)
        before["checkpoint_metadata.json"] = nil
        try write(lines.joined(separator: "\n") + "\n", to: input)
        let args = ["--input", input.path, "--output", ck.appendingPathComponent("out.jsonl").path,
                    "--audit-log", ck.appendingPathComponent("audit.jsonl").path, "--checkpoint-dir", ck.path, "--json", "--quiet"] + flags
        let (process, out, err) = try CLI.start(args)
        var reached = false
        let deadline = Date().addingTimeInterval(120)
        while !reached && Date() < deadline && process.isRunning {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: ck.path)) ?? []
            if names.contains(where: { $0.hasPrefix(".") && $0.contains(".tmp") && ($0.hasPrefix(".after_") || $0.hasPrefix(".out.")) }) {
                reached = true
            } else {
                usleep(500)
            }
        }
        let stderr = CLI.kill(process, out: out, err: err)
        XCTAssertTrue(reached, "the run ended before it wrote a file: \(stderr)")
        var killed = try outputs(ck)
        killed["checkpoint_metadata.json"] = nil
        XCTAssertEqual(Set(killed.keys), Set(expected.keys))
        for (name, data) in killed {
            XCTAssertTrue(data == before[name] || data == expected[name], "\(name) is neither the old run's nor the full run's")
        }
        try run(input, checkpoints: ck, flags)
        XCTAssertEqual(try outputs(ck), try outputs(full))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: ck.path).filter { $0.contains(".tmp") }, [])
    }

    // MARK: the dedup stages' lookups (append_lookups)

    func notes(_ summary: [String: Any], _ stage: String) -> [String: Int] {
        ((summary["stages"] as! [[String: Any]]).first { $0["name"] as? String == stage }?["notes"] as? [String: Int]) ?? [:]
    }

    /// Exact and fuzzy dedup look the new rows up in the store instead of reading the old rows: the
    /// new rows that duplicate old ones (one of them an exact copy of an old row fuzzy dedup dropped)
    /// were found there, and the fuzzy selection saw only the old rows sharing a bucket with a new one.
    func testAnAppendLooksTheNewRowsUpInTheStoresLookups() throws {
        let (old, new) = Self.corpora()
        let (summary, ck) = try checkAppend(old: old, new: new, flags: ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup"])
        XCTAssertGreaterThan(notes(summary, "exact_dedup")["old_keys_matched"] ?? 0, 1)
        let fuzzy = notes(summary, "fuzzy_dedup")
        XCTAssertGreaterThan(fuzzy["old_rows_compared"] ?? 0, 0)
        XCTAssertLessThan(fuzzy["old_rows_compared"] ?? .max, old.count / 2)
        let droppedBefore = try audit(ck).filter { $0.key >= old.count && $0.value.reason != "near_duplicate" }.count
        XCTAssertEqual(fuzzy["signatures_computed"], new.count - droppedBefore, "only the new rows alive before fuzzy dedup were signed")
        try assertNewDrops(ck, old: old.count, reason: "exact_duplicate")
        try assertNewDrops(ck, old: old.count, reason: "near_duplicate")
        XCTAssertEqual(try audit(ck)[old.count + new.count - 1]?.duplicateOf, old.count - 1)
    }

    /// Two appends in a row: the second looks up the full run's segment and the first append's. The
    /// first adds only exact copies of old rows: its segments hold no entry, yet cover its rows.
    func testTwoAppendsGiveTheFilesOfAFullRun() throws {
        let (old, new) = Self.corpora()
        let first = [old[5].replacingOccurrences(of: #""id": ""#, with: #""id": "copy-"#),
                     old[6].replacingOccurrences(of: #""id": ""#, with: #""id": "copy-"#)]
        let second = new
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup"]
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        let ck = dir.appendingPathComponent("ck")
        try write(old.joined(separator: "\n") + "\n", to: input)
        try run(input, checkpoints: ck, flags)
        try write((old + first).joined(separator: "\n") + "\n", to: input)
        XCTAssertEqual(appended(try run(input, checkpoints: ck, flags))?["new_rows"], first.count)
        try write((old + first + second).joined(separator: "\n") + "\n", to: input)
        let summary = try run(input, checkpoints: ck, flags)
        XCTAssertEqual(appended(summary)?["new_rows"], second.count)
        XCTAssertNotNil(notes(summary, "exact_dedup")["old_keys_matched"])
        XCTAssertNotNil(notes(summary, "fuzzy_dedup")["old_rows_compared"])
        let db = try Database(path: ck.appendingPathComponent("entropyguard.sqlite").path)
        for stage in ["exact_dedup", "fuzzy_dedup"] {
            XCTAssertEqual(try db.scalar("SELECT count(DISTINCT first_row) FROM append_lookups WHERE name = ?", [.text(stage)])?.int, 3, stage)
        }
        let full = dir.appendingPathComponent("ck-full")
        try run(input, checkpoints: full, flags)
        XCTAssertEqual(try outputs(ck), try outputs(full))
    }

    /// A lookup part with a byte changed is found (its checksum): the store is moved aside, never
    /// trusted, and the run's files are a full run's.
    func testADamagedLookupIsDetected() throws {
        let (old, new) = Self.corpora()
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup"]
        for stage in ["exact_dedup", "fuzzy_dedup"] {
            let dir = try makeTemporaryDirectory()
            let input = dir.appendingPathComponent("data.jsonl")
            let ck = dir.appendingPathComponent("ck")
            try write(old.joined(separator: "\n") + "\n", to: input)
            try run(input, checkpoints: ck, flags)
            let db = try Database(path: ck.appendingPathComponent("entropyguard.sqlite").path)
            try db.run("""
                UPDATE append_lookups SET data = substr(data, 1, 20) || (CASE WHEN substr(data, 21, 1) = x'00' THEN x'01' ELSE x'00' END) || substr(data, 22)
                WHERE name = ?
                """, [.text(stage)])
            try write((old + new).joined(separator: "\n") + "\n", to: input)
            let result = try CLI.run(["--input", input.path, "--output", ck.appendingPathComponent("out.jsonl").path,
                                      "--audit-log", ck.appendingPathComponent("audit.jsonl").path,
                                      "--checkpoint-dir", ck.path, "--json"] + flags)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stderr.contains("append_lookups: part 0 of \(stage)"), result.stderr)
            XCTAssertTrue(result.stderr.contains("moved it aside"), result.stderr)
            let full = dir.appendingPathComponent("ck-full")
            try run(input, checkpoints: full, flags)
            XCTAssertEqual(try outputs(ck), try outputs(full), stage)
        }
    }

    // MARK: other changes rerun everything

    /// Old rows were chunked: new input rows cannot take the row numbers a full run gives them.
    func testAGrownInputWhoseOldRowsWereChunkedRerunsEverything() throws {
        let (old, new) = Self.corpora()
        let long = (try! JSONSerialization.jsonObject(with: Data(old[3].utf8)) as! [String: String])["text"]!
        let chunked = #"{"id": "r-long", "text": "\#(long) \#(long) \#(long)"}"#
        try checkFullRerun(before: (old + [chunked]).joined(separator: "\n") + "\n", after: (old + [chunked] + new).joined(separator: "\n") + "\n",
                           flags: ["--chunk-size", "400", "--chunk-overlap", "0"])
    }

    /// Runs on `before`, then on `after` (same file and checkpoint dir): no append, every stage ran,
    /// and the files are a fresh run's.
    func checkFullRerun(before: String, after: String, flags extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup"] + extra
        try write(before, to: input)
        let ck = dir.appendingPathComponent("ck")
        try run(input, checkpoints: ck, flags, file: file, line: line)
        try write(after, to: input)
        let summary = try run(input, checkpoints: ck, flags, file: file, line: line)
        XCTAssertNil(appended(summary), file: file, line: line)
        XCTAssertEqual(Set(statuses(summary).values.filter { $0 != "off" }), ["ran"], file: file, line: line)
        let ingest = (summary["stages"] as! [[String: Any]]).first { $0["name"] as? String == "ingest" }!
        XCTAssertEqual((ingest["notes"] as! [String: Int])["rows_resumed"], 0, file: file, line: line)
        let full = dir.appendingPathComponent("ck-full")
        try run(input, checkpoints: full, flags, file: file, line: line)
        XCTAssertEqual(try outputs(ck), try outputs(full), file: file, line: line)
    }

    func testAModifiedInputRerunsEverything() throws {
        let (old, new) = Self.corpora()
        var changed = old
        changed[3] = changed[3].replacingOccurrences(of: "\"text\": \"", with: "\"text\": \"changed ")
        try checkFullRerun(before: old.joined(separator: "\n") + "\n", after: (changed + new).joined(separator: "\n") + "\n")
    }

    /// The old input did not end with a newline: its last record may have grown, so it is not an append.
    func testAnInputGrownInsideItsLastRecordRerunsEverything() throws {
        let (old, new) = Self.corpora()
        try checkFullRerun(before: old.joined(separator: "\n"), after: (old + new).joined(separator: "\n") + "\n")
    }

    func testAShorterInputRerunsEverything() throws {
        let (old, _) = Self.corpora()
        try checkFullRerun(before: old.joined(separator: "\n") + "\n", after: old.dropLast(5).joined(separator: "\n") + "\n")
    }

    /// A grown input with other settings is not an append: everything reruns.
    func testAGrownInputWithOtherSettingsRerunsEverything() throws {
        let dir = try makeTemporaryDirectory()
        let (old, new) = Self.corpora()
        let input = dir.appendingPathComponent("data.jsonl")
        try write(old.joined(separator: "\n") + "\n", to: input)
        let ck = dir.appendingPathComponent("ck")
        try run(input, checkpoints: ck, ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup"])
        try write((old + new).joined(separator: "\n") + "\n", to: input)
        let flags = ["--text-column", "text", "--min-length", "30", "--no-semantic-dedup"]
        let summary = try run(input, checkpoints: ck, flags)
        XCTAssertNil(appended(summary))
        let full = dir.appendingPathComponent("ck-full")
        try run(input, checkpoints: full, flags)
        XCTAssertEqual(try outputs(ck), try outputs(full))
    }

    // MARK: SIGKILL during an append

    /// SIGKILL during the append's ingest, and during its fuzzy dedup (after later checkpoints of the
    /// grown input were committed): the next run finishes the append with a full run's files. Killed
    /// during its ingest then run with another --min-length: the append is dropped, everything reruns.
    func testSIGKILLDuringAnAppendThenTheSameCommandGivesAFullRunsFiles() throws {
        let lines = makeDataset(rows: 40_000, seed: 7).split(separator: "\n").map(String.init)
        let old = Array(lines[..<30_000]), new = Array(lines[30_000...])
        let duringIngest: (Database) throws -> Bool = { db in
            let first = try db.scalar("SELECT value FROM meta WHERE key = 'append.first_row'")?.string.flatMap { Int($0) }
            let next = try db.scalar("SELECT value FROM meta WHERE key = 'ingest.next_row'")?.string.flatMap { Int($0) } ?? 0
            return first != nil && next >= 33_000
        }
        let flags = ["--text-column", "text", "--min-length", "20", "--no-semantic-dedup", "--batch-size", "500"]
        let otherFlags = ["--text-column", "text", "--min-length", "30", "--no-semantic-dedup", "--batch-size", "500"]
        let points: [(String, (Database) throws -> Bool, [String])] = [
            ("ingest", duringIngest, flags),
            ("fuzzy", { db in
                try db.scalar("SELECT count(*) FROM checkpoints")?.int ?? 0 >= 5
                    && db.scalar("SELECT value FROM meta WHERE key = 'append.first_row'") != nil
            }, flags),
            ("other-settings", duringIngest, otherFlags),
            // Exact dedup's segment of the new rows is written, fuzzy dedup not done: the resumed
            // append redoes exact dedup, which must not look the new rows up in their own segment.
            ("exact-written", { db in
                guard let first = try db.scalar("SELECT value FROM meta WHERE key = 'append.first_row'")?.string else { return false }
                return try db.scalar("SELECT count(*) FROM append_lookups WHERE name = 'exact_dedup' AND first_row = ?", [.text(first)])?.int ?? 0 > 0
            }, flags),
        ]
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        try write((old + new).joined(separator: "\n") + "\n", to: input)
        var expected: [[String]: [String: Data]] = [:]
        for (index, resumeFlags) in [flags, otherFlags].enumerated() {
            let full = dir.appendingPathComponent("ck-full\(index)")
            try run(input, checkpoints: full, resumeFlags)
            expected[resumeFlags] = try outputs(full)
        }
        for (name, condition, resumeFlags) in points {
            let ck = dir.appendingPathComponent("ck-\(name)")
            try write(old.joined(separator: "\n") + "\n", to: input)
            try run(input, checkpoints: ck, flags)
            try write((old + new).joined(separator: "\n") + "\n", to: input)
            let args = ["--input", input.path, "--output", ck.appendingPathComponent("out.jsonl").path,
                        "--audit-log", ck.appendingPathComponent("audit.jsonl").path, "--checkpoint-dir", ck.path, "--json", "--quiet"] + flags
            let (process, out, err) = try CLI.start(args)
            let path = ck.appendingPathComponent("entropyguard.sqlite").path
            var reached = false
            let deadline = Date().addingTimeInterval(120)
            while !reached && Date() < deadline && process.isRunning {
                if let db = try? Database(path: path), (try? condition(db)) == true { reached = true } else { usleep(2_000) }
            }
            let stderr = CLI.kill(process, out: out, err: err)
            XCTAssertTrue(reached, "\(name): the run ended before the kill point: \(stderr)")
            let summary = try run(input, checkpoints: ck, resumeFlags)
            XCTAssertEqual(appended(summary)?["old_rows"], resumeFlags == flags ? old.count : nil, name)
            XCTAssertEqual(try outputs(ck), expected[resumeFlags], name)
        }
    }
}
