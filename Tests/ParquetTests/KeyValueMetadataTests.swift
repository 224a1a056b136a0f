import Foundation
import XCTest
import Parquet

/// The footer's key/value metadata: pairs written by `ParquetWriterOptions.keyValueMetadata` read back
/// by our reader and by pyarrow; "ARROW:schema" copied from pyarrow's files and rebuilt for other
/// columns (`ArrowSchemaMetadata`), read back by pyarrow with the original Arrow types.
final class KeyValueMetadataTests: XCTestCase {
    private let pairs: [(key: String, value: String?)] = [
        (key: "first", value: "1"), (key: "empty", value: ""), (key: "no value", value: nil),
        (key: "ünïcode ✓", value: "välue\nwith a newline"), (key: "first", value: "a repeated key"),
    ]

    func testPairsRoundTripThroughOurReaderAndPyarrow() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let with = dir.appendingPathComponent("with.parquet").path, without = dir.appendingPathComponent("without.parquet").path
        for (path, options) in [(with, ParquetWriterOptions(keyValueMetadata: pairs)), (without, ParquetWriterOptions())] {
            let writer = try ParquetWriter(path: path, columns: [ParquetColumn(name: "id", type: .int64, optional: false)], options: options)
            try writer.append([.int64(7)])
            try writer.close()
        }
        let read = try ParquetFileReader(path: with).keyValueMetadata
        XCTAssertEqual(read.map(\.key), pairs.map(\.key))
        XCTAssertEqual(read.map(\.value), pairs.map(\.value))
        XCTAssertTrue(try ParquetFileReader(path: without).keyValueMetadata.isEmpty)
        // pyarrow keeps the first value of a repeated key and reads a missing value as empty.
        let (status, output) = try runPythonProgram(#"""
import sys, json, pyarrow.parquet as pq
with_, without = sys.argv[1:3]
m = pq.read_metadata(with_).metadata
print(json.dumps({k.decode(): v.decode() for k, v in m.items()}, sort_keys=True, ensure_ascii=True))
assert pq.read_metadata(without).metadata is None
assert pq.read_table(with_).column("id").to_pylist() == [7]
"""#, named: "kv.py", [with, without], in: dir)
        XCTAssertEqual(status, 0, output)
        let expected = #"{"empty": "", "first": "1", "no value": "", "\u00fcn\u00efcode \u2713": "v\u00e4lue\nwith a newline"}"#
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), expected)
    }

    /// pyarrow writes a file of Arrow types that Parquet alone cannot tell apart from others (time
    /// zones, large strings and lists, dictionaries, durations, unsigned and small integers, half
    /// floats, nested ones) with schema metadata; we copy it row by row with its ARROW:schema as it
    /// is, and again with the schema rebuilt around new and renamed columns. pyarrow must read the
    /// input's columns of both copies with the input's Arrow types and values, and polars with the same types.
    func testArrowSchemaCopiedAndRebuiltReadsBackWithTheInputsArrowTypes() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("arrow.parquet").path
        let (made, madeOutput) = try runPythonProgram(Self.arrowTypesFile, named: "make.py", [input], in: dir)
        XCTAssertEqual(made, 0, madeOutput)

        let reader = try ParquetFileReader(path: input)
        let arrowValue = try XCTUnwrap(reader.keyValueMetadata.first { $0.key == ArrowSchemaMetadata.key }?.value)
        let schema = try ArrowSchemaMetadata(base64: arrowValue)
        XCTAssertEqual(schema.fieldNames, reader.schema.fieldNames)
        var rows: [[ParquetFieldValue]] = []
        try reader.forEachRow { rows.append($0) }
        let inputColumns = reader.schema.fields.map { ParquetColumn(copying: $0) }

        // As it is: the same columns, every pair copied.
        let same = dir.appendingPathComponent("same.parquet").path
        let copy = try ParquetWriter(path: same, columns: inputColumns, options: ParquetWriterOptions(keyValueMetadata: reader.keyValueMetadata))
        for row in rows { try copy.append(fields: row) }
        try copy.close()

        // Rebuilt: `_row` first, the third column renamed, two new columns last.
        let added = [ParquetColumn(name: "_row", type: .int64, optional: false)]
        let appended = [ParquetColumn(name: "kept", type: .boolean, optional: false), ParquetColumn(name: "score", type: .double, optional: true),
                        ParquetColumn(name: "why", type: .string, optional: true)]
        var renamed = inputColumns
        renamed[2].name += "_"
        let fields = added.map(ArrowSchemaMetadata.Field.added)
            + renamed.enumerated().map { ArrowSchemaMetadata.Field.original(index: $0.offset, name: $0.element.name) }
            + appended.map(ArrowSchemaMetadata.Field.added)
        let rebuiltValue = try schema.rebuilt(fields)
        XCTAssertEqual(try ArrowSchemaMetadata(base64: rebuiltValue).fieldNames, (added + renamed + appended).map(\.name))
        let other = dir.appendingPathComponent("rebuilt.parquet").path
        let writer = try ParquetWriter(path: other, columns: added + renamed + appended,
                                       options: ParquetWriterOptions(rowGroupByteLimit: 4 << 10,
                                                                     keyValueMetadata: [(key: ArrowSchemaMetadata.key, value: rebuiltValue)]))
        for (index, row) in rows.enumerated() {
            let score: ParquetFieldValue = index % 3 == 0 ? .null : .double(Double(index) / 4)
            let tail: [ParquetFieldValue] = [.bool(index % 2 == 0), score, .string("row \(index)")]
            try writer.append(fields: [ParquetFieldValue.int(Int64(index))] + row + tail)
        }
        try writer.close()

        let (status, output) = try runPythonProgram(#"""
import sys, pyarrow as pa, pyarrow.parquet as pq
src_path, same, other = sys.argv[1:4]
src = pq.read_table(src_path)
assert len(src.schema) > 12 and src.schema.metadata[b"origin"] == b"test"
a = pq.read_table(same)
assert a.schema.equals(src.schema, check_metadata=True), (a.schema, src.schema)
assert a.equals(src), "values differ"
assert pq.read_metadata(same).metadata == pq.read_metadata(src_path).metadata
b = pq.read_table(other)
fields = list(src.schema)
fields[2] = fields[2].with_name(fields[2].name + "_")
expected = pa.schema([pa.field("_row", pa.int64(), nullable=False)] + fields
                     + [pa.field("kept", pa.bool_(), nullable=False), pa.field("score", pa.float64()), pa.field("why", pa.string())])
assert b.schema.equals(expected), (str(b.schema), str(expected))
assert b.schema.metadata[b"origin"] == b"test"
assert b.column("_row").to_pylist() == list(range(src.num_rows))
for i, name in enumerate(src.column_names):
    # (a dictionary column's chunks hold other dictionaries: compared by value)
    assert b.column(i + 1).type == src.column(name).type and b.column(i + 1).to_pylist() == src.column(name).to_pylist(), name
assert b.column("why").to_pylist()[:2] == ["row 0", "row 1"]
# polars parses the Arrow schema with its own (Rust) flatbuffer reader: the same types.
import os; os.environ["POLARS_IGNORE_TIMEZONE_PARSE_ERROR"] = "1"  # it knows no "+05:30" zone
import polars as pl
ps, pb = pl.read_parquet(src_path).schema, pl.read_parquet(other).schema
renamed = [(n + "_" if i == 2 else n, t) for i, (n, t) in enumerate(ps.items())]
assert list(pb.items())[1:-3] == renamed and str(ps["ts_paris"]) == "Datetime(time_unit='us', time_zone='Europe/Paris')", (pb, ps)
print("ok", len(src.schema), "columns")
"""#, named: "check.py", [input, same, other], in: dir)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("ok"), output)
    }

    func testRefusesWhatIsNotAnArrowSchemaAndColumnsWithoutAnArrowType() throws {
        XCTAssertThrowsError(try ArrowSchemaMetadata(base64: "not base64!"))
        XCTAssertThrowsError(try ArrowSchemaMetadata(base64: Data([0xFF, 0xFF, 0xFF, 0xFF, 64, 0, 0, 0, 1, 2]).base64EncodedString()))
        XCTAssertThrowsError(try ArrowSchemaMetadata(base64: Data(repeating: 0, count: 40).base64EncodedString()))
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("arrow.parquet").path
        let (made, madeOutput) = try runPythonProgram(Self.arrowTypesFile, named: "make.py", [input], in: dir)
        XCTAssertEqual(made, 0, madeOutput)
        let value = try XCTUnwrap(try ParquetFileReader(path: input).keyValueMetadata.first { $0.key == ArrowSchemaMetadata.key }?.value)
        let schema = try ArrowSchemaMetadata(base64: value)
        XCTAssertThrowsError(try schema.rebuilt([.original(index: schema.fieldNames.count, name: "x")]))
        XCTAssertThrowsError(try schema.rebuilt([.added(ParquetColumn(name: "d", type: .date, optional: true))]))
    }

    /// The file of Arrow-only types (see the test above), 50 rows with nulls, in row groups of 20.
    static let arrowTypesFile = #"""
import sys, datetime, decimal, numpy as np, pyarrow as pa, pyarrow.parquet as pq
n = 50
def nul(i, v): return None if i % 6 == 5 else v
base = 1_700_000_000_000_000
table = pa.table({
    "id": pa.array(range(n), pa.int64()),
    "ts_paris": pa.array([nul(i, base + i * 3_600_000_000) for i in range(n)], pa.timestamp("us", tz="Europe/Paris")),
    "ts_tokyo_ns": pa.array([nul(i, base * 1000 + i) for i in range(n)], pa.timestamp("ns", tz="Asia/Tokyo")),
    "ts_offset_ms": pa.array([nul(i, base // 1000 - i) for i in range(n)], pa.timestamp("ms", tz="+05:30")),
    "text": pa.array([nul(i, f"large string {i} " * (i % 4)) for i in range(n)], pa.large_string()),
    "label": pa.array([nul(i, f"label-{i % 3}") for i in range(n)], pa.string()).dictionary_encode(),
    "blob": pa.array([nul(i, bytes(range(i % 7))) for i in range(n)], pa.large_binary()),
    "dur": pa.array([nul(i, i * 1000 - 7) for i in range(n)], pa.duration("ms")),
    "u8": pa.array([nul(i, (i * 37) % 256) for i in range(n)], pa.uint8()),
    "u64": pa.array([nul(i, 2**64 - 1 - i) for i in range(n)], pa.uint64()),
    "i16": pa.array([nul(i, -i * 300) for i in range(n)], pa.int16()),
    "half": pa.array([nul(i, np.float16(i / 8)) for i in range(n)], pa.float16()),
    "t_us": pa.array([nul(i, i * 1_000_001) for i in range(n)], pa.time64("us")),
    "ltags": pa.array([nul(i, [f"t{j}" for j in range(i % 4)]) for i in range(n)], pa.large_list(pa.large_string())),
    "event": pa.array([nul(i, {"when": base // 1000 + i, "who": f"p{i}"}) for i in range(n)],
                      pa.struct([("when", pa.timestamp("ms", tz="America/New_York")), ("who", pa.large_string())])),
    "dec": pa.array([nul(i, decimal.Decimal(i) / 100) for i in range(n)], pa.decimal128(7, 2)),
}).replace_schema_metadata({"origin": "test"})
pq.write_table(table, sys.argv[1], row_group_size=20)
"""#
}
