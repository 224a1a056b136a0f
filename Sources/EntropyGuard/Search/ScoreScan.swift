/// Fast skip over GEMM scores below a bound (most of them).
enum ScoreScan {
    /// Index of the first score at or after `from` that is >= `bound`, or `count` if none.
    @inline(__always)
    static func next(_ scores: UnsafePointer<Float>, from: Int, count: Int, atLeast bound: Float) -> Int {
        var i = from
        let raw = UnsafeRawPointer(scores)
        let bounds = SIMD16<Float>(repeating: bound)
        while i + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            if any(v .>= bounds) { break }
            i &+= 16
        }
        while i < count {
            if scores[i] >= bound { return i }
            i &+= 1
        }
        return count
    }
}
