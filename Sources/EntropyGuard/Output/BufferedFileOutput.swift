import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// Linux's sync_file_range(2), looked up at run time: Glibc's Swift module does not declare it (it
/// needs _GNU_SOURCE). Nil elsewhere, where commit()'s fsync alone does the work.
private let startWriteback: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
    guard let symbol = dlsym(nil, "sync_file_range") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
}()

/// A file (or stdout) written through a 1 MiB buffer. A named file is written under a temporary name
/// in the same directory and renamed into place by `commit()`, so a crash never leaves a half-written
/// output under the real name. Dropping an uncommitted output removes the temporary file.
public final class BufferedFileOutput {
    let displayPath: String
    private let finalPath: String?
    private let temporaryPath: String?
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    private let capacity = 1 << 20
    /// Bytes written to the file so far, and how far writeback to disk has been started.
    private var written: Int64 = 0
    private var writebackStarted: Int64 = 0

    /// `path` nil or "-" means stdout.
    init(path: String?) throws {
        if let path, path != "-" {
            let url = URL(fileURLWithPath: path)
            let directory = url.deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw EntropyGuardError(.cannotCreate, "\(path): cannot create the output: directory \(directory) does not exist")
            }
            let temporary = TemporaryFileName.make(for: path)
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw EntropyGuardError(.cannotCreate, "\(path): cannot create the output: \(String(cString: strerror(errno)))")
            }
            displayPath = path
            finalPath = path
            temporaryPath = temporary
            fd = descriptor
        } else {
            displayPath = "<stdout>"
            finalPath = nil
            temporaryPath = nil
            fd = STDOUT_FILENO
        }
        buffer.reserveCapacity(capacity)
    }

    deinit {
        if let temporaryPath, !committed {
            close(fd)
            unlink(temporaryPath)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    func write(_ string: String) throws { try write(Array(string.utf8)) }

    /// Appends bytes and one terminator byte (the bytes are copied before this returns).
    func write(_ bytes: UnsafeRawBufferPointer, terminator: UInt8) throws {
        if buffer.count + bytes.count + 1 > capacity { try flush() }
        if bytes.count >= capacity {
            try writeAll(fd, bytes, path: displayPath)
            written += Int64(bytes.count)
        } else {
            buffer.append(contentsOf: bytes)
        }
        buffer.append(terminator)
        if buffer.count >= capacity { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll(fd, $0, path: displayPath) }
        written += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
        // Start writing each 16 MiB to disk as soon as it is in the page cache, so the fsync in
        // commit() only waits for the last part (it waited ~0.1 s per 200 MB otherwise). Advisory:
        // failures are ignored; fsync reports real errors.
        if temporaryPath != nil && written - writebackStarted >= 16 << 20 {
            _ = startWriteback?(fd, writebackStarted, written - writebackStarted, 2 /* SYNC_FILE_RANGE_WRITE */)
            writebackStarted = written
        }
    }

    /// Overwrites the first bytes of the file (a header whose content is known only at the end).
    /// Only for files, after everything else was written.
    func patchHeader(_ bytes: [UInt8]) throws {
        try flush()
        guard temporaryPath != nil else { throw EntropyGuardError(.cannotCreate, "\(displayPath): a header cannot be patched on stdout") }
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if n != bytes.count { throw EntropyGuardError(.ioError, "\(displayPath): write failed: \(String(cString: strerror(errno)))") }
    }

    /// Flushes, syncs and renames the temporary file into place (stdout: flushes).
    func commit() throws {
        try flush()
        guard let temporaryPath, let finalPath else { return }
        if fsync(fd) != 0 {
            throw EntropyGuardError(.ioError, "\(displayPath): fsync failed: \(String(cString: strerror(errno)))")
        }
        close(fd)
        committed = true
        if rename(temporaryPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw EntropyGuardError(.cannotCreate, "\(finalPath): cannot move the output into place: \(reason)")
        }
    }
}
