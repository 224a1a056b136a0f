@testable import EntropyGuard
import Foundation
import Parquet
import XCTest

final class SnapshotSchemaInferenceTests: XCTestCase {
    private func infer(_ lines: [String], textColumn: String = "text") throws -> [String: SnapshotColumnType] {
        var inference = SchemaInference()
        for line in lines { try inference.observe(record: Array(line.utf8)) }
        return Dictionary(uniqueKeysWithValues: inference.schema(textColumn: textColumn).columns.map { ($0.name, $0.type) })
    }

    func testWideningRules() {
        XCTAssertNil(SchemaInference.widen(nil, with: .null))
        XCTAssertEqual(SchemaInference.widen(nil, with: .integer), .int64)
        XCTAssertEqual(SchemaInference.widen(.int64, with: .null), .int64)
        XCTAssertEqual(SchemaInference.widen(.int64, with: .integer), .int64)
        XCTAssertEqual(SchemaInference.widen(.int64, with: .double), .double)
        XCTAssertEqual(SchemaInference.widen(.double, with: .integer), .double)
        XCTAssertEqual(SchemaInference.widen(.bool, with: .bool), .bool)
        XCTAssertEqual(SchemaInference.widen(.bool, with: .integer), .string)
        XCTAssertEqual(SchemaInference.widen(.double, with: .bool), .string)
        XCTAssertEqual(SchemaInference.widen(.int64, with: .string), .string)
        XCTAssertEqual(SchemaInference.widen(.string, with: .double), .string)
        XCTAssertEqual(SchemaInference.widen(nil, with: .object), .string)
        XCTAssertEqual(SchemaInference.widen(nil, with: .array), .string)
        XCTAssertEqual(SchemaInference.widen(.int64, with: .array), .string)
    }

    func testInfersOverAllRecords() throws {
        let types = try infer([
            #"{"text": "a", "i": 1, "d": 1, "b": true, "n": null, "o": {"x": 1}, "mix": 1, "late": null}"#,
            #"{"text": "b", "i": -7, "d": 2.5, "b": false, "n": null, "o": null, "mix": "one"}"#,
            #"{"text": null, "i": null, "d": 3, "a": [1, 2], "late": 1e5}"#,
        ])
        XCTAssertEqual(types, ["text": .string, "i": .int64, "d": .double, "b": .bool, "n": .string, "o": .string,
                               "mix": .string, "late": .double, "a": .string])
    }

