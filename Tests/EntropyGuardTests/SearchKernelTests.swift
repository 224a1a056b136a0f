import Foundation
import SplitMix
import XCTest
@testable import EntropyGuard

/// The kernels that score query rows against the packed bfloat16 kept rows (`SearchKernel`): each
/// score is the dot product of what the kernel reads (bfloat16 queries for AMX, float32 for the
/// others) up to float32 summation, and within `CompactVector.errorBound` of the float32 vectors'
/// exact dot product, which is what the candidate choice relies on. Run on every kernel the CPU has;
/// `scripts/run-tests` runs these again with SEARCH_KERNELS=avx2.
final class SearchKernelTests: XCTestCase {
    /// Shapes: several pages, partial blocks, query counts off the tiles, odd and padded dimensions.
    func testEveryKernelIsWithinTheErrorBound() {
        for kernel in SearchKernel.available {
            for (dimension, queries, kept) in [(256, 37, 150), (33, 5, 17), (32, 16, 16), (384, 3, 1), (7, 21, 70)] {
                check(kernel, dimension: dimension, queries: queries, kept: kept)
            }
        }
    }

    func testForcedKernelIsUsed() throws {
        let forced = try XCTUnwrap(ProcessInfo.processInfo.environment["SEARCH_KERNELS"] ?? SearchKernel.available.last?.rawValue)
        XCTAssertTrue(SearchKernel.available.contains(.portable))
        if let kernel = SearchKernel(rawValue: forced), SearchKernel.available.contains(kernel) {
            XCTAssertEqual(SearchKernel.active, kernel)
        }
    }

    /// Unit-length random vectors with a few components that bfloat16 cannot hold: denormals (flushed
    /// to zero by the rounding, read as zero by AMX) and a zero.
    private func vectors(_ rows: Int, _ d: Int, _ rng: inout SplitMix64) -> [Float] {
        var out: [Float] = []
        for _ in 0..<rows {
            var v = SearchTestVectors.normalized((0..<d).map { _ in SearchTestVectors.uniform(&rng) })
            v[0] = 1e-39
            if d > 3 { v[1] = 0; v[2] = -3e-39 }
            out += v
        }
        return out
    }

    private func check(_ kernel: SearchKernel, dimension d: Int, queries m: Int, kept n: Int) {
        var rng = SplitMix64(seed: UInt64(d * 1000 + m))
        let q = vectors(m, d, &rng), k = vectors(n, d, &rng)
        var lists = KeptVectorLists(dimension: d, lists: 1, pageRows: 64)
        k.withUnsafeBufferPointer { kv in
            for j in 0..<n { lists.append(list: 0, id: Int64(j), vector: kv.baseAddress! + j * d) }
        }
        let rows = q.withUnsafeBufferPointer { QueryRows($0.baseAddress!, rows: m, dimension: d, pairs: lists.pairs, kernel: kernel) }
        var gathered: [UInt32] = []
        let padded = rows.gather((0..<Int32(m)), into: &gathered)
        XCTAssertEqual(padded % kernel.rowMultiple, 0)
        let ld = (n + 15) / 16 * 16
        var scores = [Float](repeating: .nan, count: padded * ld)
        gathered.withUnsafeBufferPointer { g in
            scores.withUnsafeMutableBufferPointer {
                lists.score(list: 0, first: 0, count: n, queries: g.baseAddress!, rows: padded, kernel: kernel, into: $0.baseAddress!, ld: ld)
            }
        }
        let round = { (x: Float) in Double(CompactVector.widen(CompactVector.round(x))) }
        var worst = 0.0
        for i in 0..<m {
            let query = Array(q[(i * d)..<((i + 1) * d)])
            let queryNorm = Float(query.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()) * 1.001
            let bound = CompactVector.errorBound(queryNorm: queryNorm, query: rows.norms[i], kept: lists.maxNorms, pairs: lists.pairs)
            for j in 0..<n {
                let kj = k[(j * d)..<((j + 1) * d)]
                let exact = zip(query, kj).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                // What the kernel reads, summed exactly: it may differ only by float32 summation.
                let read = zip(query, kj).reduce(0.0) { $0 + (kernel.roundsQueries ? round($1.0) : Double($1.0)) * round($1.1) }
                let score = Double(scores[i * ld + j])
                XCTAssertLessThanOrEqual(abs(score - read), Double(d + 16) * 0x1p-23, "\(kernel) d=\(d) q\(i) k\(j)")
                XCTAssertLessThanOrEqual(abs(score - exact), Double(bound), "\(kernel) d=\(d) q\(i) k\(j)")
                worst = max(worst, abs(score - exact) / Double(bound))
            }
        }
        // The bound is not vacuous: rounding uses a fair part of it.
        XCTAssertGreaterThan(worst, 0.05, "\(kernel) d=\(d)")
    }
}
