#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the lines of a JSONL file as records.
///
/// - Lines end with `\n`; a CR before it (CRLF) is removed; the last line needs no terminator.
/// - Blank and whitespace-only lines (space, tab, CR) are skipped but still counted in line numbers.
/// - A UTF-8 byte-order mark at offset 0 is skipped.
/// - Lines of any length up to `maxRecordBytes` are returned whole (the buffer grows for them and
///   shrinks back afterwards). A longer line (say, a binary file without newlines) is skipped without
///   being held in memory, and reported as a `RecordError`; reading goes on after it.
/// - No JSON validation happens here: see `JSONScan`.
public struct JSONLReader: RecordReader {
    public let path: String
    /// Lines longer than this are skipped and reported instead of returned.
    public let maxRecordBytes: Int
    private var window: ReadWindow
    private var nextLine: Int
    /// Bytes after `window.start` already searched for `\n` without finding one.
    private var scanned = 0
    private var needsBOMCheck: Bool
    private var pendingError: Error?

    /// - Parameters:
    ///   - fileDescriptor: an open, readable descriptor; the reader does not close it.
    ///   - path: used in error messages only.
    ///   - startOffset: where to start, 0 or an `endOffset` of a record from an earlier read.
    ///   - startLine: the line number at `startOffset`.
    ///   - bufferSize: read(2) size and base buffer capacity.
    ///   - maxRecordBytes: the longest line returned; longer ones are skipped with an error.
    public init(fileDescriptor: Int32, path: String, startOffset: Int64 = 0, startLine: Int = 1,
                bufferSize: Int = 1 << 20, maxRecordBytes: Int = 1 << 30) {
        self.path = path
        self.maxRecordBytes = max(maxRecordBytes, 1)
        self.window = ReadWindow(fd: fileDescriptor, path: path, fileOffset: startOffset, capacity: bufferSize)
        self.nextLine = startLine
        self.needsBOMCheck = startOffset == 0
        do {
            try ReadWindow.seek(fd: fileDescriptor, path: path, to: startOffset)
        } catch {
            pendingError = error // reported by the first `next()`, keeping `init` non-throwing
        }
    }

    public mutating func next() throws -> InputRecord? {
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        if needsBOMCheck { try skipBOM() }
        while true {
            if let newline = findNewline() {
                let record = makeRecord(end: newline, terminated: true)
                if let record { return record }
                continue // blank line
            }
            scanned = window.end - window.start
            if scanned > maxRecordBytes { try skipLongLine() }
            if try !window.fill() {
                if window.start == window.end { return nil }
                if let record = makeRecord(end: window.end, terminated: false) { return record }
                return nil
            }
        }
    }

    /// Index of the next `\n` at or after `start + scanned`, if it is in the window.
    @inline(__always)
    private func findNewline() -> Int? {
        let from = window.start + scanned
        let count = window.end - from
        if count <= 0 { return nil }
        return window.storage.withUnsafeBufferPointer { buf -> Int? in
            let base = UnsafeRawPointer(buf.baseAddress!)
            guard let hit = memchr(base + from, 0x0A, count) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }

    /// Consumes `start..<end` (+ the terminator) and returns it as a record, or `nil` for a blank line.
    private mutating func makeRecord(end: Int, terminated: Bool) -> InputRecord? {
        let start = window.start
        let line = nextLine
        let startOffset = window.fileOffset(of: start)
        let resume = terminated ? end + 1 : end
        window.start = resume
        scanned = 0
        if terminated { nextLine += 1 }
        let endOffset = window.fileOffset(of: resume)
        return window.storage.withUnsafeBufferPointer { buf -> InputRecord? in
            let p = buf.baseAddress!
            var stop = end
            if stop > start && p[stop - 1] == 0x0D { stop -= 1 }
            // Blank-line check; the common case (a line starting with `{`) exits at once.
            var i = start
            while i < stop {
                let b = p[i]
                if b != 0x20 && b != 0x09 && b != 0x0D { break }
                i += 1
            }
            if i == stop { return nil }
            return InputRecord(line: line, startOffset: startOffset, endOffset: endOffset,
                               bytes: Array(UnsafeBufferPointer(start: p + start, count: stop - start)),
                               linesSpanned: terminated ? 1 : 0)
        }
    }

    /// Discards the current line (longer than `maxRecordBytes`) up to and including its `\n`,
    /// keeping only a snippet, then throws its `RecordError`.
    private mutating func skipLongLine() throws {
        let line = nextLine
        let snippet = Array(window.storage[window.start..<min(window.end, window.start + 400)])
        while true {
            scanned = 0
            window.start = window.end
            if try !window.fill() { break }
            if let newline = findNewline() {
                window.start = newline + 1
                nextLine += 1
                break
            }
        }
        scanned = 0
        throw RecordError(path: path, line: line, problem: "line longer than \(maxRecordBytes) bytes", record: snippet)
    }

    private mutating func skipBOM() throws {
        needsBOMCheck = false
        try window.skipUTF8BOM()
    }
}
