#if canImport(Glibc)
import Glibc
#endif

/// Reads records back from the input by (offset, length). The output asks in increasing offset order,
/// so reads go through a 4 MiB window refilled with pread(2): sequential I/O, bounded memory.
final class InputRecordFetcher {
    private let fd: Int32
    private let path: String
    private var window: [UInt8] = []
    private var windowStart: Int64 = 0
    private let windowSize = 4 << 20

    init(input: InputSource) throws {
        fd = open(input.filePath, O_RDONLY | O_CLOEXEC)
        path = input.displayPath
        guard fd >= 0 else {
            throw EntropyGuardError(.noInput, "\(input.displayPath): cannot read the input: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    func bytes(offset: Int64, length: Int) throws -> ArraySlice<UInt8> {
        if offset < windowStart || offset + Int64(length) > windowStart + Int64(window.count) {
            try refill(at: offset, minimum: length)
        }
        let start = Int(offset - windowStart)
        return window[start..<start + length]
    }

    private func refill(at offset: Int64, minimum: Int) throws {
        let size = max(windowSize, minimum)
        window = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let n = window.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, size - filled, off_t(offset) + off_t(filled)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw EntropyGuardError(.ioError, "\(path): read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        guard filled >= minimum else {
            throw EntropyGuardError(.dataError, "\(path): the input is shorter than when it was ingested; run again without --resume")
        }
        window.removeSubrange(filled...)
        windowStart = offset
    }
}
