import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide OpenBLAS set-up: kernel selection and thread count.
public enum OpenBLASRuntime {
    /// The OpenBLAS kernel family in use (e.g. "SkylakeX", "Haswell").
    public static var coreName: String {
        _ = kernelSelection
        return String(cString: openblas_get_corename())
    }

    /// Sets the number of OpenBLAS threads (a process-wide setting). Results do not depend on it:
    /// OpenBLAS splits GEMMs by rows and columns, never along the summed dimension.
    public static func setThreads(_ threads: Int) {
        _ = kernelSelection
        openblas_set_num_threads(Int32(max(1, threads)))
    }

    /// Stops OpenBLAS's idle worker threads. Debian's pthread build starts one per further core when the
    /// library loads, before `main`, and each spins in `sched_yield` for its timeout (2^28 cycles, about
    /// 0.1 s) before it sleeps. We never hand them work: every caller sets one OpenBLAS thread, and our
    /// own workers split the products. Yet on 2 cores the spin cost every process ~0.1 CPU-s and the
    /// second core meanwhile: in a 10k-row append to a 1M-row store (~0.8 CPU-s in all) perf put 17% of
    /// the samples in `blas_thread_server`, and `OPENBLAS_NUM_THREADS=1` took the append from 7.7% to
    /// 6.8% of a full run's CPU (benchmarks/append.sh, medians of 3). `blas_thread_shutdown_` is the
    /// library's own fork/exit hook; a later call that asks for threads starts them again. Looked up at
    /// run time: builds without a thread server (serial, OpenMP) do not have it.
    /// Returns whether the server is down (false: this OpenBLAS has no such hook).
    @discardableResult
    public static func stopIdleThreads() -> Bool {
        #if os(Linux)
        typealias VoidFunction = @convention(c) () -> Int32
        guard let shutdown = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_thread_shutdown_") else { return false }
        _ = unsafeBitCast(shutdown, to: VoidFunction.self)()
        return idleThreadServerRunning == false
        #else
        return false
        #endif
    }

    /// Whether OpenBLAS's thread server is up (nil: this OpenBLAS does not say).
    public static var idleThreadServerRunning: Bool? {
        #if os(Linux)
        guard let available = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_server_avail") else { return nil }
        return available.assumingMemoryBound(to: Int32.self).pointee != 0
        #else
        return nil
        #endif
    }

    /// Debian's OpenBLAS 0.3.21 does not know recent Xeons (Sapphire/Emerald Rapids) and falls back
    /// to its SSE3 "Prescott" kernels, 5-10x slower than the AVX-512 ones the CPU supports. When that
    /// happens (and the user did not choose with OPENBLAS_CORETYPE), pick the best kernels the CPU
    /// flags allow and re-run OpenBLAS's dynamic dispatch. Runs once, before this module's first GEMM.
    private static let kernelSelection: Void = {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil,
              String(cString: openblas_get_corename()).lowercased() == "prescott",
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let core: String
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) {
            core = "SkylakeX"
        } else if flags.isSuperset(of: ["avx2", "fma"]) {
            core = "Haswell"
        } else {
            return
        }
        guard let quit = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_quit"),
              let initialize = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_init")
        else { return }
        typealias VoidFunction = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", core, 0)
        unsafeBitCast(quit, to: VoidFunction.self)()
        unsafeBitCast(initialize, to: VoidFunction.self)()
        #endif
    }()
}
