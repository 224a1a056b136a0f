import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `mkdir -p` whose failure is one plain line with exit 73, naming the directory and the system's reason
/// ("Read-only file system", "Permission denied", "Not a directory"). FileManager's error for the same
/// failure printed as `NSCocoaErrorDomain Code=642` and ended the run as an internal error (exit 70).
enum DirectoryCreation {
    /// Creates `path` and its missing parents; `role` says what the directory is for in the message.
    static func create(_ path: String, role: String) throws {
        if let reason = make(path) {
            throw EntropyGuardError(.cannotCreate, "\(path): cannot create the \(role): \(reason)")
        }
    }

    /// nil on success (or when the directory exists), else strerror of the failing mkdir(2).
    private static func make(_ path: String) -> String? {
        var info = stat()
        if stat(path, &info) == 0 {
            return (info.st_mode & S_IFMT) == S_IFDIR ? nil : String(cString: strerror(ENOTDIR))
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path, let reason = make(parent) { return reason }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { return String(cString: strerror(errno)) }
        return nil
    }
}
