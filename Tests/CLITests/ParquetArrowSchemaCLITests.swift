@testable import EntropyGuard
import Foundation
import XCTest

/// Parquet input's footer metadata in the Parquet output and snapshots: pyarrow reads their input
/// columns with the input's Arrow types (time zones, large strings, dictionaries…), from the input's
/// "ARROW:schema" copied (same columns) or rebuilt (ours added, an input column renamed).
extension ParquetInputCLITests {
    /// Columns whose Arrow type Parquet alone does not carry, nulls in each, schema metadata, and an
    /// input column named `_row` (renamed `_row_` in the snapshots, where `_row` is ours). `text` is
    /// a large_string with an exact duplicate (row 5 of row 4), an e-mail (row 9) and a long text (row 12).
    static let arrowTypedFile = #"""
import sys, pyarrow as pa, pyarrow.parquet as pq
n = 30
def nul(i, v): return None if i % 7 == 3 else v
texts = [f"Record number {i} talks about topic {i % 5} in some detail, with enough words to be kept." for i in range(n)]
texts[5] = texts[4]
texts[9] = "Contact me at alice@example.com about record nine, which has a long enough text to pass."
texts[12] = " ".join(f"Sentence number {j} of the long record goes on about something else." for j in range(20))
base = 1_700_000_000_000_000
table = pa.table({
    "id": pa.array(range(n), pa.int64()),
    "text": pa.array(texts, pa.large_string()),
    "ts_paris": pa.array([nul(i, base + i * 3_600_000_000) for i in range(n)], pa.timestamp("us", tz="Europe/Paris")),
    "ts_tokyo_ns": pa.array([nul(i, base * 1000 + i) for i in range(n)], pa.timestamp("ns", tz="Asia/Tokyo")),
    "label": pa.array([nul(i, f"label-{i % 3}") for i in range(n)], pa.string()).dictionary_encode(),
    "note": pa.array([nul(i, "é" * (i % 5)) for i in range(n)], pa.large_string()),
    "dur": pa.array([nul(i, i * 1000 - 7) for i in range(n)], pa.duration("ms")),
    "u16": pa.array([nul(i, i * 2000) for i in range(n)], pa.uint16()),
    "_row": pa.array([nul(i, base // 1_000_000 + i) for i in range(n)], pa.timestamp("s", tz="Australia/Sydney")),
    "event": pa.array([nul(i, {"when": base // 1000 + i, "who": f"p{i}"}) for i in range(n)],
                      pa.struct([("when", pa.timestamp("ms", tz="America/New_York")), ("who", pa.large_string())])),
}).replace_schema_metadata({"origin": "test"})
pq.write_table(table, sys.argv[1], row_group_size=8)
"""#

    /// Checks `kind:path` files against the input (argv[1]): the schema pyarrow reads (`same`: the
    /// input's, footer metadata equal; `row`: our `_row` first, the input's `_row` as `_row_`;
    /// `chunks`: `_parent_row`, `_chunk_index` first; `annotate`: the annotation columns last; `retyped`:
    /// so, with the text column `dur`, a duration, as an optional string column holding no text), the
    /// input's other footer keys, and each row's values but the text equal to the input row's of its id.
    static let arrowTypedCheck = #"""
import sys, pyarrow as pa, pyarrow.parquet as pq
src_path = sys.argv[1]
src = pq.read_table(src_path)
src_meta = pq.read_metadata(src_path).metadata
assert b"ARROW:schema" in src_meta
fields = list(src.schema)
for arg in sys.argv[2:]:
    kind, path = arg.split(":", 1)
    got = pq.read_table(path)
    if kind == "same":
        assert got.schema.equals(src.schema, check_metadata=True), (path, str(got.schema))
        assert pq.read_metadata(path).metadata == src_meta, path
        expected = src.schema
    elif kind == "row":
        expected = pa.schema([pa.field("_row", pa.int64(), nullable=False)]
                             + [f.with_name("_row_") if f.name == "_row" else f for f in fields])
    elif kind == "chunks":
        expected = pa.schema([pa.field("_parent_row", pa.int64()), pa.field("_chunk_index", pa.int64())] + fields)
    else:
        assert kind in ("annotate", "retyped"), kind
        # retyped: `dur` as the text column, which becomes an optional string column
        out_fields = [pa.field("dur", pa.string()) if kind == "retyped" and f.name == "dur" else f for f in fields]
        expected = pa.schema(out_fields + [f for f in got.schema if f.name.startswith("_entropyguard.")])
        assert len(expected) == len(fields) + 6, str(got.schema)
    assert got.schema.equals(expected), (path, str(got.schema), str(expected))
    assert got.schema.metadata[b"origin"] == b"test", path
    assert set(pq.read_metadata(path).metadata) == set(src_meta), path
    names = [("_row_" if kind == "row" and n == "_row" else n) for n in src.column_names]
    kept = src.take(got.column("id").to_pylist())
    for name, out_name in zip(src.column_names, names):
        if kind == "retyped" and name == "dur":
            assert got.column("dur").null_count == got.num_rows, path
        elif name != "text":
            assert kept.column(name).to_pylist() == got.column(out_name).to_pylist(), (path, name)
    if kind in ("same", "row", "annotate"):
        for a, b in zip(kept.column("text").to_pylist(), got.column("text").to_pylist()):
            assert a == b or ("alice@" in a and "[EMAIL_REMOVED]" in b) or (kind == "annotate" and b is None), (path, a, b)
print("checked", len(sys.argv) - 2, "files")
"""#

    func testParquetOutputAndSnapshotsKeepTheInputsArrowTypes() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("arrow.parquet")
        try python(Self.arrowTypedFile, [input.path], in: dir)
        let base = ["--input", input.path, "--text-column", "text", "--no-semantic-dedup", "--quiet"]
        let output = dir.appendingPathComponent("out.parquet")
        let checkpoints = dir.appendingPathComponent("ck")
        let first = try CLI.run(base + ["--output", output.path, "--checkpoint-dir", checkpoints.path, "--snapshots", "all"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let snapshot = { (stage: String) in "row:" + checkpoints.appendingPathComponent("after_\(stage).parquet").path }
        let annotated = dir.appendingPathComponent("annotated.parquet"), chunked = dir.appendingPathComponent("chunked.parquet")
        let second = try CLI.run(base + ["--output", annotated.path, "--annotate", "--snapshots", "none"])
        XCTAssertEqual(second.status, 0, second.stderr)
        let third = try CLI.run(base + ["--output", chunked.path, "--chunk-size", "200", "--snapshots", "none"])
        XCTAssertEqual(third.status, 0, third.stderr)
        // A text column that is not a string column becomes an optional string one: its Arrow field is ours.
        let retyped = dir.appendingPathComponent("retyped.parquet")
        let fourth = try CLI.run(["--input", input.path, "--text-column", "dur", "--no-semantic-dedup", "--quiet", "--output", retyped.path,
                                  "--annotate", "--snapshots", "none"])
        XCTAssertEqual(fourth.status, 0, fourth.stderr)
        let checked = try python(Self.arrowTypedCheck, [input.path, "same:" + output.path, snapshot("ingest"), snapshot("sanitize"),
                                                        snapshot("exact_dedup"), "annotate:" + annotated.path, "chunks:" + chunked.path,
                                                        "retyped:" + retyped.path], in: dir)
        XCTAssertEqual(String(decoding: checked, as: UTF8.self), "checked 7 files\n")

        // JSONL input has no footer metadata to carry: the output has none.
        let jsonl = dir.appendingPathComponent("in.jsonl")
        try write(#"{"id": 1, "text": "A record long enough to be kept by the validate stage."}"# + "\n", to: jsonl)
        let fromJSONL = dir.appendingPathComponent("from_jsonl.parquet")
        let fifth = try CLI.run(["--input", jsonl.path, "--output", fromJSONL.path, "--no-semantic-dedup", "--quiet"])
        XCTAssertEqual(fifth.status, 0, fifth.stderr)
        try python("import sys, pyarrow.parquet as pq\nassert pq.read_metadata(sys.argv[1]).metadata is None\n", [fromJSONL.path], in: dir)
    }
}
