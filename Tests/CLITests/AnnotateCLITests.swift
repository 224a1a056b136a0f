import EntropyGuard
import Foundation
import XCTest

/// `--annotate` through the binary: every record in input order, each with its annotation, which
/// agrees with the audit log; the kept ones are exactly a normal run's output; JSONL, CSV (read back
/// with Python's csv module) and Parquet (pyarrow); and it is only an output choice, so after a normal
/// run with the same settings no stage runs again.
final class AnnotateCLITests: XCTestCase {
    static let field = "_entropyguard"
    static let members = ["kept", "stage", "reason", "details", "duplicate_of", "similarity"]

    private func objects(_ url: URL) throws -> [[String: Any]] {
        try read(url).split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// The stage statuses of a `--json` summary, without the output line.
    private func stageStatuses(_ result: CLIResult) throws -> [String: String] {
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], result.stdoutText)
        let stages = try XCTUnwrap(summary["stages"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: stages.compactMap { stage in
            (stage["name"] as? String).flatMap { $0 == "output" ? nil : ($0, stage["status"] as? String ?? "") }
        })
    }

    /// Reads a CSV or Parquet file with Python (csv module, pyarrow) and returns its rows as objects.
    private func readBack(_ url: URL, in directory: URL) throws -> (columns: [String], rows: [[String: Any]]) {
        let script = directory.appendingPathComponent("read_back.py")
        try write("""
            import csv, json, sys
            path = sys.argv[1]
            if path.endswith(".csv"):
                with open(path, newline="", encoding="utf-8") as f:
                    rows = list(csv.DictReader(f))
                columns = list(rows[0].keys()) if rows else []
            else:
                import pyarrow.parquet as pq
                table = pq.read_table(path)
                columns = [f"{f.name}:{f.type}" for f in table.schema]
                rows = table.to_pylist()
            print(json.dumps({"columns": columns, "rows": rows}))
            """, to: script)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try snapshotCheckPython())
        process.arguments = [script.path, url.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (object["columns"] as? [String] ?? [], object["rows"] as? [[String: Any]] ?? [])
    }

    func testAnnotatedJSONLHasEveryRecordInOrderAgreesWithTheAuditAndResumesWithoutRerunningAStage() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        try write(makeDataset(rows: 400, seed: 7), to: input)
        let base = ["--input", input.path, "--text-column", "text", "--checkpoint-dir", dir.appendingPathComponent("ck").path,
                    "--no-semantic-dedup", "--min-length", "20", "--json", "--quiet"]
        let normal = try CLI.run(base + ["--output", dir.appendingPathComponent("out.jsonl").path,
                                         "--audit-log", dir.appendingPathComponent("audit.jsonl").path])
        XCTAssertEqual(normal.status, 0, normal.stderr)
        let first = try stageStatuses(normal)
        XCTAssertTrue(first.values.allSatisfy { $0 == "ran" || $0 == "off" }, "\(first)")

        let annotated = try CLI.run(base + ["--output", dir.appendingPathComponent("annotated.jsonl").path, "--annotate"])
        XCTAssertEqual(annotated.status, 0, annotated.stderr)
        // Only an output choice: every stage resumed from its checkpoint, none ran again.
        let statuses = try stageStatuses(annotated)
        XCTAssertEqual(Set(statuses.keys), Set(StageRegistry.standard.names))
        XCTAssertEqual(Set(statuses.values), ["resumed"], "\(statuses)")

