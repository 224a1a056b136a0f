import Foundation
import XCTest
@testable import Parquet

/// The writer's named types: the Parquet and Arrow types pyarrow sees, values read back by our reader
/// and by pyarrow, and the schemas and values it refuses.
final class TypedWriterTests: XCTestCase {
    private let columns = [
        ParquetColumn(name: "i32", type: .int32, optional: true),
        ParquetColumn(name: "f32", type: .float, optional: false),
        ParquetColumn(name: "bin", type: .binary, optional: true),
        ParquetColumn(name: "fixed", type: .fixedLenByteArray(length: 3), optional: true),
        ParquetColumn(name: "day", type: .date, optional: true),
        ParquetColumn(name: "ts", type: .timestamp(unit: .micros, adjustedToUTC: true), optional: true),
        ParquetColumn(name: "local_ns", type: .timestamp(unit: .nanos, adjustedToUTC: false), optional: true),
        ParquetColumn(name: "d32", type: .decimal(precision: 9, scale: 2, storage: .int32), optional: true),
        ParquetColumn(name: "d64", type: .decimal(precision: 18, scale: 0, storage: .int64), optional: true),
        ParquetColumn(name: "d128", type: .decimal(precision: 38, scale: 10, storage: .fixedLenByteArray(length: 16)), optional: true),
        ParquetColumn(name: "dvar", type: .decimal(precision: 50, scale: 3, storage: .byteArray), optional: true),
        ParquetColumn(name: "words", type: .list(element: ParquetColumn(name: "element", type: .string, optional: true)), optional: true),
        ParquetColumn(name: "m", type: .map(key: ParquetColumn(name: "key", type: .string, optional: false),
                                           value: ParquetColumn(name: "value", type: .list(element: ParquetColumn(name: "element", type: .int64, optional: false)), optional: true)),
                      optional: true),
        ParquetColumn(name: "s", type: .structure([ParquetColumn(name: "a", type: .int32, optional: false),
                                                   ParquetColumn(name: "b", type: .structure([ParquetColumn(name: "c", type: .string, optional: true)]), optional: true)]),
                      optional: false),
    ]

    private func row(_ i: Int) -> [ParquetFieldValue] {
        let null = i % 5 == 4
        func maybe(_ v: ParquetFieldValue) -> ParquetFieldValue { null ? .null : v }
        return [
            maybe(.int(Int64(Int32.min) + Int64(i))), .float(Float(i) / 4), maybe(.bytes(Array(repeating: UInt8(i & 255), count: i % 3))),
            maybe(.bytes([1, 2, UInt8(i & 255)])), maybe(.date(days: Int32(i) * 1000 - 719_162)),
            maybe(.timestamp(Int64(i) * 86_400_000_001, unit: .micros, adjustedToUTC: true)),
            maybe(.timestamp(-Int64(i) * 1_000_000_007, unit: .nanos, adjustedToUTC: false)),
            maybe(.decimal(ParquetDecimal(unscaled: String(i * 12_345 - 999_999_999 + i), scale: 2))),
            maybe(.decimal(ParquetDecimal(unscaled: i % 2 == 0 ? "999999999999999999" : "-\(i)", scale: 0))),
            maybe(.decimal(ParquetDecimal(unscaled: i % 2 == 0 ? "-99999999999999999999999999999999999999" : "\(i)0000000001", scale: 10))),
            maybe(.decimal(ParquetDecimal(unscaled: String(repeating: "9", count: 50 - i % 50), scale: 3))),
            maybe(.list((0..<(i % 4)).map { $0 == 1 ? .null : .string("w\($0)") })),
            maybe(.map((0..<(i % 3)).map { ParquetMapEntry(key: .string("k\($0)"), value: $0 == 1 ? .null : .list([.int(Int64(i)), .int(-1)])) })),
            .record([ParquetRecordField(name: "a", value: .int(Int64(i))),
                     ParquetRecordField(name: "b", value: i % 3 == 0 ? .null : .record([ParquetRecordField(name: "c", value: i % 2 == 0 ? .null : .string("c\(i)"))]))]),
        ]
    }

