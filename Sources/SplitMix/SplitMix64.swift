/// Deterministic 64-bit generator (SplitMix64, Steele, Lea and Flood 2014, with the constants of the
/// reference implementation): same seed, same sequence, on every platform. The project's one copy:
/// IVF training samples, seeded tests and the benchmarks' generated data all draw from it.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 24 bits (every value exactly representable as a Float).
    public mutating func unitFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// Uniform in [-1, 1).
    public mutating func signedUnitFloat() -> Float { unitFloat() * 2 - 1 }
}
