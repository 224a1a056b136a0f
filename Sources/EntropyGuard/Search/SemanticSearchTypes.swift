/// How the semantic-dedup selector finds earlier kept rows that may be near duplicates.
public enum SemanticSearchMode: String, CaseIterable, Sendable {
    /// Every row is compared with every earlier kept row (blocked GEMM). The reference; quadratic.
    case exact
    /// Inverted file: kept rows are filed under their nearest k-means centroid and a row only
    /// looks at the lists of its few nearest centroids. Needs `train(sample:)` first.
    case ivf
    /// `exact` below `SemanticSelector.autoExactLimit` expected rows, `ivf` above.
    case auto
}

/// A row found to be a near duplicate of an earlier kept row.
public struct SemanticMatch: Equatable, Sendable {
    /// The duplicate row.
    public let row: Int64
    /// The most similar earlier kept row (lowest row id among equally similar ones).
    public let duplicateOf: Int64
    /// Cosine similarity (dot product of the normalized vectors), always >= the threshold.
    public let similarity: Float

    public init(row: Int64, duplicateOf: Int64, similarity: Float) {
        self.row = row
        self.duplicateOf = duplicateOf
        self.similarity = similarity
    }
}

/// Reads back the exact float32 vectors of earlier kept rows, by id (ascending, unique), flat
/// `ids.count x dimension`. The selector keeps only a compact copy of kept rows and asks for the
/// few whose compact scores come near the threshold; the pipeline reads them from the store.
public typealias KeptVectorSource = ([Int64]) throws -> [Float]
