#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one naming scheme of the temporary files that outputs are written under before their rename:
/// `.<name>.tmp-<pid>-<n>`, hidden, beside the final file. The writer's pid is in the name so that a
/// later run can tell the leftover of a writer that died (SIGKILL, power loss: no chance to unlink)
/// from the file of one still writing, and remove only the former. Before this, every killed run
/// left its temporary file beside the output for good.
public enum TemporaryFileName {
    /// A fresh temporary path beside `path` (stale ones of `path` are removed first).
    public static func make(for path: String) -> String {
        removeStale(for: path)
        let (directory, name) = split(path)
        return "\(directory).\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Removes the temporary files of `path` whose writer is gone.
    public static func removeStale(for path: String) {
        let (directory, name) = split(path)
        sweep(directory) { entry in entry.hasPrefix(".\(name).tmp-") ? pid(in: entry) : nil }
    }

    /// Removes every temporary file in `directory` (not below) whose writer is gone, whatever its final
    /// name: for a directory only we write into, such as a locked checkpoint directory.
    public static func removeStale(in directory: String) {
        sweep(directory.hasSuffix("/") ? directory : directory + "/") { entry in entry.hasPrefix(".") ? pid(in: entry) : nil }
    }

    /// The pid in a name that ends in `.tmp-<pid>` or `.tmp-<pid>-<n>`, nil for any other name.
    static func pid(in entry: String) -> pid_t? {
        let bytes = Array(entry.utf8), marker = Array(".tmp-".utf8)
        var start = bytes.count - marker.count
        while start >= 0 && !bytes[start..<(start + marker.count)].elementsEqual(marker) { start -= 1 }
        guard start >= 0 else { return nil }
        let parts = bytes[(start + marker.count)...].split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 10 && $0.allSatisfy { (0x30...0x39).contains($0) } }),
              let pid = pid_t(String(decoding: parts[0], as: UTF8.self)), pid > 0 else { return nil }
        return pid
    }

    /// A process that does not exist: kill(pid, 0) fails with ESRCH. (EPERM means it exists under
    /// another user; a pid reused since is taken as alive, which only keeps a stale file.)
    static func isGone(_ pid: pid_t) -> Bool {
        kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Unlinks the regular files of `directory` (with its trailing slash, or "" for the current one)
    /// whose name `pidOf` maps to a pid that is gone.
    private static func sweep(_ directory: String, _ pidOf: (String) -> pid_t?) {
        guard let handle = opendir(directory.isEmpty ? "." : directory) else { return }
        var stale: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if let pid = pidOf(name), pid != getpid(), isGone(pid) { stale.append(name) }
        }
        closedir(handle)
        for name in stale {
            var info = stat()
            let path = directory + name
            if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { unlink(path) }
        }
    }

    /// ("dir/", "name") of "dir/name"; ("", "name") of "name".
    private static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }
}
