/// Streams the records of an RFC 4180 CSV file.
///
/// - The first record is the header (`header`); it is always read from offset 0, even when resuming.
/// - Records end at a `\n` outside quotes; a CR before it (CRLF) is removed. Quoted fields may hold
///   commas, doubled quotes and newlines, so one record can span several lines.
/// - Empty lines are skipped (still counted); a whitespace-only line is a record like any other.
/// - A UTF-8 byte-order mark at offset 0 is skipped.
/// - An empty file has an empty `header` and no records.
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
        try CSVReader.skipBOM(&window)
        var headerRecord: InputRecord?
        var headerFields: [String] = []
        // Reads the header with the same machinery as data records.
        var probe = CSVRecordSplitter(path: path, maxRecordBytes: maxRecordBytes)
        headerRecord = try probe.next(from: &window, line: &nextLine)
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
        var splitter = CSVRecordSplitter(path: path, maxRecordBytes: maxRecordBytes)
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

    private static func skipBOM(_ window: inout ReadWindow) throws {
        while window.end - window.start < 3 {
            if try !window.fill() { break }
        }
        if window.end - window.start >= 3 {
            let s = window.start
            if window.storage[s] == 0xEF && window.storage[s + 1] == 0xBB && window.storage[s + 2] == 0xBF {
                window.start += 3
            }
        }
    }
}

/// Finds where the next CSV record ends: at a `\n` outside quotes.
struct CSVRecordSplitter {
    let path: String
    let maxRecordBytes: Int

    private enum State { case fieldStart, unquoted, quoted, afterQuote }

    /// The next non-empty record, consuming it from `window`; `line` advances past it.
    mutating func next(from window: inout ReadWindow, line: inout Int) throws -> InputRecord? {
        while true {
            // Scan from the record start each time: after a refill the partial record is rescanned,
            // which is bounded because the window only refills when the record does not fit.
            let found = scan(window)
            if let (end, newlines) = found {
                if let record = take(&window, end: end, terminated: true, newlines: newlines, line: &line) {
                    return record
                }
                continue
            }
            if window.end - window.start > maxRecordBytes {
                throw RecordError(path: path, line: line,
                                  problem: "record longer than \(maxRecordBytes) bytes (an unterminated quoted field?)",
                                  record: Array(window.storage[window.start..<min(window.end, window.start + 400)]))
            }
            if try !window.fill() {
                if window.start == window.end { return nil }
                let (state, newlines) = scanToEnd(window)
                if state == .quoted {
                    let bytes = Array(window.storage[window.start..<window.end])
                    window.start = window.end
                    throw RecordError(path: path, line: line, problem: "invalid CSV: unterminated quoted field",
                                      record: bytes)
                }
                if let record = take(&window, end: window.end, terminated: false, newlines: newlines, line: &line) {
                    return record
                }
                return nil
            }
        }
    }

    /// Index of the record-ending `\n` and the number of newlines inside quotes before it.
    private func scan(_ window: ReadWindow) -> (Int, Int)? {
        let (state, end, newlines) = run(window)
        _ = state
        return end.map { ($0, newlines) }
    }

    private func scanToEnd(_ window: ReadWindow) -> (State, Int) {
        let (state, _, newlines) = run(window)
        return (state, newlines)
    }

    private func run(_ window: ReadWindow) -> (State, Int?, Int) {
        window.storage.withUnsafeBufferPointer { buf in
            let p = buf.baseAddress!
            var state = State.fieldStart
            var newlines = 0
            var k = window.start
            let end = window.end
            let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(0x0A)
            while k < end {
                let b = p[k]
                switch state {
                case .fieldStart:
                    if b == quote { state = .quoted }
                    else if b == lf { return (state, k, newlines) }
                    else if b != comma { state = .unquoted }
                case .unquoted:
                    if b == comma { state = .fieldStart }
                    else if b == lf { return (state, k, newlines) }
                case .quoted:
                    if b == quote { state = .afterQuote }
                    else if b == lf { newlines += 1 }
                case .afterQuote:
                    if b == quote { state = .quoted }
                    else if b == comma { state = .fieldStart }
                    else if b == lf { return (state, k, newlines) }
                    else { state = .unquoted } // text after a closing quote: `fields(of:)` reports it
                }
                k += 1
            }
            return (state, nil, newlines)
        }
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
