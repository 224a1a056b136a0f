import Foundation
import XCTest

/// Python program that checks snapshots and Parquet output with duckdb/pyarrow against the store
/// (read with Python's sqlite3) and the input. Prints `ok ...` or one line per mismatch (exit 1).
///   check.py snapshots <ckdir> <input.jsonl> <types.json>
///   check.py output <out.parquet> <out.jsonl> <types.json>
/// types.json maps each input column to its expected duckdb type.
let snapshotCheckScript = #"""
import json, sqlite3, sys
import duckdb
import polars as pl
import pyarrow.parquet as pq

failures = []
def fail(msg):
    failures.append(msg[:500])

def expected_value(value, duck_type):
    if value is None: return None
    if duck_type == "VARCHAR":
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if duck_type == "DOUBLE": return float(value)
    if duck_type == "BIGINT": return int(value)
    if duck_type == "BOOLEAN": return bool(value)
    raise ValueError(duck_type)

def same(a, b):
    return type(a) is type(b) and a == b

def codecs(path):
    md = pq.ParquetFile(path).metadata
    return {md.row_group(g).column(c).compression for g in range(md.num_row_groups) for c in range(md.num_columns)}

def check_snapshots(ck, input_path, types):
    lines = open(input_path, encoding="utf-8").read().split("\n")
    db = sqlite3.connect(f"file:{ck}/entropyguard.sqlite?mode=ro", uri=True)
    has_chunks = db.execute("select exists (select 1 from rows where parent_row is not null)").fetchone()[0] == 1
    stage_names = dict(db.execute("select generation, name from stages"))
    generation_of = {name: gen for gen, name in stage_names.items()}
    metadata = json.load(open(f"{ck}/checkpoint_metadata.json", encoding="utf-8"))
    input_path_meta = db.execute("select value from meta where key = 'input_path'").fetchone()[0]
    checkpoints = db.execute("select generation, stage, input_hash, config_hash, row_count, created_at, snapshot_path, snapshot_xxh3 from checkpoints order by generation").fetchall()
    if sorted(metadata) != sorted(f"after_{c[1]}" for c in checkpoints):
        fail(f"metadata keys {sorted(metadata)} != checkpoints {[c[1] for c in checkpoints]}")
    checked = rows_checked = 0
    for gen, stage, input_hash, config_hash, row_count, created_at, snapshot_path, snapshot_xxh3 in checkpoints:
        want_meta = {"stage": f"after_{stage}", "generation": gen, "input_path": input_path_meta, "input_hash": input_hash,
                     "config_hash": config_hash, "row_count": row_count, "checkpoint_path": snapshot_path,
                     "parquet_xxh3": snapshot_xxh3, "timestamp": created_at}
        if metadata.get(f"after_{stage}") != want_meta:
            fail(f"metadata[after_{stage}] = {metadata.get(f'after_{stage}')} != {want_meta}")
        if snapshot_path is None: continue
        if snapshot_path != f"after_{stage}.parquet": fail(f"{stage}: snapshot path {snapshot_path}")
        path = f"{ck}/{snapshot_path}"
        # The stage's view, in input order; before sanitize the text is the original one.
        text_col = "text_original" if gen < generation_of["sanitize"] else "text"
        view = db.execute(f"select row_id, line, {text_col}, parent_row, chunk_index from after_{stage} "
                          "order by coalesce(parent_row, row_id), coalesce(chunk_index, 0)").fetchall()
        con = duckdb.connect()
        described = {r[0]: r[1] for r in con.execute(f"describe select * from read_parquet('{path}')").fetchall()}
        want_types = {"_row": "BIGINT"}
        if has_chunks and gen >= generation_of["chunk"]:
            want_types.update({"_parent_row": "BIGINT", "_chunk_index": "BIGINT"})
        want_types.update(types)
        if described != want_types:
            fail(f"{snapshot_path}: columns {described} != {want_types}")
            continue
        columns = list(described)
        got = con.execute(f"select * from read_parquet('{path}')").fetchall()
        if len(got) != row_count: fail(f"{snapshot_path}: {len(got)} rows, checkpoint says {row_count}")
        # Snapshots are Snappy (the output zstd); polars reads them to the same rows.
        if codecs(path) - {"SNAPPY"}: fail(f"{snapshot_path}: codecs {codecs(path)}")
        if pl.read_parquet(path).rows() != got: fail(f"{snapshot_path}: polars reads other rows than duckdb")
        got_rows = [r[columns.index("_row")] for r in got]
        if got_rows != [v[0] for v in view]:
            fail(f"{snapshot_path}: _row {got_rows} != view {[v[0] for v in view]}")
            continue
        for record, (row_id, line, text, parent, chunk_index) in zip(got, view):
            values = dict(zip(columns, record))
            if values["text"] != text: fail(f"{snapshot_path} row {row_id}: text {values['text']!r} != view {text!r}")
            if "_parent_row" in values and (values["_parent_row"], values["_chunk_index"]) != (parent, chunk_index):
                fail(f"{snapshot_path} row {row_id}: chunk columns {values['_parent_row'], values['_chunk_index']} != {parent, chunk_index}")
            source = json.loads(lines[line - 1])
            for name, duck_type in types.items():
                if name == "text": continue
                want = expected_value(source.get(name), duck_type)
                if not same(values[name], want):
                    fail(f"{snapshot_path} row {row_id} {name}: {values[name]!r} != {want!r}")
            rows_checked += 1
        checked += 1
    print(f"ok {checked} snapshots, {rows_checked} rows")

