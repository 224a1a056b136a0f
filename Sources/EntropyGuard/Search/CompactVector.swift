/// bfloat16 (the top 16 bits of a float32, rounded to nearest even, values below the smallest normal
/// flushed to zero): the kept vectors' compact copy, and with the AMX kernel the queries' too.
///
/// Scores from it only pick candidates; every decision is still taken with the exact float32 `dot`.
/// How far a compact score can be from the float32 one, for a query q and a kept row k, with q~, k~
/// their roundings (q~ = q when the kernel reads float32 queries) and e_q = q~ - q, e_k = k~ - k:
///
///     q~.k~ - q.k = e_q.k~ + q.e_k,  so  |q~.k~ - q.k| <= |e_q| |k~| + |q| |e_k|   (Cauchy-Schwarz).
///
/// The norms are measured when a vector is rounded (`pack`), not bounded by the worst case 2^-8 |v|
/// (on unit vectors of 256 static-model components |e| is about 0.4 of that), and the index keeps
/// the largest |k~| and |e_k| of its kept rows. Then the kernel's own arithmetic: products of two
/// bfloat16 are exact in float32 (8 + 8 significant bits), and a sum of n terms rounded to float32 in
/// any order (AMX chooses its own) is within n 2^-24 / (1 - n 2^-24) sum|q~_i k~_i| <= n 2^-23 |q~| |k~|
/// of the exact sum; a result flushed to zero moves by less than 2^-126 per operation. AMX also reads
/// denormal inputs as zero: `round` flushes them itself, so that change is inside |e|. Hence
///
///     |score - q.k| <= |e_q| |k~| + |q| |e_k| + (2 pairs + 16) 2^-23 |q~| |k~| + 2^-100    (`errorBound`).
///
/// Why bfloat16 and not float16 (error 2^-11): AMX multiplies bfloat16 (about 4x OpenBLAS's float32
/// GEMM on this CPU, see `SearchKernel`), and widening one is a shift.
enum CompactVector {
    /// Pairs of components per packed row: the dimension rounded up to 32 components (an AMX tile row
    /// holds 16 pairs), the padding zero.
    static func pairs(dimension: Int) -> Int { ((dimension + 1) / 2 + 15) / 16 * 16 }

    /// bfloat16 bits of `x` rounded to nearest even; zero for a denormal (or zero) `x`.
    @inline(__always)
    static func round(_ x: Float) -> UInt16 {
        let b = x.bitPattern
        if b & 0x7FFF_FFFF < 0x0080_0000 { return 0 }
        return UInt16(truncatingIfNeeded: (b &+ 0x7FFF &+ ((b >> 16) & 1)) >> 16)
    }

    /// The float32 value of bfloat16 bits (exact).
    @inline(__always)
    static func widen(_ h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }

    /// Upper bounds on the norms of a rounded vector and of its rounding error.
    struct Norms {
        var rounded: Float = 0
        var error: Float = 0
    }

    /// Rounds `count` finite floats (|x| < 3.3e38) and writes them as `pairs` words, word p (at
    /// `out[p * stride]`) holding components 2p (low half) and 2p + 1 (high half), zero past `count`.
    /// Returns the norms of the rounded vector and of its error, summed in Double and rounded up.
    static func pack(_ vector: UnsafePointer<Float>, count: Int, pairs: Int, into out: UnsafeMutablePointer<UInt32>,
                     stride: Int) -> Norms {
        var rounded = 0.0, error = 0.0
        for p in 0..<pairs {
            var word: UInt32 = 0
            for half in 0..<2 where 2 * p + half < count {
                let x = vector[2 * p + half]
                let h = round(x)
                let w = Double(widen(h)), e = w - Double(x)
                rounded += w * w
                error += e * e
                word |= UInt32(h) << (16 * half)
            }
            out[p * stride] = word
        }
        return Norms(rounded: Float(rounded.squareRoot()).nextUp, error: Float(error.squareRoot()).nextUp)
    }

    /// The bound above for one query against every kept row of an index (whose largest |k~| and |e_k|
    /// are `kept`); `query.error` is 0 for a float32 query.
    static func errorBound(queryNorm: Float, query: Norms, kept: Norms, pairs: Int) -> Float {
        let arithmetic = Float(2 * pairs + 16) * Float.ulpOfOne * max(query.rounded, queryNorm) * kept.rounded
        return (query.error * kept.rounded + queryNorm * kept.error + arithmetic) * 1.001 + 0x1p-100
    }
}
