import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks the store file against its own 100-byte SQLite header before SQLite opens it: that it is an
/// SQLite database at all, and that it is as long as the header says. A truncated store otherwise
/// opens, and SQLite only reports it when a statement reaches a missing page (or reads zeros there).
/// Costs one 100-byte read and two stat calls.
enum StoreFileHeader {
    /// Nil when the file looks whole (or does not exist yet, or is still empty); otherwise what is wrong.
    static func problem(databasePath path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_size > 0 else { return nil }
        let size = Int64(info.st_size)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }   // unreadable: SQLite's open reports it (an I/O error, not damage)
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 100)
        let count = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 100, 0) }
        guard count == 100, header.starts(with: Array("SQLite format 3\0".utf8)) else {
            return "not an SQLite database (the file does not start with the SQLite header)"
        }
        func uint(_ offset: Int, _ width: Int) -> Int64 {
            header[offset..<(offset + width)].reduce(0) { $0 << 8 | Int64($1) }
        }
        let rawPageSize = uint(16, 2)
        let pageSize = rawPageSize == 1 ? 65536 : rawPageSize
        guard pageSize >= 512, pageSize & (pageSize - 1) == 0 else {
            return "the SQLite header is damaged (page size \(rawPageSize))"
        }
        // SQLite writes whole pages: a size between two page boundaries is a cut file.
        guard size % pageSize == 0 else {
            return "the file is \(size) bytes, not a whole number of \(pageSize)-byte pages (truncated?)"
        }
        // The page count at offset 28 is current when the change counter (24) equals the
        // version-valid-for number (92). With frames still in the write-ahead log (after a crash) the
        // file may legitimately be shorter: a checkpoint writes page 1 first and stops anywhere.
        var walInfo = stat()
        let walHasFrames = stat(path + "-wal", &walInfo) == 0 && walInfo.st_size > 0
        let pages = uint(28, 4)
        if !walHasFrames && pages > 0 && uint(24, 4) == uint(92, 4) && size < pages * pageSize {
            return "the file is \(size) bytes but its header says \(pages * pageSize) (truncated)"
        }
        return nil
    }
}