    func testNamedTypesReadBackAndPyarrowSeesTheirTypes() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("typed.parquet").path
        let rows = (0..<3_000).map(row)
        let writer = try ParquetWriter(path: path, columns: columns, options: ParquetWriterOptions(rowGroupByteLimit: 32 << 10, pageByteLimit: 2 << 10))
        for (i, values) in rows.enumerated() {
            if i % 2 == 0 {
                try writer.append(fields: values)
            } else {
                for column in (0..<values.count).reversed() { try writer.appendField(values[column], column: column) }
                try writer.endRow()
            }
        }
        try writer.close()
        XCTAssertGreaterThan(writer.rowGroupCount, 2)
        var read: [[ParquetFieldValue]] = []
        try ParquetFileReader(path: path).forEachRow { read.append($0) }
        XCTAssertEqual(read.count, rows.count)
        for (k, (got, expected)) in zip(read, rows).enumerated() where got != expected {
            XCTFail("row \(k): \(got) != \(expected)")
            break
        }
        try dumpRowsAsJSONLines(path)
        try JSONSerialization.data(withJSONObject: ["files": ["typed.parquet"]]).write(to: dir.appendingPathComponent("manifest.json"))
        let (status, output) = try runReaderScript(["compare", dir.path], in: dir)
        XCTAssertEqual(status, 0, output)
        let (typesStatus, types) = try runPythonProgram(#"""
import sys, pyarrow.parquet as pq
print("|".join(f"{f.name}:{f.type}:{f.nullable}" for f in pq.read_schema(sys.argv[1])))
"""#, named: "arrow_types.py", [path], in: dir)
        XCTAssertEqual(typesStatus, 0, types)
        XCTAssertEqual(types.trimmingCharacters(in: .whitespacesAndNewlines), [
            "i32:int32:True", "f32:float:False", "bin:binary:True", "fixed:fixed_size_binary[3]:True", "day:date32[day]:True",
            "ts:timestamp[us, tz=UTC]:True", "local_ns:timestamp[ns]:True", "d32:decimal128(9, 2):True", "d64:decimal128(18, 0):True",
            "d128:decimal128(38, 10):True", "dvar:decimal256(50, 3):True", "words:list<element: string>:True",
            "m:map<string, list<element: int64 not null> ('m')>:True", "s:struct<a: int32 not null, b: struct<c: string>>:False",
        ].joined(separator: "|"))
    }

    func testRefusesSchemasItCannotStoreAndValuesThatDoNotFit() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.parquet").path
        func refused(_ type: ParquetType, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try ParquetWriter(path: path, columns: [ParquetColumn(name: "c", type: type, optional: true)]), file: file, line: line) { error in
                guard case ParquetError.invalidArgument(let text) = error else { return XCTFail("\(error)", file: file, line: line) }
                XCTAssertTrue(text.contains(message), text, file: file, line: line)
            }
        }
        refused(.decimal(precision: 10, scale: 2, storage: .int32), "DECIMAL(10, 2) cannot be stored in INT32")
        refused(.decimal(precision: 39, scale: 2, storage: .fixedLenByteArray(length: 16)), "cannot be stored in FIXED_LEN_BYTE_ARRAY(16)")
        refused(.decimal(precision: 5, scale: 6, storage: .int64), "DECIMAL(5, 6)")
        refused(.fixedLenByteArray(length: 0), "FIXED_LEN_BYTE_ARRAY of length 0")
        refused(.primitive(.int64, typeLength: 0, logical: .date), "cannot annotate INT64")
        refused(.map(key: ParquetColumn(name: "k", type: .string, optional: true), value: ParquetColumn(name: "v", type: .int64, optional: true)),
                "key column must not be optional")
        refused(.structure([]), "has no fields")
        refused(.structure([ParquetColumn(name: "a", type: .int32, optional: true), ParquetColumn(name: "a", type: .int64, optional: true)]), "duplicate column name a")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))

        let writer = try ParquetWriter(path: path, columns: columns)
        var good = row(1)
        for (column, bad) in [(0, ParquetFieldValue.int(Int64(Int32.max) + 1)), (3, .bytes([1, 2])), (5, .timestamp(1, unit: .millis, adjustedToUTC: true)),
                              (7, .decimal(ParquetDecimal(unscaled: "1", scale: 3))), (7, .decimal(ParquetDecimal(unscaled: "10000000000", scale: 2))),
                              (11, .string("not a list")), (12, .map([ParquetMapEntry(key: .null, value: .null)])), (13, .null)] {
            let saved = good[column]
            good[column] = bad
            XCTAssertThrowsError(try writer.append(fields: good), "column \(column): \(bad)")
            good[column] = saved
        }
        try writer.append(fields: good)   // still usable: the refused rows were not added
        try writer.close()
        var count = 0
        try ParquetFileReader(path: path).forEachRow { XCTAssertEqual($0, good); count += 1 }
        XCTAssertEqual(count, 1)
    }

    /// Decimal unscaled values to two's complement bytes: the reader's conversion undone, at the edges.
    func testDecimalBytesRoundTrip() {
        for text in ["0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "-32768", "9223372036854775807", "-9223372036854775808",
                     "9223372036854775808", "-99999999999999999999999999999999999999", "170141183460469231731687303715884105727"] {
            let decimal = ParquetDecimal(unscaled: text, scale: 0)
            guard let bytes = decimal.bigEndianTwosComplement(length: nil), let fixed = decimal.bigEndianTwosComplement(length: 16) else {
                return XCTFail(text)
            }
            XCTAssertEqual(bytes.withUnsafeBytes { ParquetDecimal(bigEndianTwosComplement: $0, scale: 0) }.unscaled, text)
            XCTAssertEqual(fixed.withUnsafeBytes { ParquetDecimal(bigEndianTwosComplement: $0, scale: 0) }.unscaled, text)
        }
        XCTAssertEqual(ParquetDecimal(unscaled: "128", scale: 0).bigEndianTwosComplement(length: nil), [0, 128])
        XCTAssertEqual(ParquetDecimal(unscaled: "-128", scale: 0).bigEndianTwosComplement(length: nil), [128])
        XCTAssertNil(ParquetDecimal(unscaled: "128", scale: 0).bigEndianTwosComplement(length: 1))
        XCTAssertNil(ParquetDecimal(unscaled: "12a", scale: 0).bigEndianTwosComplement(length: nil))
        for half: UInt16 in [0, 1, 0x3C00, 0xBC00, 0x7BFF, 0x03FF, 0x0400, 0x7C00, 0xFC00, 0x8001] {
            XCTAssertEqual(ColumnChunkWriter.floatToHalf(ColumnChunkData.halfToFloat(half)), half)
        }
    }
}
