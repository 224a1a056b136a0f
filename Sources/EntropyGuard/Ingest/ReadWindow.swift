#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reusable window onto a file descriptor, filled with read(2).
///
/// Bytes `storage[start..<end]` are read but not yet consumed. `fill()` moves them to the front
/// and reads more after them, doubling the storage only when one unconsumed record fills it
/// (a very long line), and shrinking back to the base capacity once that record is consumed,
/// so memory stays bounded by the longest record plus the base capacity.
struct ReadWindow {
    let fd: Int32
    let path: String
    let baseCapacity: Int
    private(set) var storage: [UInt8]
    /// First unconsumed byte.
    var start = 0
    /// One past the last byte read.
    private(set) var end = 0
    /// File offset of `storage[0]`.
    private(set) var storageOffset: Int64
    private(set) var atEOF = false

    init(fd: Int32, path: String, fileOffset: Int64, capacity: Int) {
        self.fd = fd
        self.path = path
        self.baseCapacity = max(capacity, 1)
        self.storage = [UInt8](repeating: 0, count: max(capacity, 1))
        self.storageOffset = fileOffset
    }

    /// File offset of `storage[index]`.
    @inline(__always)
    func fileOffset(of index: Int) -> Int64 { storageOffset + Int64(index) }

    /// Reads more bytes after `end`, keeping `start..<end` (indices shift: `start` becomes 0).
    /// Returns `false` at end of file, when nothing more was read.
    mutating func fill() throws -> Bool {
        if atEOF { return false }
        if start > 0 { compact() }
        if end == storage.count {
            storage.append(contentsOf: repeatElement(0, count: storage.count))
        }
        let want = storage.count - end
        while true {
            let n = storage.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + end, want)
            }
            if n > 0 {
                end += n
                return true
            }
            if n == 0 {
                atEOF = true
                return false
            }
            if errno == EINTR { continue }
            throw InputReadError(path: path, operation: "read", errno: errno)
        }
    }

    private mutating func compact() {
        let remaining = end - start
        if storage.count > baseCapacity && remaining <= baseCapacity / 2 {
            // A long record was consumed: give the memory back.
            var fresh = [UInt8](repeating: 0, count: baseCapacity)
            fresh.withUnsafeMutableBufferPointer { dst in
                storage.withUnsafeBufferPointer { src in
                    if remaining > 0 {
                        dst.baseAddress!.update(from: src.baseAddress! + start, count: remaining)
                    }
                }
            }
            storage = fresh
        } else if remaining > 0 {
            let from = start
            storage.withUnsafeMutableBufferPointer { buf in
                let base = buf.baseAddress!
                memmove(base, base + from, remaining)
            }
        }
        storageOffset += Int64(start)
        start = 0
        end = remaining
    }

    /// Positions `fd` at `offset`; with `offset == 0` a failure is ignored so pipes still work from the start.
    static func seek(fd: Int32, path: String, to offset: Int64) throws {
        if lseek(fd, off_t(offset), SEEK_SET) < 0 && offset != 0 {
            throw InputReadError(path: path, operation: "seek to \(offset)", errno: errno)
        }
    }

    /// Skips a UTF-8 byte order mark at the current position (the start of the file).
    mutating func skipUTF8BOM() throws {
        while end - start < 3 {
            if try !fill() { break }
        }
        if end - start >= 3 && storage[start] == 0xEF && storage[start + 1] == 0xBB && storage[start + 2] == 0xBF {
            start += 3
        }
    }
}
