import CSearchKernels
import Foundation

/// Which kernel scores query rows against the bfloat16 kept rows (`KeptVectorLists`, layout in
/// `search_kernels.h`): AMX-BF16 tiles, AVX2 FMAs, or a plain loop. Their scores differ by rounding
/// only, within `CompactVector.errorBound`, which picks the candidates; the decisions are taken with
/// the float32 `dot`, so they are the same on every path (SearchKernelTests, SearchCompactScoringTests
/// run on each). The best one the CPU has is used; SEARCH_KERNELS=portable|avx2|amx forces one (a path
/// the CPU lacks falls back to the best it has), so the AVX2 path can be tested on AMX machines.
///
/// Measured here (Xeon with AMX, 2 shared cores, 283 queries x 1024 kept rows x 256 components, CPU
/// time): OpenBLAS sgemm on float32 (SkylakeX kernel) 46 GMAC/s, before the bfloat16 rows are even
/// widened for it; AVX-512 `vdpbf16ps` 36 (it issues one per two cycles here, against two FMAs per
/// cycle, so it was dropped); AVX2 on the packed rows 27; AMX 129-201.
enum SearchKernel: String, CaseIterable, Sendable {
    case portable
    case avx2
    case amx

    /// The kernels this CPU (and OS) can run.
    static let available: [SearchKernel] = {
        let features = eg_search_cpu_features()
        var kernels: [SearchKernel] = [.portable]
        if features & 1 != 0 { kernels.append(.avx2) }
        if features & 2 != 0 { kernels.append(.amx) }
        return kernels
    }()

    /// SEARCH_KERNELS if set and available, otherwise the fastest available.
    static let active: SearchKernel = {
        if let forced = getenv("SEARCH_KERNELS").flatMap({ SearchKernel(rawValue: String(cString: $0)) }),
           available.contains(forced) {
            return forced
        }
        return available.last!
    }()

    /// AMX multiplies bfloat16 by bfloat16: queries are rounded too (their error enters the bound).
    var roundsQueries: Bool { self == .amx }

    /// Words per query row: `pairs` bfloat16 pairs, or 2 * `pairs` float32 bit patterns.
    func queryWords(pairs: Int) -> Int { roundsQueries ? pairs : 2 * pairs }

    /// Query rows are passed in multiples of this (zero rows pad; their scores are ignored).
    var rowMultiple: Int { self == .amx ? 16 : 1 }

    /// scores[i * ld + j] = query i . kept row j, for i < `rows` and j < 16 `blocks`; `queries` is
    /// `rows x queryWords(pairs:)` words, `keys` `blocks` packed blocks of 16 kept rows.
    @inline(__always)
    func scores(_ queries: UnsafePointer<UInt32>, rows: Int, keys: UnsafePointer<UInt32>, blocks: Int, pairs: Int,
                into scores: UnsafeMutablePointer<Float>, ld: Int) {
        switch self {
        case .amx:
            eg_search_scores_amx(queries, Int32(rows), keys, Int32(blocks), Int32(pairs), scores, Int32(ld))
        case .avx2, .portable:
            UnsafeRawPointer(queries).withMemoryRebound(to: Float.self, capacity: rows * 2 * pairs) { q in
                if self == .avx2 {
                    eg_search_scores_avx2(q, Int32(2 * pairs), Int32(rows), keys, Int32(blocks), Int32(pairs), scores, Int32(ld))
                } else {
                    eg_search_scores_portable(q, Int32(2 * pairs), Int32(rows), keys, Int32(blocks), Int32(pairs), scores, Int32(ld))
                }
            }
        }
    }
}
