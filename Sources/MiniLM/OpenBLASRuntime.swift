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
