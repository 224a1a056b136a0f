import Dispatch
import SplitMix

/// MinHash signatures of texts. Each shingle (see `Shingler`) is hashed with XXH3-64 and reduced
/// modulo the Mersenne prime p = 2^61 - 1, then permuted by N universal hash functions
/// h_i(x) = (a_i x + b_i) mod p with a_i in [1, p) and b_i in [0, p) drawn from SplitMix64(seed); entry i
/// of the signature is the low 32 bits of the minimum of h_i over the shingles.
///
/// 32-bit entries, as datatrove's default 32-bit precision: two rows agree on an entry when they have
/// the same minimising shingle (probability J) or, otherwise, by a 2^-32 coincidence of the low bits, so
/// the estimate is biased by under 1e-9. Half the bytes of 64-bit entries in the store (512 per row at
/// 128 permutations) and in every comparison. The minimum is taken over the full 61-bit residues.
/// Unlike datatrove and text-dedup, whose NumPy `shingles * a + b` wraps modulo 2^64 before the `% p`
/// (a 61-bit a times a 32- or 64-bit x overflows), the residues here are exact.
///
/// Rows are independent: a batch is split into one contiguous range per worker, and every path gives
/// the same bits, so signatures do not depend on batch size, worker count or CPU.
public struct MinHasher: Sendable {
    public static let defaultPermutations = 128
    public static let defaultSeed: UInt64 = 0x4D69_6E48_6173_6831   // "MinHash1"
    /// Largest accepted number of permutations.
    public static let maximumPermutations = 1024

    public struct ConfigurationError: Error, CustomStringConvertible {
        public let permutations: Int
        public var description: String {
            "invalid number of MinHash permutations \(permutations): expected 1 to \(MinHasher.maximumPermutations)"
        }
    }

    public let setting: ShingleSetting
    public let permutations: Int
    public let seed: UInt64
    public let kernel: MinHashKernel
    /// Parameters padded with copies to a multiple of 8 (the kernels' lane width); the extra entries are
    /// computed and dropped.
    private let a: [UInt64]
    private let b: [UInt64]
    private var paddedPermutations: Int { a.count }

    public init(setting: ShingleSetting = .defaultSetting, permutations: Int = defaultPermutations,
                seed: UInt64 = defaultSeed, kernel: MinHashKernel = .active) throws {
        guard (1...Self.maximumPermutations).contains(permutations) else { throw ConfigurationError(permutations: permutations) }
        self.setting = setting
        self.permutations = permutations
        self.seed = seed
        self.kernel = MinHashKernel.available.contains(kernel) ? kernel : MinHashKernel.active
        let p: UInt64 = (1 << 61) - 1
        var generator = SplitMix64(seed: seed)
        var a: [UInt64] = []
        var b: [UInt64] = []
        for _ in 0..<permutations {
            a.append(1 + generator.next() % (p - 1))
            b.append(generator.next() % p)
        }
        while a.count % 8 != 0 {
            a.append(a[a.count % permutations])
            b.append(b[b.count % permutations])
        }
        self.a = a
        self.b = b
    }

    /// Everything the signature bytes depend on, as one canonical string: the store's signature cache
    /// is keyed by (text hash, this). The LSH bands and the threshold are not in it: changing them
    /// reuses every signature.
    public var cacheKey: String {
        "minhash;v1;shingle=\(setting.canonical);hash=xxh3-64;perm=(a*x+b)mod(2^61-1);out=u32-low-of-min;perms=\(permutations);seed=\(seed)"
    }

    /// Signature of one text into `signature` (`permutations` entries), with the caller's shingler.
    public func signature(of text: String, shingler: Shingler, into signature: UnsafeMutablePointer<UInt32>) {
        precondition(shingler.setting == setting)
        let padded = paddedPermutations
        shingler.withShingleHashes(text) { hashes in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    if padded == permutations {
                        kernel.run(hashes.baseAddress!, count: hashes.count, a: a.baseAddress!, b: b.baseAddress!,
                                   permutations: padded, into: signature)
                    } else {
                        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: padded) { scratch in
                            kernel.run(hashes.baseAddress!, count: hashes.count, a: a.baseAddress!, b: b.baseAddress!,
                                       permutations: padded, into: scratch.baseAddress!)
                            signature.update(from: scratch.baseAddress!, count: permutations)
                        }
                    }
                }
            }
        }
    }

    /// Signatures of `texts`, in order, computed by `workers` threads on contiguous ranges.
    public func signatures(of texts: [String], workers: Int = 2) -> MinHashSignatures {
        var values = [UInt32](repeating: 0, count: texts.count * permutations)
        let chunks = max(1, min(workers, texts.count / 64))
        values.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            let work = { (chunk: Int) in
                let shingler = Shingler(setting: setting)
                let start = texts.count * chunk / chunks
                let end = texts.count * (chunk + 1) / chunks
                for row in start..<end { signature(of: texts[row], shingler: shingler, into: base + row * permutations) }
            }
            if chunks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: work) }
        }
        return MinHashSignatures(permutations: permutations, values: values)
    }
}
