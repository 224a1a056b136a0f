#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM set a flag that stages poll between batches: the current batch is committed and the
/// run stops with exit 130, so the next run resumes. A second signal kills the process at once (the
/// store is still consistent: every batch is one transaction).
public enum Interrupt {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    public static var requested: Bool { flag != 0 }

    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            if Interrupt.flag != 0 {
                _exit(128 + signal)
            }
            Interrupt.flag = 1
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// Throws the "interrupted" error when a signal arrived; called at batch boundaries.
    public static func check() throws {
        if requested { throw EntropyGuardError.interrupted() }
    }
}
