import XCTest
@testable import EntropyGuard

final class IngestRewriterTests: XCTestCase {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func testReplacingJSONValueKeepsTheRestByteForByte() throws {
        let record = ingestBytes(#"{"id": 1, "text" : "old <b>html</b>",  "n":2}"#)
        guard case .string(_, let range) = try JSONScan.textField("text", in: record) else { return XCTFail() }
        let rewritten = RecordRewriter.replacingJSONValue(in: record, range: range, withString: "new \"quoted\"\nline")
        XCTAssertEqual(text(rewritten), #"{"id": 1, "text" : "new \"quoted\"\nline",  "n":2}"#)
        XCTAssertEqual(try JSONScan.textField("text", in: rewritten),
                       .string("new \"quoted\"\nline", valueRange: 19..<41))
        // Replacing a non-string value (e.g. a number) works too.
        let numeric = ingestBytes(#"{"text":12}"#)
        XCTAssertEqual(text(RecordRewriter.replacingJSONValue(in: numeric, range: 8..<10, withString: "12")), #"{"text":"12"}"#)
    }

    func testAppendingField() throws {
        XCTAssertEqual(text(RecordRewriter.appendingField(to: ingestBytes(#"{"a":1}"#), key: "_chunk", jsonValue: ingestBytes("3"))),
                       #"{"a":1,"_chunk":3}"#)
        XCTAssertEqual(text(RecordRewriter.appendingField(to: ingestBytes("{ }  "), key: "_chunk", jsonValue: ingestBytes("0"))),
                       #"{ "_chunk":0}"#)
        XCTAssertEqual(text(RecordRewriter.appendingField(to: ingestBytes("{\"a\":{\"b\":[]} }\r"), key: "k\"", jsonValue: ingestBytes("null"))),
                       #"{"a":{"b":[]} ,"k\"":null}"#)
        let appended = RecordRewriter.appendingField(to: ingestBytes(#"{"x":"y"}"#), key: "_chunk", jsonValue: ingestBytes("12"))
        XCTAssertEqual(try JSONScan.fields(appended).map(\.key), ["x", "_chunk"])
    }

    func testCSVRecordToJSONObject() throws {
        let header = ["id", "text", "note"]
        let fields = [CSVField(value: "7", wasQuoted: false), CSVField(value: "old, text", wasQuoted: true),
                      CSVField(value: "", wasQuoted: false)]
        let cleaned = RecordRewriter.jsonObject(header: header, fields: fields, textColumn: "text", text: "new \"t\"")
        XCTAssertEqual(text(cleaned), #"{"id":"7","text":"new \"t\"","note":""}"#)
        let kept = RecordRewriter.jsonObject(header: header, fields: fields, textColumn: "text", text: nil)
        XCTAssertEqual(text(kept), #"{"id":"7","text":"old, text","note":""}"#)
        XCTAssertEqual(try JSONScan.fields(kept).map(\.key), header)
    }

    func testCSVRowQuotingRoundTripsThroughTheReader() throws {
        let rows: [[String?]] = [["id", "text", "note"], ["1", "plain", nil], ["2", "a,b", ""],
                                 ["3", "say \"hi\"", "x"], ["4", "multi\nline\r\nend", " spaced "], ["5", "é中🎉", "z"]]
        XCTAssertEqual(text(RecordRewriter.csvRow(rows[2])), #"2,"a,b","""#)
        XCTAssertEqual(text(RecordRewriter.csvRow(rows[1])), "1,plain,")
        let file = try IngestTempFile(rows.map { text(RecordRewriter.csvRow($0)) + "\n" }.joined(), suffix: ".csv")
        defer { file.close() }
        var reader = try CSVReader(fileDescriptor: file.fd, path: file.path)
        let read = try ingestReadAll(&reader).map { try reader.fields(of: $0) }
        XCTAssertEqual(reader.header, ["id", "text", "note"])
        XCTAssertEqual(read.map { $0.map { field -> String? in field.fieldValue == .null ? nil : field.value } },
                       Array(rows.dropFirst()))
    }

    func testInputFormatDetection() {
        XCTAssertEqual(InputFormat.detect(path: "a/b.JSONL", firstBytes: ingestBytes("x,y")), .jsonl)
        XCTAssertEqual(InputFormat.detect(path: "b.ndjson", firstBytes: []), .jsonl)
        XCTAssertEqual(InputFormat.detect(path: "b.json", firstBytes: []), .jsonl)
        XCTAssertEqual(InputFormat.detect(path: "b.csv", firstBytes: ingestBytes("{\"a\":1}")), .csv)
        XCTAssertEqual(InputFormat.detect(path: "data.txt", firstBytes: ingestBytes("\u{FEFF} \r\n{\"a\":1}")), .jsonl)
        XCTAssertEqual(InputFormat.detect(path: "data", firstBytes: ingestBytes("id,text\n")), .csv)
        XCTAssertEqual(InputFormat.detect(path: "dir.jsonl/data", firstBytes: ingestBytes("[1]")), .csv)
        XCTAssertEqual(InputFormat.detect(path: ".csv", firstBytes: ingestBytes("{")), .jsonl)
        XCTAssertEqual(InputFormat.detect(path: "empty", firstBytes: []), .csv)
    }

    func testTextColumnDetection() {
        let records = [
            #"{"id":"a1","text":"a fairly long sentence of text","src":"web"}"#,
            #"{"id":"a2","text":null,"src":"web","title":"an even longer title that appears only once, not enough"}"#,
            #"{"id":"a3","text":"another long sentence here","src":"book"}"#,
            #"not json"#,
            #"{"id":"a4","text":"third sentence of the text column","src":"web","n":123456789}"#,
        ].map(ingestBytes)
        XCTAssertEqual(TextColumnDetector.detect(jsonRecords: records), "text")
        XCTAssertNil(TextColumnDetector.detect(jsonRecords: [ingestBytes(#"{"n":1,"b":true}"#)]))
        XCTAssertNil(TextColumnDetector.detect(jsonRecords: []))
        // Only the first 100 records count.
        let early = Array(repeating: ingestBytes(#"{"a":"xxxxxxxxxx","b":"y"}"#), count: 100)
        let late = Array(repeating: ingestBytes(#"{"a":"x","b":"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"}"#), count: 1000)
        XCTAssertEqual(TextColumnDetector.detect(jsonRecords: early + late), "a")
        // Keys that differ only in Unicode normalization are two fields (compared as bytes).
        let twoForms = ingestBytes(#"{"caf\#u{E9}": "short", "cafe\#u{301}": "the longer value, under the decomposed key"}"#)
        XCTAssertEqual(TextColumnDetector.detect(jsonRecords: [twoForms]).map { Array($0.utf8) }, Array("cafe\u{301}".utf8))

        let header = ["id", "body", "tag"]
        let rows = [["1", "some text here", "t"], ["2", "more words in the body", "t"], ["3", "x"]].map {
            $0.map { CSVField(value: $0, wasQuoted: false) }
        }
        XCTAssertEqual(TextColumnDetector.detect(csvHeader: header, rows: rows), "body")
        XCTAssertEqual(TextColumnDetector.detect(csvHeader: header, rows: []), "id")
        XCTAssertNil(TextColumnDetector.detect(csvHeader: [], rows: []))
    }
}
