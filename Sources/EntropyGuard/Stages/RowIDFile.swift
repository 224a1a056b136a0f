import Foundation

/// Row ids appended once, in order, then read back a range at a time, from an unlinked temporary file
/// (its space goes when it is released, or when the process dies): the fuzzy stage's list of alive
/// rows in input order. Held in an array it took 8 bytes a row of the heap (27 MB at 4M rows), the
/// part of the stage's peak RSS that grew with the input.
final class RowIDFile {
    private let descriptor: Int32
    private let path: String
    private var buffer: [Int64] = []
    private static let bufferRows = 1 << 16
    private(set) var count = 0

    /// A file in `directory`.
    init(directory: String) throws {
        var template = Array((directory + "/fuzzy-rows.XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        path = directory + "/fuzzy-rows"
        guard descriptor >= 0 else {
            throw EntropyGuardError(.ioError, "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
        buffer.reserveCapacity(Self.bufferRows)
    }

    deinit { close(descriptor) }

    func append(_ row: Int64) throws {
        buffer.append(row)
        count += 1
        if buffer.count == Self.bufferRows { try flush() }
    }

    /// Writes the rows appended since the last flush; call before reading.
    func flush() throws {
        var offset = (count - buffer.count) * 8
        try buffer.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset))
                guard n > 0 else { throw EntropyGuardError(.ioError, "cannot write \(path) (temporary): \(String(cString: strerror(errno)))") }
                done += n
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// The rows at positions `range`, in order.
    func rows(_ range: Range<Int>) throws -> [Int64] {
        precondition(buffer.isEmpty && range.upperBound <= count)
        var rows = [Int64](repeating: 0, count: range.count)
        try rows.withUnsafeMutableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = pread(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(range.lowerBound * 8 + done))
                guard n > 0 else { throw EntropyGuardError(.ioError, "cannot read \(path) (temporary): \(String(cString: strerror(errno)))") }
                done += n
            }
        }
        return rows
    }
}
