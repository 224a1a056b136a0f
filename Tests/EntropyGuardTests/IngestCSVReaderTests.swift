import XCTest
@testable import EntropyGuard

final class IngestCSVReaderTests: XCTestCase {
    private func readAll(_ text: String, bufferSize: Int = 1 << 20) throws -> (header: [String], records: [InputRecord], fields: [[CSVField]]) {
        let file = try IngestTempFile(text, suffix: ".csv")
        defer { file.close() }
        var reader = try CSVReader(fileDescriptor: file.fd, path: file.path, bufferSize: bufferSize)
        let records = try ingestReadAll(&reader)
        return (reader.header, records, try records.map { try reader.fields(of: $0) })
    }

    private func values(_ fields: [[CSVField]]) -> [[String]] { fields.map { $0.map(\.value) } }

    func testQuotedFieldsWithCommasQuotesAndNewlines() throws {
        let text = "id,text,source\r\n1,plain,a\r\n2,\"with, comma\",b\r\n3,\"say \"\"hi\"\"\",c\r\n"
            + "4,\"two\r\nlines\nthree\",d\r\n5,,\"\"\r\n6,x,\"end\""
        let (header, records, fields) = try readAll(text)
        XCTAssertEqual(header, ["id", "text", "source"])
        XCTAssertEqual(values(fields), [["1", "plain", "a"], ["2", "with, comma", "b"], ["3", "say \"hi\"", "c"],
                                        ["4", "two\r\nlines\nthree", "d"], ["5", "", ""], ["6", "x", "end"]])
        XCTAssertEqual(records.map(\.line), [2, 3, 4, 5, 8, 9])
        XCTAssertEqual(fields[4].map(\.wasQuoted), [false, false, true])
        XCTAssertEqual(fields[4].map(\.fieldValue), [.string("5"), .null, .string("")])
        XCTAssertEqual(records.last?.endOffset, Int64(text.utf8.count))
        XCTAssertEqual(ingestText(records[3]), "4,\"two\r\nlines\nthree\",d")
    }

    func testBOMEmptyLinesAndEmptyFile() throws {
        let (header, records, fields) = try readAll("\u{FEFF}name,text\n\nann,hello\n\r\nbob,bye\n")
        XCTAssertEqual(header, ["name", "text"])
        XCTAssertEqual(values(fields), [["ann", "hello"], ["bob", "bye"]])
        XCTAssertEqual(records.map(\.line), [3, 5])
        let empty = try readAll("")
        XCTAssertEqual(empty.header, [])
        XCTAssertEqual(empty.records, [])
        let headerOnly = try readAll("a,b\n")
        XCTAssertEqual(headerOnly.header, ["a", "b"])
        XCTAssertEqual(headerOnly.records, [])
        XCTAssertEqual(try readAll("\n\n\"quoted\nheader\",b\nx,y").header, ["quoted\nheader", "b"])
    }

    func testWrongFieldCountIsARecordError() throws {
        let file = try IngestTempFile("a,b,c\n1,2,3\n1,2\n1,2,3,4\n", suffix: ".csv")
        defer { file.close() }
        var reader = try CSVReader(fileDescriptor: file.fd, path: "in.csv")
        let records = try ingestReadAll(&reader)
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(try reader.fields(of: records[0]).count, 3)
        XCTAssertThrowsError(try reader.fields(of: records[1])) { error in
            XCTAssertEqual(error as? RecordError, RecordError(path: "in.csv", line: 3,
                                                              problem: "expected 3 fields (as in the header), found 2",
                                                              snippet: "1,2"))
        }
        XCTAssertThrowsError(try reader.fields(of: records[2])) { error in
            XCTAssertEqual((error as? RecordError)?.problem, "expected 3 fields (as in the header), found 4")
        }
    }

    func testSyntaxErrors() throws {
        let file = try IngestTempFile("a,b\n\"x\"y,1\nok,\"x\"\"\"\nq\"uote,2\n", suffix: ".csv")
        defer { file.close() }
        var reader = try CSVReader(fileDescriptor: file.fd, path: "in.csv")
        let records = try ingestReadAll(&reader)
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(ingestProblem { _ = try reader.fields(of: records[0]) },
                       "invalid CSV: unexpected character 'y' after closing quote at column 4")
        XCTAssertEqual(try reader.fields(of: records[1]).map(\.value), ["ok", "x\""])
        // A quote inside an unquoted field is kept literally.
        XCTAssertEqual(try reader.fields(of: records[2]).map(\.value), ["q\"uote", "2"])
    }

