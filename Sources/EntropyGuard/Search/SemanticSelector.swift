/// Semantic-dedup selection over L2-normalized embeddings.
///
/// Rows are decided in ascending id order. A row is a duplicate when its cosine with some
/// earlier *kept* row is >= `threshold`; it then points at the most similar such row (ties to
/// the lower id). Duplicates never serve as anchors, so A~B, B~C, A!~C keeps A and C.
///
/// The matches do not depend on batch sizes or thread counts. `exact` compares with every kept
/// row; `ivf` only with the kept rows filed under the row's nearest centroids, so it can miss
/// a few duplicates near list borders, but it never reports a pair below the threshold.
public struct SemanticSelector {
    /// `auto` uses `exact` below this many expected rows and `ivf` from there on.
    public static let autoExactLimit = 20_000

    public let dimension: Int
    public let threshold: Float
    /// The mode in use: `auto` is resolved to `exact` or `ivf` at init.
    public let mode: SemanticSearchMode
    /// IVF: how many nearest centroid lists each row looks into. More finds more, costs more.
    /// Set it before the first `process` (changing it later changes which rows can match).
    public var probeCount: Int = 8 {
        didSet { index.probes = max(1, min(probeCount, index.centroids?.count ?? 1)) }
    }
    /// The kernel that scores the compact kept rows (`SearchKernel.active`); tests run each one.
    /// The decisions are the same with any.
    var kernel: SearchKernel = .active {
        didSet { index.kernel = kernel }
    }
    /// IVF: centroids trained; `sqrt(expectedCount)` by default, at most one per 16 sample rows.
    public let listCount: Int

    private let seed: UInt64
    /// See `init`'s `nearMissFloor`.
    private let nearMissFloor: Float?
    private var index: NearDuplicateIndex
    private var trained: Bool
    private var lastId: Int64?

    /// - Parameters:
    ///   - dimension: length of every vector.
    ///   - threshold: cosine at or above which a row is a duplicate.
    ///   - mode: search mode (`auto` picks by `expectedCount`).
    ///   - expectedCount: rows expected in total; sizes the IVF and the exact buffer.
    ///   - seed: k-means initialisation seed.
    ///   - nearMissFloor: also report kept rows whose best score is at least this (`takeNearMisses`).
    ///     The decisions do not change: a lower floor only makes the search verify more candidates.
    public init(dimension: Int, threshold: Float, mode: SemanticSearchMode, expectedCount: Int, seed: UInt64 = 0x5eed,
                nearMissFloor: Float? = nil) {
        precondition(dimension > 0, "dimension must be positive")
        self.dimension = dimension
        self.threshold = threshold
        self.seed = seed
        self.nearMissFloor = nearMissFloor
        let resolved = Self.resolvedMode(mode, expectedCount: expectedCount)
        self.mode = resolved
        listCount = max(1, Int(Double(max(expectedCount, 1)).squareRoot().rounded()))
        index = NearDuplicateIndex(dimension: dimension, threshold: threshold, centroids: nil, probes: 1, nearMissFloor: nearMissFloor)
        trained = resolved == .exact
    }

    /// The mode `auto` stands for with `expectedCount` rows (`exact` or `ivf` as given).
    public static func resolvedMode(_ mode: SemanticSearchMode, expectedCount: Int) -> SemanticSearchMode {
        mode == .auto ? (expectedCount < autoExactLimit ? .exact : .ivf) : mode
    }

    /// True for `ivf` until `train(sample:)` has been called.
    public var needsTraining: Bool { !trained }

    /// Number of rows kept so far.
    public var keptCount: Int { index.keptCount }

    /// The trained centroids (nil in `exact` mode), for tests that replay the IVF rule.
    var centroids: CentroidSet? { index.centroids }
    /// The probes in use (`probeCount` bounded by the centroids).
    var probes: Int { index.probes }

    /// A deterministic training sample: `min(total, limit)` evenly spaced row positions in
    /// `0..<total`, ascending. Callers fetch these rows' vectors for `train(sample:)`.
    public static func trainingSampleRows(total: Int, limit: Int = 50_000) -> [Int] {
        let count = max(0, min(total, limit))
        return (0..<count).map { Int(Int64($0) * Int64(total) / Int64(count)) }
    }

