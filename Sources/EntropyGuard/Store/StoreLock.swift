import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a checkpoint directory, so two runs never write one store.
/// flock(2) is released by the kernel when the process dies, so a SIGKILLed run never leaves it stale.
public final class StoreLock {
    private let descriptor: Int32
    public let path: String

    public init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent("entropyguard.lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw EntropyGuardError(.cannotCreate, "\(path): cannot create the lock file: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            let who = holder.isEmpty ? "another entropyguard run" : "another entropyguard run (pid \(holder))"
            throw EntropyGuardError(.locked, "\(directory) is in use by \(who); wait for it to finish or use another --checkpoint-dir")
        }
        descriptor = fd
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
