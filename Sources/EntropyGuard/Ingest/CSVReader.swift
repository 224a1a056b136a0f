#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the records of an RFC 4180 CSV file.
///
/// - The first record is the header (`header`); it is always read from offset 0, even when resuming.
/// - Records end at a `\n` outside quotes; a CR before it (CRLF) is removed. Quoted fields may hold
///   commas, doubled quotes and newlines, so one record can span several lines.
/// - Empty lines are skipped (still counted); a whitespace-only line is a record like any other.
/// - A UTF-8 byte-order mark at offset 0 is skipped.
/// - An empty file has an empty `header` and no records.
/// - A quoted field still open at the end of the file makes the rest of the file its record, which
///   `fields(of:)` rejects as an unterminated quoted field.
/// - `next()` only finds record boundaries; `fields(of:)` splits a record and checks its field count.
public struct CSVReader: RecordReader {
    public let path: String
    /// The header row's fields (column names), empty for an empty file.
    public let header: [String]
    /// Line on which the header row starts.
    public let headerLine: Int
    /// Offset just past the header row: where the first data record starts.
    public let dataStartOffset: Int64
    /// A record longer than this is an error (almost always an unterminated quote swallowing the file).
    public let maxRecordBytes: Int

    private var window: ReadWindow
    private var nextLine: Int
    private var finished = false

    /// - Parameters:
    ///   - fileDescriptor: an open, readable descriptor; the reader does not close it.
    ///     It must be seekable when `startOffset > 0`.
    ///   - path: used in error messages only.
    ///   - startOffset: 0, or an `endOffset` of a data record from an earlier read.
    ///   - startLine: the line number at `startOffset` (when `startOffset` is 0, the line of the header).
    public init(fileDescriptor: Int32, path: String, startOffset: Int64 = 0, startLine: Int = 1,
                bufferSize: Int = 1 << 20, maxRecordBytes: Int = 64 << 20) throws {
        self.path = path
        self.maxRecordBytes = maxRecordBytes
        try ReadWindow.seek(fd: fileDescriptor, path: path, to: 0)
        window = ReadWindow(fd: fileDescriptor, path: path, fileOffset: 0, capacity: bufferSize)
        nextLine = startOffset == 0 ? startLine : 1
        try window.skipUTF8BOM()
        var headerRecord: InputRecord?
        var headerFields: [String] = []
        // Reads the header with the same machinery as data records.
        let splitter = CSVRecordSplitter(path: path, maxRecordBytes: maxRecordBytes)
        headerRecord = try splitter.next(from: &window, line: &nextLine)
        if let headerRecord {
            do {
                headerFields = try CSVFieldParser.parse(headerRecord.bytes).map(\.value)
            } catch let error as CSVFieldParser.SyntaxError {
                throw RecordError(path: path, line: headerRecord.line, problem: "bad CSV header: " + error.problem,
                                  record: headerRecord.bytes)
            }
        }
        header = headerFields
        headerLine = headerRecord?.line ?? startLine
        dataStartOffset = headerRecord?.endOffset ?? window.fileOffset(of: window.start)
        if startOffset > 0 {
            try ReadWindow.seek(fd: fileDescriptor, path: path, to: startOffset)
            window = ReadWindow(fd: fileDescriptor, path: path, fileOffset: startOffset, capacity: bufferSize)
            nextLine = startLine
        }
    }

    public mutating func next() throws -> InputRecord? {
        if finished { return nil }
        let splitter = CSVRecordSplitter(path: path, maxRecordBytes: maxRecordBytes)
        do {
            if let record = try splitter.next(from: &window, line: &nextLine) { return record }
            finished = true
            return nil
        } catch {
            finished = true // the rest of the file cannot be split reliably
            throw error
        }
    }

    /// Splits `record` into fields; throws a `RecordError` on a syntax error, invalid UTF-8,
    /// or a field count different from the header's.
    public func fields(of record: InputRecord) throws -> [CSVField] {
        let fields: [CSVField]
        do {
            fields = try CSVFieldParser.parse(record.bytes)
        } catch let error as CSVFieldParser.SyntaxError {
            throw RecordError(path: path, line: record.line, problem: "invalid CSV: " + error.problem, record: record.bytes)
        }
        if fields.count != header.count {
            throw RecordError(path: path, line: record.line,
                              problem: "expected \(header.count) fields (as in the header), found \(fields.count)",
                              record: record.bytes)
        }
        return fields
    }
}

