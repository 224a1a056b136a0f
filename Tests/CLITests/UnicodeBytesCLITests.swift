import EntropyGuard
import Foundation
import XCTest

/// Texts and names are bytes, end to end: a text whose only change is NFC is rewritten, `--no-sanitize`
/// keeps every byte, exact dedup compares bytes, and JSON keys or values that differ only in Unicode
/// normalization stay apart in CSV and Parquet. Expectations are compared as bytes (or as ASCII JSON
/// from Python): `String ==` is canonical equivalence and would pass with either form.
final class UnicodeBytesCLITests: XCTestCase {
    // Long enough for the default --min-length (50). Decomposed: e + U+0301 COMBINING ACUTE ACCENT.
    static let composed = "Caf\u{E9} au lait is coffee with hot milk served in a large cup at breakfast."
    static let decomposed = "Cafe\u{301} au lait is coffee with hot milk served in a large cup at breakfast."
    /// `decomposed` as a JSON literal with the accent escaped: the same text, other record bytes.
    static let decomposedEscaped = #"Cafe\u0301 au lait is coffee with hot milk served in a large cup at breakfast."#
    static let brulee = "Cre\u{300}me bru\u{302}le\u{301}e is a custard with a layer of hard caramel on top of it."
    static let bruleeComposed = "Cr\u{E8}me br\u{FB}l\u{E9}e is a custard with a layer of hard caramel on top of it."

    static let lines = [
        #"{"id": 0, "text": "\#(decomposed)"}"#,
        #"{"id": 1, "text": "\#(composed)"}"#,
        #"{"id": 2, "text": "\#(decomposedEscaped)"}"#,
        #"{"id": 3, "text": "\#(brulee)"}"#,
    ]