    func testColumnsInOrderOfFirstAppearance() throws {
        var inference = SchemaInference()
        try inference.observe(record: Array(#"{"b": 1, "text": "x"}"#.utf8))
        try inference.observe(record: Array(#"{"c": 1, "a": 2, "b": 3}"#.utf8))
        XCTAssertEqual(inference.schema(textColumn: "text").columns.map(\.name), ["b", "text", "c", "a"])
    }

    func testTextColumnIsStringAndAlwaysPresent() throws {
        XCTAssertEqual(try infer([#"{"text": 5}"#, #"{"text": 6}"#])["text"], .string)
        var inference = SchemaInference()
        try inference.observe(record: Array(#"{"id": 1}"#.utf8))
        XCTAssertEqual(inference.schema(textColumn: "body").columns, [SnapshotColumn(name: "id", type: .int64),
                                                                      SnapshotColumn(name: "body", type: .string)])
    }

    /// Inference continued from what was observed over the first records (through its JSON form, as
    /// the store caches it) ends where one pass over all of them does, wherever the records are split:
    /// a column with only nulls so far takes the type of a later value (its schema said string), a
    /// column first seen later comes after the others, a later value widens a type.
    func testContinuedInferenceEqualsOnePassOverAllRecords() throws {
        let lines = [
            #"{"text": "a", "n": null, "w": 1, "s": 2, "b": true}"#,
            #"{"text": "b", "n": null, "w": 3, "caf\u00e9": null}"#,
            #"{"n": 7, "w": 2.5, "text": "c", "late": false, "k": 1, "k": "dup"}"#,
            #"{"text": "d", "s": "two", "b": 1, "cafe\u0301": [1]}"#,
            #"{"text": "e", "n": 8, "late": null, "caf\u00e9": 1.5}"#,
        ]
        var whole = SchemaInference()
        for line in lines { try whole.observe(record: Array(line.utf8)) }
        let expected = whole.schema(textColumn: "text")
        XCTAssertEqual(expected.columns.map(\.type), [.string, .int64, .double, .string, .string, .double, .bool, .int64, .string])
        for split in 0...lines.count {
            var first = SchemaInference()
            for line in lines[..<split] { try first.observe(record: Array(line.utf8)) }
            let stored = try JSONDecoder().decode(SchemaInference.Observed.self, from: JSONEncoder().encode(first.observed))
            var continued = try XCTUnwrap(SchemaInference(continuing: stored))
            for line in lines[split...] { try continued.observe(record: Array(line.utf8)) }
            XCTAssertEqual(continued.observed, whole.observed, "split at \(split)")
            XCTAssertEqual(continued.schema(textColumn: "text"), expected, "split at \(split)")
        }
        // "n" was null in the first two records only: string in their schema, int64 once 7 is seen.
        var two = SchemaInference()
        for line in lines[..<2] { try two.observe(record: Array(line.utf8)) }
        XCTAssertEqual(two.schema(textColumn: "text").columns[1], SnapshotColumn(name: "n", type: .string))
        XCTAssertEqual(two.observed.types[1], nil)
    }

    func testAnObservedStateThatIsNotOneIsRefused() {
        XCTAssertNil(SchemaInference(continuing: .init(names: ["a", "b"], types: [.int64])))
        XCTAssertNil(SchemaInference(continuing: .init(names: ["a", "b", "a"], types: [.int64, nil, .string])))
        XCTAssertNotNil(SchemaInference(continuing: .init(names: ["caf\u{E9}", "cafe\u{301}"], types: [.int64, nil])))
    }

    func testIntegerBeyondInt64IsDouble() throws {
        XCTAssertEqual(try infer([#"{"n": 1}"#, #"{"n": 123456789012345678901}"#])["n"], .double)
        XCTAssertEqual(try infer([#"{"n": -9223372036854775808}"#])["n"], .int64)
    }

    func testFirstOccurrenceOfADuplicateKeyCounts() throws {
        XCTAssertEqual(try infer([#"{"k": 1, "k": "dup"}"#])["k"], .int64)
        XCTAssertEqual(try infer([#"{"j": true, "k": 1}"#, #"{"k": 2, "j": false, "k": "dup"}"#]), ["j": .bool, "k": .int64, "text": .string])
    }

    /// Keys are bytes: "caf\u{E9}" and "cafe\u{301}" are two columns (a [String: Int] index merged them),
    /// whether a key is matched by position, by lookup or decoded from an escape.
    func testKeysDifferingOnlyInNormalizationAreTwoColumns() throws {
        var inference = SchemaInference()
        for line in [#"{"caf\#u{E9}": 1, "text": "x"}"#, #"{"cafe\#u{301}": 5, "caf\#u{E9}": 2}"#,
                     #"{"text": "y", "cafe\u0301": 6, "caf\u00e9": 3}"#] {
            try inference.observe(record: Array(line.utf8))
        }
        let columns = inference.schema(textColumn: "text").columns
        XCTAssertEqual(columns.map { Array($0.name.utf8) }, [Array("caf\u{E9}".utf8), Array("text".utf8), Array("cafe\u{301}".utf8)])
        XCTAssertEqual(columns.map(\.type), [.int64, .string, .int64])
        // The text column (always string) is matched by bytes too.
        XCTAssertEqual(inference.schema(textColumn: "cafe\u{301}").columns.map(\.type), [.int64, .string, .string])
        XCTAssertEqual(inference.schema(textColumn: "caf\u{E9}").columns.map(\.type), [.string, .string, .int64])
    }

    /// Keys are predicted from the previous record's order: other orders and escaped keys still count.
    func testKeysInAnyOrderAndEscapedKeys() throws {
        XCTAssertEqual(try infer([#"{"a": 1, "b": 2}"#, #"{"b": 2.5, "a": 3}"#, #"{"\u0061": true}"#, #"{"c": 1, "a": null}"#]),
                       ["a": .string, "b": .double, "c": .int64, "text": .string])
    }

    func testConversionToColumnType() throws {
        let record = Array(#"{"s": "é\n", "p": "plain é", "i": 3, "d": 2.5, "b": true, "o": {"x": [1, "y"]}, "n": null}"#.utf8)
        let fields = Dictionary(uniqueKeysWithValues: try JSONScan.fields(record).map { ($0.key, $0) })
        func convert(_ key: String, _ type: SnapshotColumnType) throws -> ParquetValue {
            try SnapshotRecordDecoder.convert(fields[key]!, in: record, to: SnapshotColumn(name: key, type: type))
        }
        XCTAssertEqual(try convert("s", .string), .string("é\n"))
        XCTAssertEqual(try convert("p", .string), .bytes(Array("plain é".utf8)))
        XCTAssertEqual(try convert("i", .int64), .int64(3))
        XCTAssertEqual(try convert("i", .double), .double(3))
        XCTAssertEqual(try convert("d", .double), .double(2.5))
        XCTAssertEqual(try convert("b", .bool), .bool(true))
        XCTAssertEqual(try convert("n", .int64), .null)
        // String columns take other values as their JSON text, exactly as written.
        XCTAssertEqual(try convert("i", .string), .bytes(Array("3".utf8)))
        XCTAssertEqual(try convert("b", .string), .bytes(Array("true".utf8)))
        XCTAssertEqual(try convert("o", .string), .bytes(Array(#"{"x": [1, "y"]}"#.utf8)))
        XCTAssertThrowsError(try convert("s", .int64))
    }

    /// Keys are predicted from the previous record's order; other orders, escaped keys, duplicates
    /// and unknown keys must still land in the right columns.
    func testDecoderMatchesKeysInAnyOrder() throws {
        let schema = SnapshotSchema(columns: [SnapshotColumn(name: "a", type: .int64), SnapshotColumn(name: "text", type: .string),
                                              SnapshotColumn(name: "é", type: .string), SnapshotColumn(name: "b", type: .double)])
        var decoder = SnapshotRecordDecoder(schema: schema, info: IngestInfo(format: .jsonl, textColumn: "text", csvHeader: nil))
        let text: [UInt8] = Array("T".utf8)
        let cases: [(String, [ParquetValue])] = [
            (#"{"a": 1, "text": "x", "é": "e", "b": 2}"#, [.int64(1), .bytes(text), .bytes(Array("e".utf8)), .double(2)]),
            (#"{"b": 3.5, "a": 2, "é": null}"#, [.int64(2), .bytes(text), .null, .double(3.5)]),
            (#"{"é": "esc", "zz": 1, "a": 3, "a": 4}"#, [.int64(3), .bytes(text), .bytes(Array("esc".utf8)), .null]),
            (#"{"a": 5, "text": "x", "é": "e\"q", "b": -1}"#, [.int64(5), .bytes(text), .string("e\"q"), .double(-1)]),
            (#"{}"#, [.null, .bytes(text), .null, .null]),
        ]
        for (line, expected) in cases {
            XCTAssertEqual(try decoder.values(record: Array(line.utf8), text: text), expected, line)
        }
    }

    func testCSVColumnsAreStringsAndEmptyUnquotedIsNull() throws {
        let schema = SnapshotSchema(columns: ["id", "text", "note"].map { SnapshotColumn(name: $0, type: .string) })
        var decoder = SnapshotRecordDecoder(schema: schema, info: IngestInfo(format: .csv, textColumn: "text", csvHeader: ["id", "text", "note"]))
        XCTAssertEqual(try decoder.values(record: Array(#"7,old,"#.utf8), text: Array("new".utf8)),
                       [.string("7"), .bytes(Array("new".utf8)), .null])
        XCTAssertEqual(try decoder.values(record: Array(#","old","""#.utf8), text: nil), [.null, .null, .string("")])
    }

    func testReservedNamesDoNotCollide() {
        let schema = SnapshotSchema(columns: [SnapshotColumn(name: "_row", type: .int64), SnapshotColumn(name: "text", type: .string)])
        XCTAssertEqual(SnapshotTableWriter.columns(input: InputColumns.inferred(schema).parquetColumns, rowNumber: true, chunks: true).map(\.name),
                       ["_row", "_parent_row", "_chunk_index", "_row_", "text"])
        XCTAssertEqual(SnapshotTableWriter.columns(input: InputColumns.inferred(schema).parquetColumns, rowNumber: false, chunks: false).map(\.name), ["_row", "text"])
    }
}
