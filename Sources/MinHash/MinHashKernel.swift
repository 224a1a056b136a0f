import CMinHashKernels
import Foundation

/// Which implementation computes the permutations: AVX-512 (8 lanes of 64 bits), AVX2 (4 lanes) or
/// portable Swift. All three compute the exact residues, so signatures are bitwise identical on every
/// path (MinHashKernelTests). The best one the CPU has is used; MINHASH_KERNELS=portable|avx2|avx512
/// forces one (a path the CPU lacks falls back to the best it has), so the AVX2 path can be run on
/// AVX-512 machines.
public enum MinHashKernel: String, Sendable, CaseIterable {
    case portable
    case avx2
    case avx512

    /// The kernels this CPU can run.
    public static let available: [MinHashKernel] = {
        let features = eg_minhash_cpu_features()
        var kernels: [MinHashKernel] = [.portable]
        if features & 1 != 0 { kernels.append(.avx2) }
        if features & 2 != 0 { kernels.append(.avx512) }
        return kernels
    }()

    /// The kernel used unless a caller asks for another: MINHASH_KERNELS if set and available,
    /// otherwise the widest available.
    public static let active: MinHashKernel = {
        if let forced = getenv("MINHASH_KERNELS").flatMap({ MinHashKernel(rawValue: String(cString: $0)) }),
           available.contains(forced) {
            return forced
        }
        return available.last!
    }()

    /// `signature[i] = low 32 bits of min over s of (a[i] shingles[s] + b[i]) mod (2^61 - 1)`.
    /// `permutations` is a multiple of 8; `count` >= 1.
    @inline(__always)
    func run(_ shingles: UnsafePointer<UInt64>, count: Int, a: UnsafePointer<UInt64>, b: UnsafePointer<UInt64>,
             permutations: Int, into signature: UnsafeMutablePointer<UInt32>) {
        switch self {
        case .avx512: eg_minhash_avx512(shingles, Int32(count), a, b, Int32(permutations), signature)
        case .avx2: eg_minhash_avx2(shingles, Int32(count), a, b, Int32(permutations), signature)
        case .portable: Self.portable(shingles, count: count, a: a, b: b, permutations: permutations, into: signature)
        }
    }

    /// The same with 64 x 64 -> 128-bit products (`multipliedFullWidth`), one permutation at a time.
    static func portable(_ shingles: UnsafePointer<UInt64>, count: Int, a: UnsafePointer<UInt64>, b: UnsafePointer<UInt64>,
                         permutations: Int, into signature: UnsafeMutablePointer<UInt32>) {
        let p: UInt64 = (1 << 61) - 1
        for i in 0..<permutations {
            let ai = a[i]
            let bi = b[i]
            var minimum = p
            for s in 0..<count {
                let (high, low) = ai.multipliedFullWidth(by: shingles[s])
                // high 2^64 + low = high 2^3 + (low >> 61) + (low & p) (mod p); high < 2^58.
                var r = (low & p) &+ (low >> 61) &+ (high << 3) &+ bi
                r = (r & p) &+ (r >> 61)
                if r >= p { r -= p }
                if r < minimum { minimum = r }
            }
            signature[i] = UInt32(truncatingIfNeeded: minimum)
        }
    }
}