/// Finds where the next CSV record ends: at a `\n` outside quotes.
///
/// A `"` opens a quoted field only at the start of a field (RFC 4180); elsewhere it is a literal
/// character, as in `CSVFieldParser`. Quoted spans are skipped with memchr, unquoted ones eight
/// bytes at a time.
struct CSVRecordSplitter {
    let path: String
    let maxRecordBytes: Int

    private enum Scan {
        /// The record ends at the `\n` at `end`; `newlines` more were inside quotes.
        case complete(end: Int, newlines: Int)
        /// The window ends inside the record (maybe inside quotes).
        case incomplete(newlines: Int)
    }

    /// The next non-empty record, consuming it from `window`; `line` advances past it.
    func next(from window: inout ReadWindow, line: inout Int) throws -> InputRecord? {
        while true {
            // Scan from the record start each time: after a refill the partial record is rescanned,
            // which is bounded because the window only refills when the record does not fit.
            switch scan(window) {
            case .complete(let end, let newlines):
                if let record = take(&window, end: end, terminated: true, newlines: newlines, line: &line) {
                    return record
                }
                continue
            case .incomplete(let newlines):
                if window.end - window.start > maxRecordBytes {
                    throw RecordError(path: path, line: line,
                                      problem: "record longer than \(maxRecordBytes) bytes (an unterminated quoted field?)",
                                      record: Array(window.storage[window.start..<min(window.end, window.start + 400)]))
                }
                if try window.fill() { continue }
                // End of file. A quote still open here makes the rest of the file one record; it is
                // returned like any other, and `fields(of:)` reports it (a bad record, skippable with
                // --skip-bad-lines, rather than a failure of the reader: nothing after it is lost).
                if window.start == window.end { return nil }
                return take(&window, end: window.end, terminated: false, newlines: newlines, line: &line)
            }
        }
    }

    private func scan(_ window: ReadWindow) -> Scan {
        window.storage.withUnsafeBufferPointer { buf in
            let p = buf.baseAddress!
            let end = window.end
            let quote = UInt8(ascii: "\"")
            var newlines = 0
            var k = window.start
            while true {
                // At the start of a field.
                if k < end && p[k] == quote {
                    k += 1
                    while true {
                        guard let hit = memchr(p + k, Int32(quote), end - k) else {
                            newlines += countNewlines(p, k, end)
                            return .incomplete(newlines: newlines)
                        }
                        let q = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(hit))
                        newlines += countNewlines(p, k, q)
                        k = q + 1
                        if k < end && p[k] == quote { // a doubled quote
                            k += 1
                            continue
                        }
                        // The closing quote. At the window's end it may yet be doubled by the next byte;
                        // the scan below then reports `.incomplete` and the record is rescanned after a refill.
                        break
                    }
                }
                // The rest of the field (after a closing quote, only junk that `fields(of:)` rejects).
                k = firstCommaOrNewline(p, k, end)
                if k == end { return .incomplete(newlines: newlines) }
                if p[k] == 0x0A { return .complete(end: k, newlines: newlines) }
                k += 1 // the comma
            }
        }
    }

    private func countNewlines(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var count = 0
        var k = from
        while k < to, let hit = memchr(p + k, 0x0A, to - k) {
            count += 1
            k = UnsafeRawPointer(p).distance(to: UnsafeRawPointer(hit)) + 1
        }
        return count
    }

    /// Index of the first `,` or `\n` in `from..<end`, or `end`.
    @inline(__always)
    private func firstCommaOrNewline(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        var k = from
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        while k + 8 <= end {
            let w = UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
            let comma = w ^ 0x2C2C_2C2C_2C2C_2C2C
            let newline = w ^ 0x0A0A_0A0A_0A0A_0A0A
            let hits = (((comma &- ones) & ~comma) | ((newline &- ones) & ~newline)) & high
            if hits != 0 { return k + hits.trailingZeroBitCount >> 3 }
            k += 8
        }
        while k < end && p[k] != UInt8(ascii: ",") && p[k] != 0x0A { k += 1 }
        return k
    }

    /// Consumes the record ending at `end`; `nil` for an empty line.
    private func take(_ window: inout ReadWindow, end: Int, terminated: Bool, newlines: Int,
                      line: inout Int) -> InputRecord? {
        let start = window.start
        let recordLine = line
        let resume = terminated ? end + 1 : end
        let spanned = newlines + (terminated ? 1 : 0)
        line += spanned
        window.start = resume
        var stop = end
        if stop > start && window.storage[stop - 1] == 0x0D { stop -= 1 }
        if stop == start { return nil }
        return InputRecord(line: recordLine, startOffset: window.fileOffset(of: start),
                           endOffset: window.fileOffset(of: resume),
                           bytes: Array(window.storage[start..<stop]), linesSpanned: spanned)
    }
}