    private func run(_ lines: [String], _ extra: [String], output: String = "out.jsonl", in dir: URL) throws -> CLIResult {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("in.jsonl"))
        return try CLI.run(["--input", dir.appendingPathComponent("in.jsonl").path,
                            "--output", dir.appendingPathComponent(output).path,
                            "--audit-log", dir.appendingPathComponent("audit.jsonl").path,
                            "--no-semantic-dedup", "--json", "--quiet"] + extra)
    }

    private func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// (row_index, duplicate_of) of the exact duplicates in the audit log.
    private func exactDuplicates(_ dir: URL) throws -> [[Int]] {
        try read(dir.appendingPathComponent("audit.jsonl")).split(separator: "\n").compactMap {
            let entry = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            guard entry["reason"] as? String == "exact_duplicate" else { return nil }
            return [entry["row_index"] as! Int, entry["duplicate_of"] as! Int]
        }
    }

    private func notes(_ result: CLIResult, stage: String) throws -> [String: Int] {
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let stages = try XCTUnwrap(summary["stages"] as? [[String: Any]])
        return try XCTUnwrap(stages.first { $0["name"] as? String == stage }?["notes"] as? [String: Int])
    }

    /// Sanitize on: a text whose only change is NFC comes out composed (it used to come out as it came
    /// in), and then equals the composed text, so exact dedup drops the other two forms.
    func testSanitizeComposesDecomposedTextsAndDedupsTheForms() throws {
        let dir = try makeTemporaryDirectory()
        let result = try run(Self.lines, [], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let expected = #"{"id": 0, "text": "\#(Self.composed)"}"# + "\n" + #"{"id": 3, "text": "\#(Self.bruleeComposed)"}"# + "\n"
        XCTAssertEqual(try bytes(dir.appendingPathComponent("out.jsonl")), Array(expected.utf8))
        XCTAssertEqual(try notes(result, stage: "sanitize")["texts_changed"], 3)
        XCTAssertEqual(try exactDuplicates(dir), [[1, 0], [2, 0]])
    }

    /// `--no-sanitize`: records go out byte for byte. Exact dedup compares bytes, so the composed and the
    /// decomposed text are both kept; the escaped record decodes to the same bytes as row 0 and is dropped.
    /// (Fuzzy dedup, off here, would drop the decomposed text: 10 of its 12 word 5-grams are the composed
    /// text's, as only the first word differs in bytes.)
    func testNoSanitizeKeepsBytesAndExactDedupComparesBytes() throws {
        let dir = try makeTemporaryDirectory()
        let result = try run(Self.lines, ["--no-sanitize", "--no-fuzzy-dedup"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let expected = [Self.lines[0], Self.lines[1], Self.lines[3]].joined(separator: "\n") + "\n"
        XCTAssertEqual(try bytes(dir.appendingPathComponent("out.jsonl")), Array(expected.utf8))
        XCTAssertEqual(try exactDuplicates(dir), [[2, 0]])
    }

    /// Keys "caf\u{E9}" and "cafe\u{301}" are two columns and "\u{E9}" / "e\u{301}" two values, in the
    /// Parquet output and the snapshots (read back with pyarrow, printed as ASCII-escaped JSON).
    func testParquetOutputAndSnapshotsKeepBothForms() throws {
        let dir = try makeTemporaryDirectory()
        let lines = [
            #"{"id": 0, "text": "\#(Self.composed)", "name": "\#u{E9}", "caf\#u{E9}": 1}"#,
            #"{"id": 1, "text": "\#(Self.decomposed)", "name": "e\#u{301}", "cafe\#u{301}": "x"}"#,
            #"{"id": 2, "text": "\#(Self.brulee)", "name": "e\u0301", "caf\u00e9": 3}"#,
            #"{"id": 3, "text": "\#(Self.composed)", "name": "\#u{E9}", "caf\#u{E9}": 4}"#,
        ]
        let result = try run(lines, ["--no-sanitize", "--no-fuzzy-dedup", "--checkpoint-dir", dir.appendingPathComponent("ck").path],
                             output: "out.parquet", in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try exactDuplicates(dir), [[3, 0]])
        let script = """
            import json, sys
            import pyarrow.parquet as pq
            for path in sys.argv[1:]:
                table = pq.read_table(path)
                columns = [[f.name, str(f.type)] for f in table.schema]
                rows = [[row[name] for name in table.schema.names] for row in table.to_pylist()]
                print(json.dumps([columns, rows], ensure_ascii=True))
            """
        let scriptURL = dir.appendingPathComponent("forms.py")
        try write(script, to: scriptURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try snapshotCheckPython())
        process.arguments = [scriptURL.path, dir.appendingPathComponent("out.parquet").path,
                             dir.appendingPathComponent("ck/after_ingest.parquet").path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, printed)

        let composed = #""Caf\u00e9 au lait is coffee with hot milk served in a large cup at breakfast.""#
        let decomposed = #""Cafe\u0301 au lait is coffee with hot milk served in a large cup at breakfast.""#
        let brulee = #""Cre\u0300me bru\u0302le\u0301e is a custard with a layer of hard caramel on top of it.""#
        let columns = #"["id", "int64"], ["text", "string"], ["name", "string"], ["caf\u00e9", "int64"], ["cafe\u0301", "string"]"#
        let rows = [
            #"0, \#(composed), "\u00e9", 1, null"#,
            #"1, \#(decomposed), "e\u0301", null, "x""#,
            #"2, \#(brulee), "e\u0301", 3, null"#,
            #"3, \#(composed), "\u00e9", 4, null"#,
        ]
        let output = "[[\(columns)], [\(rows[0..<3].map { "[\($0)]" }.joined(separator: ", "))]]"
        let snapshot = #"[[["_row", "int64"], "# + columns + "], [" + rows.enumerated().map { "[\($0.offset), \($0.element)]" }.joined(separator: ", ") + "]]"
        XCTAssertEqual(printed, output + "\n" + snapshot + "\n")
    }

    /// JSONL to CSV: the two keys are two columns, each value under its own key's column.
    func testCSVOutputHasAColumnPerKeyBytes() throws {
        let dir = try makeTemporaryDirectory()
        let lines = [
            #"{"text": "\#(Self.composed)", "caf\#u{E9}": "composed key"}"#,
            #"{"text": "\#(Self.brulee)", "cafe\#u{301}": "decomposed key"}"#,
        ]
        let result = try run(lines, ["--no-sanitize"], output: "out.csv", in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let expected = "text,caf\u{E9},cafe\u{301}\r\n\(Self.composed),composed key,\r\n\(Self.brulee),,decomposed key\r\n"
        XCTAssertEqual(try bytes(dir.appendingPathComponent("out.csv")), Array(expected.utf8))
    }

    /// CSV header names are matched by bytes, like JSON keys: a --text-column that reads the same but is
    /// encoded in another normalization form is refused with a message that says so.
    func testTextColumnIsMatchedByBytes() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.csv")
        try Data("id,cafe\u{301}\r\n1,\(Self.composed)\r\n".utf8).write(to: input)
        let arguments = ["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path, "--no-semantic-dedup", "--text-column"]
        let refused = try CLI.run(arguments + ["caf\u{E9}"])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("another Unicode normalization form"), refused.stderr)
        let accepted = try CLI.run(arguments + ["cafe\u{301}"])
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        let expected = #"{"id":"1","cafe\#u{301}":"\#(Self.composed)"}"# + "\n"
        XCTAssertEqual(try bytes(dir.appendingPathComponent("out.jsonl")), Array(expected.utf8))
    }
}
