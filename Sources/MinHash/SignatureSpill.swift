import Foundation

/// The selector's own copy of the signatures it has seen, in a temporary file: record i is row i's id
/// (Int64) and its `permutations` entries. Appended in order through a buffer, read back in order for
/// the decision pass, and at random (pread) for the earlier row of each candidate pair. The reads go
/// through the page cache, which the kernel reclaims, instead of the process's heap: at 4M rows of 128
/// permutations the file is 2 GB.
final class SignatureSpill {
    let permutations: Int
    let recordSize: Int
    private let path: String
    private let descriptor: Int32
    private var buffer: UnsafeMutableRawPointer
    private let bufferCapacity: Int
    private var buffered = 0
    private(set) var count = 0

    struct IOError: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String, permutations: Int) throws {
        self.path = path
        self.permutations = permutations
        recordSize = 8 + 4 * permutations
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw IOError(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        // Unlinked at once: the space is freed when the descriptor closes, even after a crash.
        unlink(path)
        bufferCapacity = max(recordSize, 1 << 20) / recordSize * recordSize
        buffer = .allocate(byteCount: bufferCapacity, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        close(descriptor)
    }

    func append(row: Int64, signature: UnsafePointer<UInt32>) throws {
        if buffered + recordSize > bufferCapacity { try flush() }
        buffer.storeBytes(of: row, toByteOffset: buffered, as: Int64.self)
        (buffer + buffered + 8).copyMemory(from: signature, byteCount: 4 * permutations)
        buffered += recordSize
        count += 1
    }

    func flush() throws {
        var written = 0
        let offset = off_t((count - buffered / recordSize) * recordSize)
        while written < buffered {
            let n = pwrite(descriptor, buffer + written, buffered - written, offset + off_t(written))
            guard n > 0 else { throw IOError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
            written += n
        }
        buffered = 0
    }

    /// Reads records `first ..< first + records` into `into` (records * recordSize bytes). Flush first.
    func read(first: Int, records: Int, into: UnsafeMutableRawPointer) throws {
        let bytes = records * recordSize
        var done = 0
        while done < bytes {
            let n = pread(descriptor, into + done, bytes - done, off_t(first * recordSize + done))
            guard n > 0 else { throw IOError(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
            done += n
        }
    }
}
