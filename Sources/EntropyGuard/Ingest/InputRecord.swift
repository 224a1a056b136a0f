/// One record read from an input file: a JSONL line or a CSV record (which may span several lines).
///
/// Offsets are byte offsets in the input file, so a reader can be resumed at `endOffset`
/// (with `startLine: line + lineCount`) after a crash or a checkpoint.
public struct InputRecord: Equatable, Sendable {
    /// 1-based line number where the record starts.
    public let line: Int
    /// Byte offset of the first byte of the record in the input.
    public let startOffset: Int64
    /// Byte offset just past the record and its line terminator: where the next read resumes.
    public let endOffset: Int64
    /// The record bytes without the line terminator (the CR of a CRLF is removed too).
    public let bytes: [UInt8]
    /// Number of line terminators the record consumed, i.e. the resume line is `line + linesSpanned`
    /// (1 for a normal line, more for a CSV record with newlines inside quotes, 0 for a last line without `\n`).
    public let linesSpanned: Int

    public init(line: Int, startOffset: Int64, endOffset: Int64, bytes: [UInt8], linesSpanned: Int = 1) {
        self.line = line
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.bytes = bytes
        self.linesSpanned = linesSpanned
    }
}

/// A forward-only stream of records from one input file.
public protocol RecordReader {
    /// The next record, or `nil` at the end of the input.
    mutating func next() throws -> InputRecord?
}

/// A record that cannot be used: bad JSON, not an object, invalid UTF-8, wrong CSV field count...
/// The pipeline reports it (path, line, problem, snippet) and moves on to the next record.
public struct RecordError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    /// 1-based line where the record starts.
    public let line: Int
    /// What is wrong, e.g. `invalid JSON: unexpected character 'x' at column 17`.
    public let problem: String
    /// The start of the record, made printable and short by `Snippet`.
    public let snippet: String

    public init(path: String, line: Int, problem: String, snippet: String) {
        self.path = path
        self.line = line
        self.problem = problem
        self.snippet = snippet
    }

    /// Makes the error for `record`, computing the snippet from its bytes.
    public init(path: String, line: Int, problem: String, record: [UInt8]) {
        self.init(path: path, line: line, problem: problem, snippet: Snippet.printable(record))
    }

    public var description: String {
        "\(path):\(line): \(problem): \(snippet)"
    }

    /// The error as reported to the user (exit 65): `file:line: problem`, then the snippet indented.
    public var report: String {
        "\(path):\(line): \(problem)\n  \(snippet)"
    }
}

/// Reading the input file failed (I/O error, not a bad record): the pipeline should stop.
public struct InputReadError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let operation: String
    public let errno: Int32

    public var description: String {
        "\(path): \(operation) failed: \(String(cString: strerror(errno)))"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
