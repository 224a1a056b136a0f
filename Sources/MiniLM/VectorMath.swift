/// Branch-free scalar `exp` and `erf` for the element-wise parts of the forward pass (softmax, GELU).
/// libm's `expf`/`erff` are calls the compiler cannot vectorize; these are plain arithmetic that
/// LLVM vectorizes inside simple loops (Swift's SIMD16 types lower poorly on baseline x86-64).

/// exp(x) to about 1 ulp: Cephes' range reduction by ln 2 and degree-6 polynomial, 2^n from bits.
/// Inputs below -87.3 give ~1e-38 instead of 0 (harmless in softmax, where every row sums to >= 1).
@inline(__always)
func fastExp(_ input: Float) -> Float {
    let x0 = Swift.min(Swift.max(input, -87.3), 88.7)
    // Round x log2(e) to an integer n by adding 1.5 * 2^23: n lands in the low mantissa bits
    // (round-to-nearest-even by the FPU), and the float n is recovered exactly.
    let magic: Float = 12_582_912
    let shiftedN = x0 * 1.44269504088896341 + magic
    let n = shiftedN - magic
    var x = x0 - n * 0.693359375
    x = x + n * 2.12194440e-4
    let z = x * x
    var y: Float = 1.9875691500e-4
    y = y * x + 1.3981999507e-3
    y = y * x + 8.3334519073e-3
    y = y * x + 4.1665795894e-2
    y = y * x + 1.6666665459e-1
    y = y * x + 5.0000001201e-1
    y = y * z + x + 1
    let integerN = shiftedN.bitPattern &- magic.bitPattern
    return y * Float(bitPattern: (integerN &+ 127) &<< 23)
}

/// erf(x) with the Abramowitz-Stegun 7.1.26 form PyTorch's vectorized CPU `erf` uses (|error| < 1.5e-7).
@inline(__always)
func fastErf(_ x: Float) -> Float {
    let magnitude = Swift.abs(x)
    let t = 1 / (magnitude * 0.3275911 + 1)
    var r: Float = 1.061405429
    r = r * t - 1.453152027
    r = r * t + 1.421413741
    r = r * t - 0.284496736
    r = r * t + 0.254829592
    let y = 1 - r * t * fastExp(-(magnitude * magnitude))
    return Float(bitPattern: y.bitPattern | (x.bitPattern & 0x8000_0000))
}
