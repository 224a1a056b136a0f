import XCTest
@testable import EntropyGuard
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class IngestJSONLReaderTests: XCTestCase {
    private func read(_ text: String, bufferSize: Int = 1 << 20) throws -> [InputRecord] {
        let file = try IngestTempFile(text)
        defer { file.close() }
        var reader = JSONLReader(fileDescriptor: file.fd, path: file.path, bufferSize: bufferSize)
        return try ingestReadAll(&reader)
    }

    func testLinesOffsetsAndLineNumbers() throws {
        let text = "{\"a\":1}\n{\"b\":22}\n{\"c\":333}"
        let records = try read(text)
        XCTAssertEqual(records.map(ingestText), ["{\"a\":1}", "{\"b\":22}", "{\"c\":333}"])
        XCTAssertEqual(records.map(\.line), [1, 2, 3])
        XCTAssertEqual(records.map(\.startOffset), [0, 8, 17])
        XCTAssertEqual(records.map(\.endOffset), [8, 17, 26])
        XCTAssertEqual(records.last?.endOffset, Int64(text.utf8.count))
    }

    func testEmptyFileHasNoRecords() throws {
        XCTAssertEqual(try read("").count, 0)
        XCTAssertEqual(try read("\n\n  \n\t\r\n").count, 0)
    }

    func testBlankLinesAreSkippedButCounted() throws {
        let records = try read("\n{\"a\":1}\n   \n\t\r\n\n{\"b\":2}\n\n")
        XCTAssertEqual(records.map(ingestText), ["{\"a\":1}", "{\"b\":2}"])
        XCTAssertEqual(records.map(\.line), [2, 6])
    }

    func testCRLFIsStripped() throws {
        let records = try read("{\"a\":1}\r\n{\"b\":2}\r\n")
        XCTAssertEqual(records.map(ingestText), ["{\"a\":1}", "{\"b\":2}"])
        XCTAssertEqual(records.map(\.endOffset), [9, 18])
    }

    func testBOMAtStartIsSkipped() throws {
        let records = try read("\u{FEFF}{\"a\":1}\n{\"b\":2}\n")
        XCTAssertEqual(records.map(ingestText), ["{\"a\":1}", "{\"b\":2}"])
        XCTAssertEqual(records[0].startOffset, 3)
        XCTAssertEqual(try JSONScan.fields(records[0].bytes).map(\.key), ["a"])
        // A BOM alone is an empty file.
        XCTAssertEqual(try read("\u{FEFF}").count, 0)
    }

    func testTenMegabyteLine() throws {
        let big = String(repeating: "abcdefghij", count: 1_000_000)
        let text = "{\"id\":1}\n{\"text\":\"\(big)\"}\n{\"id\":3}\n"
        let records = try read(text, bufferSize: 64 * 1024)
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(records[1].bytes.count, big.utf8.count + 11)
        XCTAssertEqual(records.map(\.line), [1, 2, 3])
        XCTAssertEqual(try JSONScan.textField("text", in: records[1].bytes),
                       .string(big, valueRange: 8..<(8 + big.utf8.count + 2)))
        XCTAssertEqual(ingestText(records[2]), "{\"id\":3}")
    }

    func testOverlongLineIsSkippedAndReported() throws {
        let long = "{\"text\":\"" + String(repeating: "y", count: 5000) + "\"}"
        let file = try IngestTempFile("{\"a\":1}\n" + long + "\n{\"b\":2}\n" + long)
        defer { file.close() }
        var reader = JSONLReader(fileDescriptor: file.fd, path: "in.jsonl", bufferSize: 64, maxRecordBytes: 1000)
        XCTAssertEqual(try reader.next().map(ingestText), "{\"a\":1}")
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? RecordError)?.problem, "line longer than 1000 bytes")
            XCTAssertEqual((error as? RecordError)?.line, 2)
            XCTAssertEqual((error as? RecordError)?.snippet.hasPrefix("{\"text\":\"yyyy"), true)
        }
        let after = try XCTUnwrap(reader.next())
        XCTAssertEqual(ingestText(after), "{\"b\":2}")
        XCTAssertEqual(after.line, 3)
        XCTAssertEqual(after.startOffset, Int64(8 + long.utf8.count + 1))
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? RecordError)?.line, 4)
        }
        XCTAssertNil(try reader.next())
    }

    /// Records straddling buffer boundaries: every buffer size gives the same records.
    func testSmallBuffersGiveIdenticalRecords() throws {
        var random = IngestRandom(seed: 42)
        var text = "\u{FEFF}"
        for k in 0..<300 {
            switch random.below(6) {
            case 0: text += "\n"
            case 1: text += "  \r\n"
            case 2: text += "{\"k\":\(k),\"t\":\"\(String(repeating: "é", count: random.below(40)))\"}\r\n"
            default: text += "{\"k\":\(k),\"t\":\"\(String(repeating: "x", count: random.below(70)))\"}\n"
            }
        }
        text += "{\"last\":true}"
        let reference = try read(text)
        XCTAssertGreaterThan(reference.count, 150)
        for size in [1, 2, 3, 7, 8, 13, 64, 100, 4096] {
            XCTAssertEqual(try read(text, bufferSize: size), reference, "buffer size \(size)")
        }
    }

    func testResumingFromEndOffsetGivesTheRemainingRecords() throws {
        let text = "{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":3}\n   \n{\"a\":4}\n{\"a\":5}"
        let file = try IngestTempFile(text)
        defer { file.close() }
        var reader = JSONLReader(fileDescriptor: file.fd, path: file.path)
        let all = try ingestReadAll(&reader)
        XCTAssertEqual(all.map(\.line), [1, 3, 4, 6, 7])
        for (index, record) in all.enumerated() {
            for size in [7, 1 << 20] {
                var resumed = JSONLReader(fileDescriptor: file.fd, path: file.path, startOffset: record.endOffset,
                                          startLine: record.line + record.linesSpanned, bufferSize: size)
                XCTAssertEqual(try ingestReadAll(&resumed), Array(all[(index + 1)...]), "after record \(index)")
            }
        }
    }

    func testReadsFromAPipeLikeStandardInput() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let text = "\u{FEFF}{\"a\":1}\r\n\n{\"b\":2}"
        _ = text.utf8CString.withUnsafeBufferPointer { write(fds[1], $0.baseAddress!, text.utf8.count) }
        close(fds[1])
        defer { close(fds[0]) }
        var reader = JSONLReader(fileDescriptor: fds[0], path: "-", bufferSize: 5)
        let records = try ingestReadAll(&reader)
        XCTAssertEqual(records.map(ingestText), ["{\"a\":1}", "{\"b\":2}"])
        XCTAssertEqual(records.map(\.line), [1, 3])
        XCTAssertEqual(records.map(\.endOffset), [12, 20])
    }

    func testBadSeekIsReportedByNext() throws {
        var reader = JSONLReader(fileDescriptor: -1, path: "nowhere.jsonl", startOffset: 10)
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertTrue(error is InputReadError, "\(error)")
        }
    }
}