        let records = try objects(dir.appendingPathComponent("annotated.jsonl"))
        XCTAssertEqual(records.count, 400, "every record")
        XCTAssertEqual(records.map { $0["id"] as? Int }, (0..<400).map { $0 }, "input order")
        let audit = Dictionary(uniqueKeysWithValues: try objects(dir.appendingPathComponent("audit.jsonl")).map { ($0["row_index"] as! Int, $0) })
        var reasons = Set<String>()
        for (row, record) in records.enumerated() {
            let annotation = try XCTUnwrap(record[Self.field] as? [String: Any], "row \(row)")
            XCTAssertEqual(Set(annotation.keys), Set(Self.members))
            if let entry = audit[row] {
                XCTAssertEqual(annotation["kept"] as? Bool, false, "row \(row)")
                for key in ["stage", "reason", "details", "duplicate_of", "similarity"] {
                    XCTAssertEqual("\(annotation[key] ?? "absent")", "\(entry[key] ?? "absent")", "row \(row) \(key)")
                }
                reasons.insert(entry["reason"] as! String)
            } else {
                XCTAssertEqual(annotation["kept"] as? Bool, true, "row \(row)")
                for key in Self.members.dropFirst() { XCTAssertTrue(annotation[key] is NSNull, "row \(row) \(key)") }
            }
        }
        XCTAssertEqual(reasons, ["exact_duplicate", "below_min_length", "empty_or_null"])
        // The kept records, without the annotation, are the normal output, line for line.
        let keptLines = try read(dir.appendingPathComponent("annotated.jsonl")).split(separator: "\n").filter { $0.contains(#""kept": true"#) }
        let expected = try read(dir.appendingPathComponent("out.jsonl")).split(separator: "\n")
        XCTAssertEqual(keptLines.count, expected.count)
        for (line, normalLine) in zip(keptLines, expected) {
            let suffix = #","\#(Self.field)":{"kept": true, "stage": null, "reason": null, "details": null, "duplicate_of": null, "similarity": null}}"#
            XCTAssertTrue(line.hasSuffix(suffix), String(line))
            XCTAssertEqual(line.dropLast(suffix.count) + "}", normalLine)
        }
    }

    func testAnnotatedCSVAndParquetHoldTheSameValuesAsFlattenedColumns() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        try write(makeDataset(rows: 200, seed: 11), to: input)
        let base = ["--input", input.path, "--text-column", "text", "--checkpoint-dir", dir.appendingPathComponent("ck").path,
                    "--no-semantic-dedup", "--min-length", "20", "--quiet", "--annotate", "--annotate-field", "eg"]
        for output in ["a.jsonl", "a.csv", "a.parquet"] {
            let result = try CLI.run(base + ["--output", dir.appendingPathComponent(output).path])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let reference = try objects(dir.appendingPathComponent("a.jsonl"))
        XCTAssertEqual(reference.count, 200)
        let names = Self.members.map { "eg.\($0)" }

        let csv = try readBack(dir.appendingPathComponent("a.csv"), in: dir)
        XCTAssertEqual(Array(csv.columns.suffix(6)), names)
        XCTAssertEqual(csv.rows.count, 200)
        for (row, (record, expected)) in zip(csv.rows, reference).enumerated() {
            let annotation = expected["eg"] as! [String: Any]
            XCTAssertEqual(record["id"] as? String, "\(expected["id"]!)", "row \(row)")
            for member in Self.members {
                let value = annotation[member]!
                // (JSONSerialization's numbers cast to Bool too: only kept is one.)
                let text = value is NSNull ? "" : member == "kept" ? ((value as! Bool) ? "true" : "false") : "\(value)"
                XCTAssertEqual(record["eg.\(member)"] as? String, text, "row \(row) \(member)")
            }
        }

        let parquet = try readBack(dir.appendingPathComponent("a.parquet"), in: dir)
        XCTAssertEqual(Array(parquet.columns.suffix(6)), ["eg.kept:bool", "eg.stage:string", "eg.reason:string", "eg.details:string",
                                                          "eg.duplicate_of:int64", "eg.similarity:double"])
        XCTAssertEqual(parquet.rows.count, 200)
        for (row, (record, expected)) in zip(parquet.rows, reference).enumerated() {
            let annotation = expected["eg"] as! [String: Any]
            XCTAssertEqual(record["id"] as? Int, expected["id"] as? Int, "row \(row)")
            XCTAssertEqual("\(record["text"] ?? "absent")", "\(expected["text"] ?? "absent")", "row \(row)")
            for member in Self.members {
                XCTAssertEqual("\(record["eg.\(member)"]!)", "\(annotation[member]!)", "row \(row) \(member)")
            }
        }
    }

    /// Parquet input (written by pyarrow), annotated to Parquet and JSONL: every record in input order
    /// with the input's columns, the annotation (read back with pyarrow) agrees with the audit log, and
    /// the kept records are a normal run's output.
    func testParquetInputAnnotatedToParquetAndJSONLAgreesWithTheAudit() throws {
        let dir = try makeTemporaryDirectory()
        let jsonl = dir.appendingPathComponent("in.jsonl")
        try write(makeDataset(rows: 300, seed: 13), to: jsonl)
        let input = dir.appendingPathComponent("in.parquet")
        try python(ParquetInputCLITests.toParquet, [jsonl.path, input.path, "64", "1", "snappy"], in: dir)
        let base = ["--input", input.path, "--text-column", "text", "--checkpoint-dir", dir.appendingPathComponent("ck").path,
                    "--no-semantic-dedup", "--min-length", "20", "--quiet"]
        var result = try CLI.run(base + ["--output", dir.appendingPathComponent("out.jsonl").path,
                                         "--audit-log", dir.appendingPathComponent("audit.jsonl").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        for output in ["a.parquet", "a.jsonl"] {
            result = try CLI.run(base + ["--annotate", "--output", dir.appendingPathComponent(output).path])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let audit = Dictionary(uniqueKeysWithValues: try objects(dir.appendingPathComponent("audit.jsonl")).map { ($0["row_index"] as! Int, $0) })
        XCTAssertGreaterThan(audit.count, 20)
        let parquet = try readBack(dir.appendingPathComponent("a.parquet"), in: dir)
        XCTAssertEqual(Array(parquet.columns.suffix(6)), ["_entropyguard.kept:bool", "_entropyguard.stage:string", "_entropyguard.reason:string",
                                                          "_entropyguard.details:string", "_entropyguard.duplicate_of:int64", "_entropyguard.similarity:double"])
        XCTAssertTrue(parquet.columns.starts(with: ["id:int64", "text:string"]), "\(parquet.columns)")
        let annotatedJSONL = try objects(dir.appendingPathComponent("a.jsonl"))
        XCTAssertEqual(parquet.rows.count, 300)
        XCTAssertEqual(annotatedJSONL.count, 300)
        var reasons = Set<String>()
        for (row, record) in parquet.rows.enumerated() {
            XCTAssertEqual(record["id"] as? Int, row, "input order")
            let annotation = annotatedJSONL[row][Self.field] as! [String: Any]
            if let entry = audit[row] {
                XCTAssertEqual(record["_entropyguard.kept"] as? Bool, false, "row \(row)")
                for key in Self.members.dropFirst() {
                    XCTAssertEqual("\(record["_entropyguard.\(key)"] ?? "absent")", "\(entry[key] ?? "absent")", "row \(row) \(key)")
                    XCTAssertEqual("\(annotation[key] ?? "absent")", "\(entry[key] ?? "absent")", "row \(row) \(key) (JSONL)")
                }
                reasons.insert(entry["reason"] as! String)
            } else {
                XCTAssertEqual(record["_entropyguard.kept"] as? Bool, true, "row \(row)")
                XCTAssertEqual(annotation["kept"] as? Bool, true, "row \(row) (JSONL)")
                for key in Self.members.dropFirst() { XCTAssertTrue(record["_entropyguard.\(key)"] is NSNull, "row \(row) \(key)") }
            }
        }
        XCTAssertTrue(reasons.isSuperset(of: ["exact_duplicate", "below_min_length"]), "\(reasons)")
        // The kept records (id, text) are the normal output's.
        let kept = parquet.rows.filter { $0["_entropyguard.kept"] as? Bool == true }.map { ["\($0["id"]!)", "\($0["text"]!)"] }
        XCTAssertEqual(kept, try objects(dir.appendingPathComponent("out.jsonl")).map { ["\($0["id"]!)", "\($0["text"]!)"] })
    }

    /// A row split into chunks goes out (dropped, reason split_into_chunks) right before its chunks,
    /// which carry their parent; the kept records are the normal output.
    func testChunkedRowsComeRightAfterTheirParent() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        let long = (0..<30).map { "Sentence number \($0) talks about something else entirely." }.joined(separator: " ")
        try write([#"{"id": 0, "text": "\#(long)"}"#, #"{"id": 1, "text": "tiny"}"#,
                   #"{"id": 2, "text": "A text of medium length that is kept whole by the chunker."}"#].joined(separator: "\n") + "\n", to: input)
        let base = ["--input", input.path, "--checkpoint-dir", dir.appendingPathComponent("ck").path, "--no-semantic-dedup",
                    "--min-length", "10", "--chunk-size", "200", "--quiet"]
        XCTAssertEqual(try CLI.run(base + ["--output", dir.appendingPathComponent("out.jsonl").path]).status, 0)
        let result = try CLI.run(base + ["--output", dir.appendingPathComponent("a.jsonl").path, "--annotate"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let records = try objects(dir.appendingPathComponent("a.jsonl"))
        let parent = records[0]
        let annotation = parent[Self.field] as! [String: Any]
        XCTAssertEqual(annotation["kept"] as? Bool, false)
        XCTAssertEqual(annotation["reason"] as? String, "split_into_chunks")
        XCTAssertTrue(parent["_chunk"] is NSNull)
        let chunks = records.prefix { ($0["id"] as? Int) == 0 }.dropFirst()
        XCTAssertGreaterThan(chunks.count, 2)
        XCTAssertEqual(annotation["details"] as? String, "\(chunks.count) chunks")
        for (index, chunk) in chunks.enumerated() {
            XCTAssertEqual(chunk["_chunk"] as? [String: Int], ["parent": 0, "index": index])
            XCTAssertEqual((chunk[Self.field] as? [String: Any])?["kept"] as? Bool, true)
        }
        XCTAssertEqual(records.count, 1 + chunks.count + 2)
        XCTAssertEqual(records.suffix(2).map { $0["id"] as? Int }, [1, 2])
        var kept = records.filter { ($0[Self.field] as? [String: Any])?["kept"] as? Bool == true }
        for index in kept.indices { kept[index][Self.field] = nil }
        XCTAssertEqual(kept as NSArray, try objects(dir.appendingPathComponent("out.jsonl")) as NSArray)
    }

    func testAnnotateFieldThatTheInputHasIsAUsageError() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.csv")
        try write("text,_entropyguard.kept\nA text long enough to be kept by the validator.,x\n", to: input)
        let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.csv").path, "--annotate",
                                  "--no-semantic-dedup", "--quiet"])
        XCTAssertEqual(result.status, ExitStatus.usage.rawValue, result.stderr)
        XCTAssertTrue(result.stderr.contains("--annotate-field"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.csv").path))
    }
}