    func testUnterminatedQuoteAtEndOfFile() throws {
        let file = try IngestTempFile("a,b\n1,2\n3,\"never closed\n4,5\n", suffix: ".csv")
        defer { file.close() }
        var reader = try CSVReader(fileDescriptor: file.fd, path: "in.csv")
        XCTAssertEqual(try reader.next()?.line, 2)
        // The rest of the file is one record, which the field parser rejects.
        let record = try XCTUnwrap(reader.next())
        XCTAssertEqual(record.line, 3)
        XCTAssertEqual(record.bytes, ingestBytes("3,\"never closed\n4,5\n"))
        XCTAssertEqual(record.linesSpanned, 2)
        XCTAssertThrowsError(try reader.fields(of: record)) { error in
            XCTAssertEqual((error as? RecordError)?.problem, "invalid CSV: unterminated quoted field starting at column 3")
            XCTAssertEqual((error as? RecordError)?.line, 3)
        }
        XCTAssertNil(try reader.next())
    }

    func testInvalidUTF8InAField() throws {
        let file = try IngestTempFile(ingestBytes("a,b\n1,") + [0xFF] + ingestBytes("\n"), suffix: ".csv")
        defer { file.close() }
        var reader = try CSVReader(fileDescriptor: file.fd, path: "in.csv")
        let record = try XCTUnwrap(reader.next())
        XCTAssertEqual(ingestProblem { _ = try reader.fields(of: record) }, "invalid CSV: invalid UTF-8 at byte 3")
    }

    func testSmallBuffersGiveIdenticalRecords() throws {
        var random = IngestRandom(seed: 99)
        var text = "\u{FEFF}id,text,note\r\n"
        for k in 0..<200 {
            let pieces = ["plain", "with,comma", "quote\"d", "multi\nline", "crlf\r\ninside", "é中🎉", ""]
            let piece = pieces[random.below(pieces.count)]
            let quoted = "\"" + piece.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            text += "\(k),\(quoted),\(random.below(3) == 0 ? "" : "n\(k)")" + (random.below(2) == 0 ? "\r\n" : "\n")
            if random.below(10) == 0 { text += "\n" }
        }
        let reference = try readAll(text)
        XCTAssertEqual(reference.records.count, 200)
        for size in [1, 2, 3, 7, 16, 100] {
            let small = try readAll(text, bufferSize: size)
            XCTAssertEqual(small.header, reference.header)
            XCTAssertEqual(small.records, reference.records, "buffer size \(size)")
        }
    }

    func testResumingFromEndOffsetReadsHeaderFirst() throws {
        let text = "h1,h2\n1,\"a\nb\"\n\n2,c\r\n3,\"d\"\n4,e"
        let file = try IngestTempFile(text, suffix: ".csv")
        defer { file.close() }
        var reader = try CSVReader(fileDescriptor: file.fd, path: file.path)
        let all = try ingestReadAll(&reader)
        XCTAssertEqual(all.map(\.line), [2, 5, 6, 7])
        XCTAssertEqual(reader.dataStartOffset, 6)
        for (index, record) in all.enumerated() {
            for size in [7, 1 << 20] {
                var resumed = try CSVReader(fileDescriptor: file.fd, path: file.path, startOffset: record.endOffset,
                                            startLine: record.line + record.linesSpanned, bufferSize: size)
                XCTAssertEqual(resumed.header, ["h1", "h2"])
                XCTAssertEqual(try ingestReadAll(&resumed), Array(all[(index + 1)...]), "after record \(index)")
            }
        }
    }

    func testOverlongRecordIsAnError() throws {
        let file = try IngestTempFile("a\n\"" + String(repeating: "x", count: 5000) + "\n", suffix: ".csv")
        defer { file.close() }
        var reader = try CSVReader(fileDescriptor: file.fd, path: "in.csv", bufferSize: 64, maxRecordBytes: 1000)
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? RecordError)?.problem,
                           "record longer than 1000 bytes (an unterminated quoted field?)")
        }
        XCTAssertNil(try reader.next())
    }
}