    /// Trains the IVF centroids on `sample` (rows x dimension, flat, normalized), e.g. up to
    /// 50k rows drawn deterministically by the caller. Must come before the first `process`.
    /// Does nothing in `exact` mode. An empty sample leaves a single list (exact behaviour).
    public mutating func train(sample: [Float]) {
        guard mode == .ivf else { return }
        precondition(keptCount == 0 && lastId == nil, "train(sample:) must come before process")
        precondition(sample.count % dimension == 0, "sample must be rows x dimension")
        precondition(sample.allSatisfy { $0.isFinite }, "sample must be finite")
        let rows = sample.count / dimension
        var centroids: CentroidSet?
        if rows > 0 {
            let k = max(1, min(listCount, rows / 16))
            centroids = SphericalKMeans.train(sample: sample, dimension: dimension, clusters: k, seed: seed)
        }
        index = NearDuplicateIndex(dimension: dimension, threshold: threshold, centroids: centroids, probes: probeCount,
                                   nearMissFloor: nearMissFloor)
        index.kernel = kernel
        trained = true
    }

    /// IVF with centroids trained before (a persisted reference index) instead of `train(sample:)`.
    mutating func start(centroids: CentroidSet) {
        precondition(mode == .ivf && keptCount == 0 && lastId == nil, "start(centroids:) replaces train(sample:) in ivf mode")
        index = NearDuplicateIndex(dimension: dimension, threshold: threshold, centroids: centroids, probes: probeCount,
                                   nearMissFloor: nearMissFloor)
        trained = true
    }

    /// `addKept` for rows a persisted index already filed: `ids` (ascending, above every id of the list
    /// so far) go to `list` with their packed bfloat16 copy (`ids.count x CompactVector.pairs` words, as
    /// `CompactVector.pack` writes a row with stride 1); `norms` is the largest of their `pack` norms.
    /// Every row of the selector's lists then holds what `addKept` of the same vectors would have made,
    /// so the decisions are the same. Later `process` ids must be above all of them.
    mutating func addKept(list: Int, ids: UnsafeBufferPointer<Int64>, packed: UnsafePointer<UInt32>, norms: CompactVector.Norms) {
        precondition(trained && index.centroids != nil, "addKept(list:) needs centroids")
        if let last = ids.last { lastId = max(lastId ?? last, last) }
        index.file(list: list, ids: ids, packed: packed, norms: norms)
    }

    /// The kept rows decided since the last call whose best score (to an earlier kept row they were
    /// compared with) reached `nearMissFloor`, in row order.
    public mutating func takeNearMisses() -> [SemanticMatch] {
        defer { index.nearMisses = [] }
        return index.nearMisses
    }

    /// Adds rows that are kept whatever they are (a reference corpus's kept rows, which absorb later
    /// rows but are never dropped), without searching for their duplicates: with `ids` ascending and
    /// above every earlier id, like `process`. A reference's kept rows are filed, not decided again,
    /// since deciding them searched the whole reference (20.9 s of a 23 s stage with 200k of them).
    public mutating func addKept(ids: [Int64], vectors: [Float]) {
        precondition(trained, "ivf mode needs train(sample:) before addKept")
        precondition(vectors.count == ids.count * dimension, "vectors must be ids.count x dimension")
        precondition(vectors.allSatisfy { $0.isFinite }, "vectors must be finite")
        for id in ids {
            precondition(lastId.map { id > $0 } ?? true, "ids must be ascending across batches")
            lastId = id
        }
        ids.withUnsafeBufferPointer { idv in
            vectors.withUnsafeBufferPointer { vv in
                index.file(ids: idv.baseAddress!, vectors: vv.baseAddress!, rows: ids.count)
            }
        }
    }

    /// Decides one batch. `ids` ascending and above every earlier id; `vectors` is
    /// `ids.count x dimension`, flat, normalized. Returns this batch's duplicates in row order;
    /// the kept rows join the index. `keptVectors` reads back the exact vectors of earlier kept
    /// rows (the ids and vectors given to earlier calls).
    public mutating func process(ids: [Int64], vectors: [Float], keptVectors: KeptVectorSource) rethrows -> [SemanticMatch] {
        precondition(trained, "ivf mode needs train(sample:) before process")
        precondition(vectors.count == ids.count * dimension, "vectors must be ids.count x dimension")
        // A NaN would silently fail every comparison (and break the centroid ranking).
        precondition(vectors.allSatisfy { $0.isFinite }, "vectors must be finite")
        for id in ids {
            precondition(lastId.map { id > $0 } ?? true, "ids must be ascending across batches")
            lastId = id
        }
        var matches: [SemanticMatch] = []
        try ids.withUnsafeBufferPointer { idv in
            try vectors.withUnsafeBufferPointer { vv in
                var start = 0
                // Internal chunks bound the working buffers whatever batch size the caller uses.
                while start < ids.count {
                    let n = min(index.chunkRows, ids.count - start)
                    matches += try index.select(ids: idv.baseAddress! + start, vectors: vv.baseAddress! + start * dimension, rows: n,
                                                keptVectors: keptVectors)
                    start += n
                }
            }
        }
        return matches
    }
}
