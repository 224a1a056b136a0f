/// Running best candidate of one row: highest similarity, ties to the lower id.
struct BestMatch {
    var similarity: Float = -.infinity
    var id: Int64 = .max

    @inline(__always)
    mutating func offer(similarity s: Float, id candidate: Int64) {
        if s > similarity || (s == similarity && candidate < id) {
            similarity = s
            id = candidate
        }
    }
}
