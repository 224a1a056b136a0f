import CMinHashKernels
import Foundation
@testable import MinHash
import SplitMix
import XCTest

/// The three permutation kernels (portable Swift, AVX2, AVX-512) against a reference that computes
/// (a x + b) mod p by 128-bit division instead of Mersenne folding, and against each other, bitwise.
/// Every kernel the CPU has is run explicitly, so an AVX-512 machine tests the AVX2 path too.
final class MinHashKernelTests: XCTestCase {
    private let p: UInt64 = (1 << 61) - 1

    private func reference(_ shingles: [UInt64], a: [UInt64], b: [UInt64]) -> [UInt32] {
        zip(a, b).map { ai, bi in
            var minimum = UInt64.max
            for x in shingles {
                let product = ai.multipliedFullWidth(by: x)
                let residue = p.dividingFullWidth((product.high, product.low)).remainder
                let value = (residue + bi) % p
                minimum = min(minimum, value)
            }
            return UInt32(truncatingIfNeeded: minimum)
        }
    }

    private func run(_ kernel: MinHashKernel, _ shingles: [UInt64], a: [UInt64], b: [UInt64]) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: a.count)
        kernel.run(shingles, count: shingles.count, a: a, b: b, permutations: a.count, into: &out)
        return out
    }

    func testKernelsEqualTheDivisionReferenceOnEdgeAndRandomValues() {
        var random = SplitMix64(seed: 7)
        let edges: [UInt64] = [0, 1, 2, p - 1, p - 2, (1 << 32) - 1, 1 << 32, (1 << 32) + 1, (1 << 61) - 2,
                               (1 << 60), (1 << 29) - 1, 1 << 29, 0x1FFF_FFFF_FFFF_FFF0]
        for permutations in [8, 16, 24, 32, 40, 64, 128, 256] {
            var a = (0..<permutations).map { _ in 1 + random.next() % (p - 1) }
            var b = (0..<permutations).map { _ in random.next() % p }
            // Extreme parameters in the first lanes.
            a[0] = p - 1; b[0] = p - 1
            a[1] = 1; b[1] = 0
            if permutations > 2 { a[2] = (1 << 32) - 1; b[2] = 1 << 32 }
            for count in [1, 2, 3, 7, 31, 100] {
                var shingles = (0..<count).map { _ in Shingler.reduce(random.next()) }
                for (i, edge) in edges.enumerated() where i < count && permutations % 3 == 0 { shingles[i] = edge }
                let expected = reference(shingles, a: a, b: b)
                for kernel in MinHashKernel.available {
                    XCTAssertEqual(run(kernel, shingles, a: a, b: b), expected, "\(kernel) perms=\(permutations) shingles=\(count)")
                }
            }
        }
    }

    func testEveryKernelGivesTheSameSignaturesForTexts() throws {
        var random = SplitMix64(seed: 11)
        let words = (0..<500).map { "w\($0)" }
        let texts = (0..<300).map { i -> String in
            let n = Int(random.next() % 80)
            return (0..<n).map { _ in words[Int(random.next() % 500)] }.joined(separator: i % 3 == 0 ? ", " : " ")
        } + ["", "a", "Ünïcödé TEXT — with “quotes”", "!!!"]
        for permutations in [128, 100, 7] {
            let portable = try MinHasher(permutations: permutations, kernel: .portable).signatures(of: texts, workers: 1)
            for kernel in MinHashKernel.available {
                XCTAssertEqual(try MinHasher(permutations: permutations, kernel: kernel).signatures(of: texts, workers: 2), portable,
                               "\(kernel) perms=\(permutations)")
            }
        }
    }

    /// This CPU's kernels are detected: AVX-512F machines get all three, and MINHASH_KERNELS (when the
    /// test run sets it) picks the active one.
    func testDetectionAndForcing() {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        XCTAssertEqual(MinHashKernel.available.contains(.avx512), flags.contains(" avx512f"))
        XCTAssertEqual(MinHashKernel.available.contains(.avx2), flags.contains(" avx2"))
        if let forced = ProcessInfo.processInfo.environment["MINHASH_KERNELS"].flatMap(MinHashKernel.init(rawValue:)) {
            XCTAssertEqual(MinHashKernel.active, forced)
        } else {
            XCTAssertEqual(MinHashKernel.active, MinHashKernel.available.last)
        }
    }
}
