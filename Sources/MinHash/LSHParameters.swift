import CXXHash

/// The banding of MinHash locality-sensitive hashing: the first `bands x rows` signature entries are
/// cut into `bands` bands of `rows` entries; two rows are candidates when they agree on a whole band
/// (equal band keys). A pair with Jaccard s becomes a candidate with probability 1 - (1 - s^rows)^bands.
///
/// `init(threshold:permutations:)` chooses bands x rows as datasketch, datatrove's tools and
/// text-dedup's `optimal_param` do: minimise 0.5 x the false-positive area (the integral of that
/// probability over [0, threshold]) + 0.5 x the false-negative area (the integral of its complement over
/// [threshold, 1]) over every bands x rows <= permutations. The integrals use composite Simpson with
/// 200 intervals (the integrands are smooth polynomials; scipy's quad, which they use, agrees to 1e-9).
public struct LSHParameters: Sendable, Equatable, CustomStringConvertible {
    public let bands: Int
    public let rows: Int
    public let threshold: Double
    public let permutations: Int

    public static let falsePositiveWeight = 0.5
    public static let falseNegativeWeight = 0.5

    public struct ConfigurationError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The bands x rows that minimise the weighted error for `threshold` and `permutations`.
    public init(threshold: Double, permutations: Int) throws {
        guard threshold > 0, threshold <= 1 else {
            throw ConfigurationError(description: "invalid fuzzy threshold \(threshold): expected a Jaccard similarity in (0, 1]")
        }
        guard permutations >= 1 else { throw ConfigurationError(description: "invalid number of permutations \(permutations)") }
        var best = (error: Double.infinity, bands: 1, rows: 1)
        for bands in 1...permutations {
            for rows in 1...(permutations / bands) {
                let error = Self.falsePositiveWeight * Self.falsePositiveArea(threshold: threshold, bands: bands, rows: rows) +
                    Self.falseNegativeWeight * Self.falseNegativeArea(threshold: threshold, bands: bands, rows: rows)
                if error < best.error { best = (error, bands, rows) }
            }
        }
        self.init(validBands: best.bands, rows: best.rows, threshold: threshold, permutations: permutations)
    }

    /// An explicit banding (for comparisons with other tools' settings).
    public init(bands: Int, rows: Int, threshold: Double, permutations: Int) throws {
        guard bands >= 1, rows >= 1, bands * rows <= permutations else {
            throw ConfigurationError(description: "\(bands) bands x \(rows) rows need more than \(permutations) permutations")
        }
        guard threshold > 0, threshold <= 1 else {
            throw ConfigurationError(description: "invalid fuzzy threshold \(threshold): expected a Jaccard similarity in (0, 1]")
        }
        self.init(validBands: bands, rows: rows, threshold: threshold, permutations: permutations)
    }

    private init(validBands bands: Int, rows: Int, threshold: Double, permutations: Int) {
        self.bands = bands
        self.rows = rows
        self.threshold = threshold
        self.permutations = permutations
    }

    /// Probability that a pair with Jaccard `s` shares at least one band.
    public func candidateProbability(_ s: Double) -> Double { Self.candidateProbability(s, bands: bands, rows: rows) }

    public var falsePositiveArea: Double { Self.falsePositiveArea(threshold: threshold, bands: bands, rows: rows) }
    public var falseNegativeArea: Double { Self.falseNegativeArea(threshold: threshold, bands: bands, rows: rows) }

    /// The line the run prints.
    public var description: String {
        func f(_ x: Double, _ digits: Int) -> String {
            var scale = 1.0
            for _ in 0..<digits { scale *= 10 }
            let v = (x * scale).rounded() / scale
            return "\(v)"
        }
        return "LSH \(bands) bands x \(rows) rows (\(bands * rows) of \(permutations) permutations) for Jaccard >= \(threshold): " +
            "false-positive area \(f(falsePositiveArea, 4)), false-negative area \(f(falseNegativeArea, 4)); " +
            "candidate probability \(f(candidateProbability(threshold), 3)) at the threshold, \(f(candidateProbability(min(1, threshold + 0.1)), 3)) at +0.1"
    }

    /// Smallest number of equal entries whose fraction reaches the threshold (the verification rule,
    /// `equal / permutations >= threshold`, in integers).
    public var minimumEqualEntries: Int {
        var k = 0
        while k < permutations && Double(k) / Double(permutations) < threshold { k += 1 }
        return k
    }

    /// The bucket key of band `band` of a signature: XXH3-64 of the band's entries (little-endian bytes)
    /// seeded with the band's index, so equal bands in different positions are different buckets.
    @inline(__always)
    public func bandKey(_ signature: UnsafePointer<UInt32>, band: Int) -> UInt64 {
        XXH3_64bits_withSeed(signature + band * rows, rows * 4, UInt64(band))
    }

    static func candidateProbability(_ s: Double, bands: Int, rows: Int) -> Double {
        1 - power(1 - power(s, rows), bands)
    }

    static func falsePositiveArea(threshold: Double, bands: Int, rows: Int) -> Double {
        simpson(0, threshold) { candidateProbability($0, bands: bands, rows: rows) }
    }

    static func falseNegativeArea(threshold: Double, bands: Int, rows: Int) -> Double {
        simpson(threshold, 1) { 1 - candidateProbability($0, bands: bands, rows: rows) }
    }

    private static func power(_ x: Double, _ n: Int) -> Double {
        var result = 1.0
        var base = x
        var n = n
        while n > 0 {
            if n & 1 == 1 { result *= base }
            base *= base
            n >>= 1
        }
        return result
    }

    private static func simpson(_ lower: Double, _ upper: Double, _ f: (Double) -> Double) -> Double {
        let intervals = 200
        let h = (upper - lower) / Double(intervals)
        var sum = f(lower) + f(upper)
        for i in 1..<intervals { sum += (i % 2 == 1 ? 4 : 2) * f(lower + Double(i) * h) }
        return sum * h / 3
    }
}
