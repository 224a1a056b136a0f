@testable import EntropyGuard
import Foundation
import XCTest

/// `--input` Parquet (a file, a directory, a glob), written by the venv's pyarrow: the pipeline keeps
/// the same rows and texts as from the same records in JSONL, resumes like it, and reports bad files.
final class ParquetInputCLITests: XCTestCase {
    /// JSONL records to Parquet: one file with `group` rows per row group, or `parts` files.
    static let toParquet = #"""
import json, sys, pyarrow as pa, pyarrow.parquet as pq
src, dst, group, parts, codec = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rows = [json.loads(l) for l in open(src, encoding="utf-8")]
for r in rows:
    r["score"] = None if r.get("score") is None else float(r["score"])
table = pa.Table.from_pylist(rows)
if parts == 1:
    pq.write_table(table, dst, row_group_size=group, compression=codec)
else:
    step = (len(rows) + parts - 1) // parts
    for k in range(parts):
        # Names whose byte order is the row order.
        pq.write_table(table.slice(k * step, step), f"{dst}/part-{k:03d}.parquet", row_group_size=group, compression=codec)
"""#

    func run(_ input: URL, _ output: URL, _ extra: [String] = []) throws -> CLIResult {
        try CLI.run(["--input", input.path, "--output", output.path, "--no-semantic-dedup", "--quiet", "--batch-size", "97"] + extra)
    }

    /// (id, text) of each JSONL output line.
    func keptRows(_ url: URL) throws -> [[String]] {
        try read(url).split(separator: "\n").map { line in
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return ["\(object["id"] ?? "")", object["text"] as? String ?? "<none>"]
        }
    }

    func testSameKeptRowsAndTextsAsJSONLFromOneFileADirectoryAndAGlob() throws {
        let dir = try makeTemporaryDirectory()
        let jsonl = dir.appendingPathComponent("in.jsonl")
        try write(makeDataset(rows: 1500, seed: 11), to: jsonl)
        let parquet = dir.appendingPathComponent("in.parquet")
        let parts = dir.appendingPathComponent("parts")
        try FileManager.default.createDirectory(at: parts, withIntermediateDirectories: true)
        try python(Self.toParquet, [jsonl.path, parquet.path, "130", "1", "zstd"], in: dir)
        try python(Self.toParquet, [jsonl.path, parts.path, "70", "3", "snappy"], in: dir)

        let fromJSONL = dir.appendingPathComponent("j.jsonl")
        let result = try run(jsonl, fromJSONL)
        XCTAssertEqual(result.status, 0, result.stderr)
        let expected = try keptRows(fromJSONL)
        XCTAssertGreaterThan(expected.count, 1000)
        XCTAssertLessThan(expected.count, 1500)   // the dataset's duplicates and short texts were dropped

        let fromParquet = dir.appendingPathComponent("p.jsonl")
        // Text column detected, as for JSONL.
        let single = try run(parquet, fromParquet)
        XCTAssertEqual(single.status, 0, single.stderr)
        XCTAssertEqual(try keptRows(fromParquet), expected)
        for input in [parts.path, parts.path + "/*.parquet"] {
            let out = dir.appendingPathComponent("multi.jsonl")
            let multi = try CLI.run(["--input", input, "--output", out.path, "--no-semantic-dedup", "--quiet", "--text-column", "text"])
            XCTAssertEqual(multi.status, 0, multi.stderr)
            XCTAssertEqual(try keptRows(out), expected, input)
        }
    }

    /// JSONL and CSV outputs carry every column: nested values as JSON, timestamps and dates ISO 8601.
    func testOutputsCarryEveryColumnAsJSONValues() throws {
        let dir = try makeTemporaryDirectory()
        let parquet = dir.appendingPathComponent("typed.parquet")
        try python(#"""
import sys, datetime, decimal, pyarrow as pa, pyarrow.parquet as pq
n = 6
table = pa.table({
    "id": pa.array(range(n), pa.int32()),
    "body": [f"<b>Record</b> number {i} has a long enough body of text" for i in range(n)],
    "ts": pa.array([datetime.datetime(2024, 3, 1, 8, 30, i) for i in range(n)], pa.timestamp("ms", tz="UTC")),
    "day": pa.array([datetime.date(2020, 1, 1 + i) for i in range(n)], pa.date32()),
    "price": pa.array([decimal.Decimal(f"{i}.25") for i in range(n)], pa.decimal128(6, 2)),
    "tags": [["x", str(i)] for i in range(n)],
    "meta": [{"k": i, "ok": i % 2 == 0} for i in range(n)],
})
pq.write_table(table, sys.argv[1], row_group_size=4)
"""#, [parquet.path], in: dir)

        let jsonl = dir.appendingPathComponent("out.jsonl")
        let result = try run(parquet, jsonl, ["--text-column", "body", "--min-length", "10"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try read(jsonl).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 6)
        // sanitize stripped the HTML of the text column only; every other value as it was read.
        XCTAssertEqual(lines[5], #"{"id":5,"body":"Record number 5 has a long enough body of text","ts":"2024-03-01T08:30:05.000Z","day":"2020-01-06","price":5.25,"tags":["x","5"],"meta":{"k":5,"ok":false}}"#)

        let csv = dir.appendingPathComponent("out.csv")
        let csvResult = try run(parquet, csv, ["--text-column", "body", "--min-length", "10"])
        XCTAssertEqual(csvResult.status, 0, csvResult.stderr)
        let rows = try read(csv).components(separatedBy: "\r\n")
        XCTAssertEqual(rows[0], "id,body,ts,day,price,tags,meta")
        XCTAssertEqual(rows[1], #"0,Record number 0 has a long enough body of text,2024-03-01T08:30:00.000Z,2020-01-01,0.25,"[""x"",""0""]","{""k"":0,""ok"":true}""#)
        XCTAssertEqual(rows.count, 8)   // header, 6 rows, and the empty string after the last CRLF

        // --required-columns checks the schema.
        let missing = try run(parquet, jsonl, ["--required-columns", "id,nope"])
        XCTAssertEqual(missing.status, 64, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("has no column nope; available columns:"), missing.stderr)
        XCTAssertEqual(try run(parquet, jsonl, ["--required-columns", "id,meta", "--text-column", "body"]).status, 0)
    }

    func testResumeAfterACompletedRunDoesNoWorkEvenWhenTheFileMoved() throws {
        let dir = try makeTemporaryDirectory()
        let jsonl = dir.appendingPathComponent("in.jsonl")
        try write(makeDataset(rows: 400, seed: 3), to: jsonl)
        let parquet = dir.appendingPathComponent("in.parquet")
        try python(Self.toParquet, [jsonl.path, parquet.path, "50", "1", "zstd"], in: dir)
        let ck = dir.appendingPathComponent("ck")
        func pipeline(_ input: URL, _ output: String) throws -> [String] {
            let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent(output).path, "--text-column", "text",
                                      "--checkpoint-dir", ck.path, "--no-semantic-dedup", "--json"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
            return try XCTUnwrap(summary["stages"] as? [[String: Any]]).compactMap { $0["status"] as? String }
        }
        XCTAssertEqual(Array(try pipeline(parquet, "first.jsonl").prefix(7)), ["ran", "ran", "off", "ran", "ran", "ran", "off"])
        // The snapshots carry the input's columns.
        XCTAssertTrue(FileManager.default.fileExists(atPath: ck.appendingPathComponent("after_ingest.parquet").path))
        let moved = dir.appendingPathComponent("renamed.parquet")
        try FileManager.default.moveItem(at: parquet, to: moved)
        XCTAssertEqual(Array(try pipeline(moved, "second.jsonl").prefix(7)), Array(repeating: "resumed", count: 7))
        XCTAssertEqual(try read(dir.appendingPathComponent("first.jsonl")), try read(dir.appendingPathComponent("second.jsonl")))
    }

    func testBadParquetExits65NamingFileRowGroupColumnAndPage() throws {
        let dir = try makeTemporaryDirectory()
        let jsonl = dir.appendingPathComponent("in.jsonl")
        try write(makeDataset(rows: 300, seed: 9), to: jsonl)
        let parquet = dir.appendingPathComponent("in.parquet")
        try python(Self.toParquet, [jsonl.path, parquet.path, "100", "1", "zstd"], in: dir)
        // Garbles the end of the given column's chunk in row group 1 (past its page header).
        let garble = #"""
import sys, pyarrow.parquet as pq
path, column = sys.argv[1], sys.argv[2]
meta = pq.ParquetFile(path).metadata
rg = meta.row_group(1)
chunk = next(rg.column(i) for i in range(rg.num_columns) if rg.column(i).path_in_schema == column)
start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
end = start + chunk.total_compressed_size
data = bytearray(open(path, "rb").read())
# The end of the chunk is inside its last page's body.
for k in range(end - 30, end - 6): data[k] ^= 0x5A
open(path, "wb").write(bytes(data))
"""#
        for column in ["text", "score"] {
            let bad = dir.appendingPathComponent("bad-\(column).parquet")
            try? FileManager.default.removeItem(at: bad)
            try FileManager.default.copyItem(at: parquet, to: bad)
            try python(garble, [bad.path, column], in: dir)
            // The text column fails at ingest; another one when the output reads the records back.
            let result = try run(bad, dir.appendingPathComponent("out.jsonl"), ["--text-column", "text"])
            XCTAssertEqual(result.status, 65, result.stderr)
            XCTAssertTrue(result.stderr.hasPrefix("entropyguard: error: \(bad.path): row group 1, column \(column), page "), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path))
        }
        let truncated = dir.appendingPathComponent("cut.parquet")
        try Data(contentsOf: parquet).prefix(5000).write(to: truncated)
        let result = try run(truncated, dir.appendingPathComponent("out.jsonl"))
        XCTAssertEqual(result.status, 65, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("entropyguard: error: \(truncated.path): truncated: "), result.stderr)
        // A directory without Parquet files: no input.
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = try run(empty, dir.appendingPathComponent("out.jsonl"))
        XCTAssertEqual(none.status, 66, none.stderr)
        XCTAssertTrue(none.stderr.contains("no .parquet files found"), none.stderr)
        // A glob is an input of Parquet files: one that matches only JSONL is none.
        let notParquet = try run(URL(fileURLWithPath: dir.path + "/*.jsonl"), dir.appendingPathComponent("out.jsonl"))
        XCTAssertEqual(notParquet.status, 66, notParquet.stderr)
        XCTAssertTrue(notParquet.stderr.contains("/*.jsonl: no .parquet files found"), notParquet.stderr)
    }

    /// Ingest resumes at any row (after the batches a killed run committed): the row groups before it
    /// are skipped, and the rows read are the same as those of a run from the start, across files.
    func testIngestParserResumesAtAnyRowAcrossRowGroupsAndFiles() throws {
        let dir = try makeTemporaryDirectory()
        let jsonl = dir.appendingPathComponent("in.jsonl")
        try write(makeDataset(rows: 300, seed: 4), to: jsonl)
        try python(Self.toParquet, [jsonl.path, dir.path, "40", "3", "zstd"], in: dir)
        let files = (0..<3).map { dir.appendingPathComponent(String(format: "part-%03d.parquet", $0)).path }
        func rows(from start: Int64, batch: Int) throws -> [String] {
            let parser = try ParquetIngestParser(files: files, textColumn: "text", startRow: start)
            var out: [String] = []
            while true {
                let parsed = try parser.nextBatch(maxRows: batch)
                for row in parsed.rows {
                    let text = String(decoding: parsed.texts[row.textStart..<(row.textStart + row.textCount)], as: UTF8.self)
                    let id = ParquetRecordID(offset: row.offset, length: row.length)
                    out.append("\(row.row) \(row.line) \(id.file)/\(id.rowGroup)/\(id.row) \(row.state) \(row.key) \(text)")
                }
                if parsed.finished { return out }
            }
        }
        let all = try rows(from: 0, batch: 1000)
        XCTAssertEqual(all.count, 300)
        XCTAssertEqual(all[0].prefix(12), "0 1 0/0/0 ok")
        XCTAssertEqual(all[141].prefix(16), "141 142 1/1/1 ok")   // 100 rows per file, 40 per row group
        for start in [1, 39, 40, 41, 99, 100, 101, 299, 300] as [Int64] {
            XCTAssertEqual(try rows(from: start, batch: 7), Array(all[Int(start)...]), "from row \(start)")
        }
    }
}
