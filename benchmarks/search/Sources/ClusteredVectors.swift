import SplitMix
/// Streaming generator of clustered unit vectors with planted near duplicates. Any row can be
/// regenerated from its index alone, so batches of any size come out identical and only one
/// batch is ever in memory.
struct ClusteredVectors {
    let dimension: Int
    let clusters: Int
    let duplicateRate: Double
    let seed: UInt64
    private let centres: [Float]

    init(dimension: Int, clusters: Int, duplicateRate: Double = 0.15, seed: UInt64 = 42) {
        self.dimension = dimension
        self.clusters = clusters
        self.duplicateRate = duplicateRate
        self.seed = seed
        var rng = SplitMix64(seed: seed ^ 0xC1A5)
        var c = [Float](repeating: 0, count: clusters * dimension)
        for i in 0..<clusters {
            for x in 0..<dimension { c[i * dimension + x] = rng.signedUnitFloat() }
            ClusteredVectors.normalize(&c, at: i * dimension, count: dimension)
        }
        centres = c
    }

    /// Row `row`'s planted source, if it is a planted near duplicate.
    func plantedSource(of row: Int) -> Int? {
        var rng = SplitMix64(seed: seed &+ UInt64(row) &* 0x9E37_79B9_7F4A_7C15)
        guard row > 0, Double(rng.unitFloat()) < duplicateRate else { return nil }
        return row - 1 - Int(rng.next() % UInt64(min(row, 20_000)))
    }

    /// Appends rows `start..<start+count` to `out` (flat, unit length).
    func generate(start: Int, count: Int, into out: inout [Float]) {
        for row in start..<(start + count) {
            let at = out.count
            if let source = plantedSource(of: row) {
                appendBase(source, into: &out)
                var rng = SplitMix64(seed: seed ^ 0xD0B1E &+ UInt64(row) &* 0x94D0_49BB_1331_11EB)
                // Perturbation of norm 0.05...0.45: cosine to the source 0.999...0.91, so a good
                // share of planted pairs sits close to a 0.95 threshold.
                let size = 0.05 + 0.4 * rng.unitFloat()
                let scale = size / (Float(dimension) / 3).squareRoot()
                for x in 0..<dimension { out[at + x] += scale * rng.signedUnitFloat() }
            } else {
                appendBase(row, into: &out)
            }
            ClusteredVectors.normalize(&out, at: at, count: dimension)
        }
    }

    /// Row's own vector before any duplicate perturbation: centre plus noise of norm ~1
    /// (same-cluster rows have cosine ~0.5). Cluster popularity is skewed (quadratic).
    private func appendBase(_ row: Int, into out: inout [Float]) {
        var rng = SplitMix64(seed: seed &+ 0xBA5E &+ UInt64(row) &* 0xBF58_476D_1CE4_E5B9)
        let u = rng.unitFloat()
        let cluster = min(clusters - 1, Int(u * u * Float(clusters)))
        let scale = 1 / (Float(dimension) / 3).squareRoot()
        let at = out.count
        for x in 0..<dimension { out.append(centres[cluster * dimension + x] + scale * rng.signedUnitFloat()) }
        ClusteredVectors.normalize(&out, at: at, count: dimension)
    }

    static func normalize(_ v: inout [Float], at: Int, count: Int) {
        var s: Float = 0
        for x in at..<(at + count) { s += v[x] * v[x] }
        let inv = 1 / s.squareRoot()
        for x in at..<(at + count) { v[x] *= inv }
    }
}