def check_output(parquet_path, jsonl_path, types):
    table = pq.read_table(parquet_path)
    if codecs(parquet_path) - {"ZSTD"}: fail(f"output codecs {codecs(parquet_path)}")
    got_types = {f.name: str(f.type) for f in table.schema}
    arrow = {"VARCHAR": "string", "BIGINT": "int64", "DOUBLE": "double", "BOOLEAN": "bool"}
    records = [json.loads(l) for l in open(jsonl_path, encoding="utf-8") if l.strip()]
    chunked = any("_chunk" in r for r in records)
    want_types = {"_parent_row": "int64", "_chunk_index": "int64"} if chunked else {}
    want_types.update({name: arrow[t] for name, t in types.items()})
    if got_types != want_types: fail(f"output columns {got_types} != {want_types}")
    rows = table.to_pylist()
    if len(rows) != len(records): fail(f"output has {len(rows)} rows, JSONL {len(records)}")
    for i, (row, record) in enumerate(zip(rows, records)):
        if chunked:
            chunk = record.get("_chunk") or {}
            if (row["_parent_row"], row["_chunk_index"]) != (chunk.get("parent"), chunk.get("index")):
                fail(f"output row {i}: chunk {row['_parent_row'], row['_chunk_index']} != JSONL {chunk}")
        for name, duck_type in types.items():
            want = expected_value(record.get(name), duck_type)
            if not same(row[name], want): fail(f"output row {i} {name}: {row[name]!r} != {want!r}")
    print(f"ok {len(rows)} rows")

mode = sys.argv[1]
types = json.loads(open(sys.argv[4], encoding="utf-8").read())
if mode == "snapshots": check_snapshots(sys.argv[2], sys.argv[3], types)
else: check_output(sys.argv[2], sys.argv[3], types)
if failures:
    print("\n".join(failures))
    sys.exit(1)
"""#

/// ENTROPYGUARD_PYTHON, else the package's .venv python; fails the test when neither exists.
func snapshotCheckPython() throws -> String {
    if let python = ProcessInfo.processInfo.environment["ENTROPYGUARD_PYTHON"], !python.isEmpty {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw MissingPythonError("ENTROPYGUARD_PYTHON=\(python) is not an executable")
        }
        return python
    }
    let venv = CLI.packageRoot.appendingPathComponent(".venv/bin/python").path
    guard FileManager.default.isExecutableFile(atPath: venv) else {
        throw MissingPythonError("no Python with duckdb/pyarrow: run scripts/setup-venv (or set ENTROPYGUARD_PYTHON)")
    }
    return venv
}

/// An error that fails (never skips) a test.
struct MissingPythonError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs the check script in `mode`; returns its stdout, failing the test on a non-zero exit.
@discardableResult
func runSnapshotCheck(_ mode: String, _ first: URL, _ second: URL, types: [String: String], in directory: URL,
                      file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let script = directory.appendingPathComponent("check_snapshots.py")
    try Data(snapshotCheckScript.utf8).write(to: script)
    let typesFile = directory.appendingPathComponent("types.json")
    try JSONSerialization.data(withJSONObject: types).write(to: typesFile)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try snapshotCheckPython())
    process.arguments = [script.path, mode, first.path, second.path, typesFile.path]
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // stderr is drained on another thread so neither pipe can fill up and block the child.
    let errData = DataBox()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errData.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    group.wait()
    let stdout = String(decoding: outData, as: UTF8.self)
    XCTAssertEqual(process.terminationStatus, 0, "check \(mode) failed:\n\(stdout)\n\(String(decoding: errData.data, as: UTF8.self))", file: file, line: line)
    return stdout
}

/// Data written by one thread and read by another after a DispatchGroup wait.
final class DataBox: @unchecked Sendable {
    var data = Data()
}
