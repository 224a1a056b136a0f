import Foundation
import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// A file (or stdout) written through a 1 MiB buffer. A named file is an `AtomicFile`: it appears under
/// its name only at `commit()`, whole; dropping an uncommitted output removes the temporary file.
public final class BufferedFileOutput {
    let displayPath: String
    /// The named file, written through `AtomicFile` (nil for stdout).
    private var file: AtomicFile?
    /// The file's bytes so far, hashed as they are written (`hashed` files only; nil for stdout).
    private(set) var hash: XXH3FileObserver?
    private var buffer: [UInt8] = []
    private let capacity = 1 << 20

    /// `path` nil or "-" means stdout. `hashed`: the file's XXH3 is taken as it is written (`hash`),
    /// for the store's record of it (`OutputPrefix`); such a file cannot be patched.
    init(path: String?, hashed: Bool = false) throws {
        if let path, path != "-" {
            let url = URL(fileURLWithPath: path)
            let directory = url.deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw EntropyGuardError(.cannotCreate, "\(path): cannot create the output: directory \(directory) does not exist")
            }
            displayPath = path
            hash = hashed ? XXH3FileObserver() : nil
            file = try Self.open(path, observer: hash)
        } else {
            displayPath = "<stdout>"
            file = nil
        }
        buffer.reserveCapacity(capacity)
    }

    private static func open(_ path: String, observer: XXH3FileObserver?) throws -> AtomicFile {
        do {
            return try AtomicFile(path: path, observer: observer)
        } catch let error as ParquetError {
            throw EntropyGuardError(error, writing: path)
        }
    }

    /// Starts the file again, empty (its temporary file replaced by a new one): an append whose old
    /// file did not check out while it was copied is written whole (`OutputPrefix`). Files only.
    func restart() throws {
        guard let old = file else { return }
        old.discard()
        buffer.removeAll(keepingCapacity: true)
        hash = hash.map { _ in XXH3FileObserver() }
        file = try Self.open(old.path, observer: hash)
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
            try writeThrough(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        buffer.append(terminator)
        if buffer.count >= capacity { try flush() }
    }

    /// Appends the first `count` bytes of the open file `source` (`AtomicFile.copy`). Files only.
    func copy(from source: Int32, count: Int64) throws {
        try flush()
        guard let file else { throw EntropyGuardError(.cannotCreate, "\(displayPath): cannot copy into stdout") }
        try mapped { try file.copy(from: source, count: count) }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeThrough($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Overwrites the first bytes of the file (a header whose content is known only at the end).
    /// Only for files, after everything else was written.
    func patchHeader(_ bytes: [UInt8]) throws {
        try flush()
        guard let file else { throw EntropyGuardError(.cannotCreate, "\(displayPath): a header cannot be patched on stdout") }
        try mapped { try file.write(bytes, at: 0) }
    }

    /// Flushes, then puts the file in place (`AtomicFile.commit`: fsync, rename, directory fsync);
    /// stdout: flushes.
    func commit() throws {
        try flush()
        guard let file else { return }
        try mapped { try file.commit() }
    }

    private func writeThrough(_ bytes: UnsafeRawBufferPointer) throws {
        if let file {
            try mapped { try file.write(bytes) }
        } else {
            try writeAll(STDOUT_FILENO, bytes, path: displayPath)
        }
    }

    /// The file's errors with this output's name and exit status.
    private func mapped(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ParquetError {
            throw EntropyGuardError(error, writing: displayPath)
        }
    }
}
