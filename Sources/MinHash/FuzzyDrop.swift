/// A row the fuzzy rule drops: its estimated Jaccard with the earlier kept row `duplicateOf` (the most
/// similar one, the earliest among equals) is at least the threshold.
public struct FuzzyDrop: Sendable, Equatable, CustomStringConvertible {
    public var row: Int64
    public var duplicateOf: Int64
    /// Fraction of equal signature entries (the estimated Jaccard similarity).
    public var similarity: Double

    public init(row: Int64, duplicateOf: Int64, similarity: Double) {
        self.row = row
        self.duplicateOf = duplicateOf
        self.similarity = similarity
    }

    public var description: String { "\(row) -> \(duplicateOf) (\(similarity))" }
}
