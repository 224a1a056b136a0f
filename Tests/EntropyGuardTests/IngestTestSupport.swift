import XCTest
@testable import EntropyGuard
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary file with given bytes, opened read-only; removed on `close()`.
final class IngestTempFile {
    let path: String
    let fd: Int32

    init(_ bytes: [UInt8], suffix: String = ".jsonl") throws {
        var template = Array((NSTemporaryDirectory() + "/ingest-test-XXXXXX" + suffix).utf8CString)
        let wfd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
        guard wfd >= 0 else { throw POSIXError(.EIO) }
        path = String(cString: template)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(wfd, $0.baseAddress!, $0.count) }
            guard n > 0 else { throw POSIXError(.EIO) }
            written += n
        }
        posixClose(wfd)
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw POSIXError(.ENOENT) }
    }

    convenience init(_ text: String, suffix: String = ".jsonl") throws {
        try self.init(Array(text.utf8), suffix: suffix)
    }

    func close() {
        posixClose(fd)
        unlink(path)
    }
}

/// All records of a reader.
func ingestReadAll<R: RecordReader>(_ reader: inout R) throws -> [InputRecord] {
    var records: [InputRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

func ingestText(_ record: InputRecord) -> String {
    String(decoding: record.bytes, as: UTF8.self)
}

func ingestBytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// The `problem` of the `JSONScanError` thrown by `body`, or nil if it did not throw one.
func ingestProblem(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as JSONScanError {
        return error.problem
    } catch let error as RecordError {
        return error.problem
    } catch {
        return "unexpected error \(error)"
    }
}

/// A deterministic xorshift generator so tests with "random" input are reproducible.
struct IngestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

private func posixClose(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
