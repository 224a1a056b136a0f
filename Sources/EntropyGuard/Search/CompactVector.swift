/// bfloat16 (the top 16 bits of a float32, rounded to nearest even): the kept vectors' compact copy.
///
/// Scores from it only pick candidates; every decision is still taken with the exact float32 `dot`.
/// Rounding changes each component by at most `relativeError` of itself, so a bfloat16 score differs
/// from the float32 one by at most relativeError * |q| * |k| (Cauchy-Schwarz), plus GEMM rounding.
/// Why bfloat16 and not float16 (error 2^-11): the conversions are integer shifts, which vectorize in
/// plain Swift on baseline x86-64, while float16 needs F16C or a library call per component.
enum CompactVector {
    /// Largest relative change of a component by rounding: half a unit in the 8th significant bit.
    static let relativeError: Float = 1.0 / 256

    /// Appends the bfloat16 rounding of `count` finite floats to `out`.
    static func append(_ vector: UnsafePointer<Float>, count: Int, to out: inout [UInt16]) {
        UnsafeRawPointer(vector).withMemoryRebound(to: UInt32.self, capacity: count) { bits in
            for i in 0..<count {
                let b = bits[i]
                out.append(UInt16(truncatingIfNeeded: (b &+ 0x7FFF &+ ((b >> 16) & 1)) >> 16))
            }
        }
    }

    /// Widens `count` bfloat16 values to float32 (exact).
    static func decode(_ compact: UnsafePointer<UInt16>, count: Int, into out: UnsafeMutablePointer<Float>) {
        let raw = UnsafeRawPointer(compact)
        let dst = UnsafeMutableRawPointer(out)
        var i = 0
        while i + 8 <= count {
            let h = raw.loadUnaligned(fromByteOffset: i &* 2, as: SIMD8<UInt16>.self)
            let w = SIMD8<UInt32>(truncatingIfNeeded: h) &<< 16
            dst.storeBytes(of: w, toByteOffset: i &* 4, as: SIMD8<UInt32>.self)
            i &+= 8
        }
        while i < count {
            dst.storeBytes(of: UInt32(compact[i]) << 16, toByteOffset: i &* 4, as: UInt32.self)
            i &+= 1
        }
    }
}
