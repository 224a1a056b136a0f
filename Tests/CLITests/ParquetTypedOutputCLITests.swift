@testable import EntropyGuard
import Foundation
import XCTest

/// Parquet input to Parquet output and snapshots: every input column keeps its type and values
/// (pyarrow and DuckDB read them back); `embed` reads Parquet input's text column.
extension ParquetInputCLITests {
    /// A file with a column of each type pyarrow writes that the pipeline must carry, nulls in each;
    /// its `text` column has an exact duplicate (row 5 of row 4) and an e-mail address (row 9).
    static let typedFile = #"""
import sys, datetime, decimal, pyarrow as pa, pyarrow.parquet as pq
n, D = 40, decimal.Decimal
def nul(i, v): return None if i % 7 == 3 else v
texts = [f"Record number {i} talks about topic {i % 5} in some detail, with enough words to be kept." for i in range(n)]
texts[5] = texts[4]
texts[9] = "Contact me at alice@example.com about record nine, which has a long enough text to pass."
table = pa.table({
    "id": pa.array(range(n), pa.int64()),
    "i32": pa.array([nul(i, i * 1000 - 7) for i in range(n)], pa.int32()),
    "f32": pa.array([nul(i, i / 3) for i in range(n)], pa.float32()),
    "f64": pa.array([nul(i, i / 7) for i in range(n)], pa.float64()),
    "flag": pa.array([nul(i, i % 2 == 0) for i in range(n)], pa.bool_()),
    "text": pa.array(texts, pa.string()),
    "label": pa.array([nul(i, f"label-{i % 3}") for i in range(n)], pa.string()),
    "ts_utc": pa.array([nul(i, 1_700_000_000_000_000 + i * 1_234_567) for i in range(n)], pa.timestamp("us", tz="UTC")),
    "ts_ms": pa.array([nul(i, -86_400_000 * 365 + i * 1000) for i in range(n)], pa.timestamp("ms")),
    "day": pa.array([nul(i, datetime.date(1969, 12, 1) + datetime.timedelta(days=i * 40)) for i in range(n)], pa.date32()),
    "dec_small": pa.array([nul(i, D(i * 12345 - 100000) / 100) for i in range(n)], pa.decimal128(10, 2)),
    "dec_big": pa.array([nul(i, D("-12345678901234567890123.4567") + i) for i in range(n)], pa.decimal128(30, 4)),
    "fixed": pa.array([nul(i, bytes([i, 255 - i, 7, 0])) for i in range(n)], pa.binary(4)),
    "blob": pa.array([nul(i, bytes(range(i % 9))) for i in range(n)], pa.binary()),
    "tags": pa.array([nul(i, [f"t{j}" for j in range(i % 4)] if i % 5 else [None, "x"]) for i in range(n)], pa.list_(pa.string())),
    "point": pa.array([nul(i, {"x": i, "y": None if i % 4 == 0 else i / 2, "name": f"p{i}"}) for i in range(n)],
                      pa.struct([("x", pa.int32()), ("y", pa.float64()), ("name", pa.string())])),
    "attrs": pa.array([nul(i, [(f"k{j}", j * i) for j in range(i % 3)]) for i in range(n)], pa.map_(pa.string(), pa.int64())),
    "nested": pa.array([nul(i, [{"a": [i, None], "b": None}] if i % 2 else []) for i in range(n)],
                       pa.list_(pa.struct([("a", pa.list_(pa.int16())), ("b", pa.string())]))),
})
pq.write_table(table, sys.argv[1], row_group_size=15)
"""#

    /// Checks files against the input: the same columns in order (after ours, `_…`), each of the same
    /// type and nullability; the untouched columns equal value for value for the surviving rows (by
    /// `id`); the text the input's but for row 9's e-mail; DuckDB reads the file too.
    static let typedCheck = #"""
import sys, duckdb, pyarrow.parquet as pq
src = pq.read_table(sys.argv[1])
expected_rows = [int(n) for n in sys.argv[2].split(",")]
for out, rows in zip(sys.argv[3:], expected_rows):
    got = pq.read_table(out)
    assert got.num_rows == rows, (out, got.num_rows, rows)
    cols = [n for n in got.column_names if not n.startswith("_")]
    assert cols == src.column_names, (out, cols)
    for name in cols:
        a, b = src.schema.field(name), got.schema.field(name)
        assert a.type == b.type and a.nullable == b.nullable, (out, name, str(a), str(b))
    kept = src.take(got.column("id").to_pylist())
    for name in cols:
        if name != "text":
            assert kept.column(name).to_pylist() == got.column(name).to_pylist(), (out, name)
    for i, (a, b) in enumerate(zip(kept.column("text").to_pylist(), got.column("text").to_pylist())):
        assert a == b or ("alice@" in a and "alice@" not in b and "[EMAIL_REMOVED]" in b), (out, i, a, b)
    con = duckdb.connect()
    n, points, tags, big = con.execute(f"SELECT count(*), count(point), sum(len(tags)), max(dec_big) FROM read_parquet('{out}')").fetchone()
    assert n == rows and points == got.column("point").drop_null().__len__() and big == max(x for x in got.column("dec_big").to_pylist() if x is not None), (out, n, points, tags, big)
print("checked", len(sys.argv) - 3, "files")
"""#

    func testParquetOutputAndSnapshotsKeepEveryInputColumnWithItsType() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("typed.parquet")
        try python(Self.typedFile, [input.path], in: dir)
        let output = dir.appendingPathComponent("out.parquet")
        let checkpoints = dir.appendingPathComponent("ck")
        let result = try CLI.run(["--input", input.path, "--output", output.path, "--checkpoint-dir", checkpoints.path, "--text-column", "text",
                                  "--no-semantic-dedup", "--quiet", "--snapshots", "all"])
        XCTAssertEqual(result.status, 0, result.stderr)
        // 40 rows, 39 after exact_dedup; the snapshots have `_row` first.
        let snapshot = { (stage: String) in checkpoints.appendingPathComponent("after_\(stage).parquet").path }
        try python(Self.typedCheck, [input.path, "39,40,40,39", output.path, snapshot("ingest"), snapshot("sanitize"), snapshot("exact_dedup")], in: dir)

        // Byte-identical whatever the batch size; --annotate writes every row with the same columns.
        let again = dir.appendingPathComponent("again.parquet")
        let second = try CLI.run(["--input", input.path, "--output", again.path, "--checkpoint-dir", dir.appendingPathComponent("ck2").path,
                                  "--text-column", "text", "--no-semantic-dedup", "--quiet", "--batch-size", "7", "--snapshots", "none"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try Data(contentsOf: output), try Data(contentsOf: again))
        let annotated = dir.appendingPathComponent("annotated.parquet")
        let third = try CLI.run(["--input", input.path, "--output", annotated.path, "--text-column", "text", "--no-semantic-dedup",
                                 "--quiet", "--annotate", "--snapshots", "none"])
        XCTAssertEqual(third.status, 0, third.stderr)
        try python(Self.typedCheck, [input.path, "40", annotated.path], in: dir)
    }

    /// `embed` reads Parquet input (one file or several) as it reads the same records in JSONL: the
    /// text column detected or given, a zero vector for a null text.
    func testEmbedReadsParquetInputLikeJSONL() throws {
        let dir = try makeTemporaryDirectory()
        let jsonl = dir.appendingPathComponent("in.jsonl")
        try write(#"""
        {"id": 1, "text": "The first sentence to embed, a little longer than the label."}
        {"id": 2, "text": null}
        {"id": 3, "text": "A second, different sentence about something else entirely."}
        {"id": 4, "text": "And a third one, so that the row groups split the records."}
        """# + "\n", to: jsonl)
        let parts = dir.appendingPathComponent("parts")
        try FileManager.default.createDirectory(at: parts, withIntermediateDirectories: true)
        try python(Self.toParquet, [jsonl.path, parts.path, "1", "2", "zstd"], in: dir)
        let fromJSONL = dir.appendingPathComponent("j.npy"), fromParquet = dir.appendingPathComponent("p.npy")
        let first = try CLI.run(["embed", "--input", jsonl.path, "--text-column", "text", "--output", fromJSONL.path, "--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try CLI.run(["embed", "--input", parts.path, "--output", fromParquet.path, "--quiet"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try Data(contentsOf: fromJSONL), try Data(contentsOf: fromParquet))
        XCTAssertEqual(try Data(contentsOf: fromParquet).count, 128 + 4 * 384 * 4)
        let missing = try CLI.run(["embed", "--input", parts.path, "--text-column", "body", "--output", fromParquet.path, "--quiet"])
        XCTAssertEqual(missing.status, 64, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("no such column"), missing.stderr)
    }
}
