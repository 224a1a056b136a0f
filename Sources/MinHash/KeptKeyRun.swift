import Foundation

/// Band keys of kept rows, sorted by (key, row), in an unlinked temporary file of (key, row ordinal)
/// pairs of UInt64 (the space goes when the run is released, or when the process dies). Each block
/// leaves one run; later blocks merge their own sorted keys against every run, which finds each earlier
/// kept row that shares a bucket with one of their rows without holding earlier blocks in memory. Runs
/// are merged as they accumulate (`merged`), binary-counter style, so a block reads O(log blocks) files.
final class KeptKeyRun {
    let count: Int
    private let descriptor: Int32
    private static let chunkPairs = 1 << 16

    private init(directory: String, count: Int, fill: (Int32) throws -> Void) throws {
        var template = Array((directory + "/run.XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SignatureSpill.IOError(description: "cannot create a run file in \(directory): \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
        self.count = count
        do { try fill(descriptor) } catch { close(descriptor); throw error }
    }

    deinit { close(descriptor) }

    /// A run of `count` pairs that `produce` passes to its argument in (key, row) order.
    convenience init(directory: String, count: Int, _ produce: ((UInt64, UInt64) throws -> Void) throws -> Void) throws {
        try self.init(directory: directory, count: count) { descriptor in
            let writer = PairWriter(descriptor: descriptor)
            var written = 0
            try produce { key, row in
                try writer.append(key, row)
                written += 1
            }
            try writer.flush()
            precondition(written == count)
        }
    }

    /// One run holding the entries of `first` and `second`, in (key, row) order.
    static func merged(_ first: KeptKeyRun, _ second: KeptKeyRun, directory: String) throws -> KeptKeyRun {
        try KeptKeyRun(directory: directory, count: first.count + second.count) { descriptor in
            let writer = PairWriter(descriptor: descriptor)
            let a = Cursor(first)
            let b = Cursor(second)
            try a.load()
            try b.load()
            while let x = a.current, let y = b.current {
                if x.key < y.key || (x.key == y.key && x.row < y.row) {
                    try writer.append(x.key, x.row)
                    try a.advance()
                } else {
                    try writer.append(y.key, y.row)
                    try b.advance()
                }
            }
            for cursor in [a, b] {
                while let x = cursor.current {
                    try writer.append(x.key, x.row)
                    try cursor.advance()
                }
            }
            try writer.flush()
        }
    }

    /// Calls `body` with consecutive chunks of (key, row) pairs, interleaved, in key order.
    func forEachChunk(_ body: (UnsafeBufferPointer<UInt64>) throws -> Void) throws {
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * Self.chunkPairs)
        defer { buffer.deallocate() }
        var start = 0
        while start < count {
            let pairs = min(Self.chunkPairs, count - start)
            try read(start, pairs, into: buffer)
            try body(UnsafeBufferPointer(start: buffer, count: 2 * pairs))
            start += pairs
        }
    }

    private func read(_ first: Int, _ pairs: Int, into buffer: UnsafeMutablePointer<UInt64>) throws {
        let bytes = pairs * 16
        var done = 0
        while done < bytes {
            let n = pread(descriptor, UnsafeMutableRawPointer(buffer) + done, bytes - done, off_t(first * 16 + done))
            guard n > 0 else { throw SignatureSpill.IOError(description: "cannot read a run file: \(String(cString: strerror(errno)))") }
            done += n
        }
    }

    /// Sequential reader of a run.
    private final class Cursor {
        let run: KeptKeyRun
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * KeptKeyRun.chunkPairs)
        var loadedFirst = 0
        var loaded = 0
        var position = 0

        init(_ run: KeptKeyRun) { self.run = run }
        deinit { buffer.deallocate() }

        var current: (key: UInt64, row: UInt64)? {
            position < loadedFirst + loaded ? (buffer[2 * (position - loadedFirst)], buffer[2 * (position - loadedFirst) + 1]) : nil
        }

        func load() throws {
            loadedFirst = position
            loaded = min(KeptKeyRun.chunkPairs, run.count - position)
            if loaded > 0 { try run.read(position, loaded, into: buffer) }
        }

        func advance() throws {
            position += 1
            if position == loadedFirst + loaded && position < run.count { try load() }
        }
    }

    /// Buffered appends of pairs.
    private final class PairWriter {
        let descriptor: Int32
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * KeptKeyRun.chunkPairs)
        var pairs = 0

        init(descriptor: Int32) { self.descriptor = descriptor }
        deinit { buffer.deallocate() }

        func append(_ key: UInt64, _ row: UInt64) throws {
            buffer[2 * pairs] = key
            buffer[2 * pairs + 1] = row
            pairs += 1
            if pairs == KeptKeyRun.chunkPairs { try flush() }
        }

        func flush() throws {
            let bytes = pairs * 16
            var done = 0
            while done < bytes {
                let n = write(descriptor, UnsafeRawPointer(buffer) + done, bytes - done)
                guard n > 0 else { throw SignatureSpill.IOError(description: "cannot write a run file: \(String(cString: strerror(errno)))") }
                done += n
            }
            pairs = 0
        }
    }
}
