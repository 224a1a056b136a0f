import Foundation

/// Distils a static model from a BERT sentence-transformer the way model2vec's `distill` does
/// (model2vec/distill/distillation.py and inference.py, read at c901407):
/// 1. every vocabulary token except the `[unused…]` placeholders goes through the encoder alone, as
///    `[CLS] token [SEP]` with token type 0, and its output is the mean over those three positions
///    (not normalized);
/// 2. PCA to `dimension` components (centred, scikit-learn's `svd_solver="full"` result);
/// 3. each token's row is scaled by its Zipf/SIF weight a / (a + p(rank)), p(rank) ∝ 1 / (rank + 2),
///    rank = position among the distilled tokens in vocabulary order.
/// The table keeps the source's ids (placeholders get zero rows, never looked up), so the source's
/// tokenizer and vocab.txt are used unchanged. Rows are stored as F32 (model2vec quantizes to F16).
public struct StaticModelDistiller {
    public static let defaultDimension = 256
    /// model2vec's default `sif_coefficient`.
    public static let sifCoefficient = 1e-4
    /// model2vec's `encode(max_length=512)`.
    public static let maxTokens = 512
    /// The semantic stage's default threshold for a distilled all-MiniLM-L6-v2 (256 dims), chosen on
    /// the real-text set (benchmarks/static/run.sh quality, 10k rows, 2026-11-30). Against MiniLM at
    /// 0.95 (28 false drops; exact 98.6%, near-exact 98.3%, PII variants 89.7%, paraphrases 75.1%):
    /// 0.95 drops 67 rows wrongly, 0.96 48, 0.97 33; at 0.96 it catches exact 98.2%, near-exact 98.8%,
    /// PII variants 77.6%, paraphrases 81.3%: about what MiniLM catches, with the fewest extra false
    /// drops before paraphrase recall falls below MiniLM's (72.0% at 0.97).
    public static let recommendedThreshold = 0.96
    /// Tokens per forward pass: 256 three-token sequences make 768-row products.
    static let forwardBatchSize = 256
    /// Tokens per progress step.
    static let progressStep = 2048

    public let source: URL
    public let dimension: Int

    public init(source: URL, dimension: Int = Self.defaultDimension) {
        self.source = source
        self.dimension = dimension
    }

    /// Whether `destination` holds a model this distillation would write: a readable static config
    /// of the current format, made from the same source files with the same dimension, and weights
    /// of the size that implies. (`distill` skips the work then, unless forced.)
    public func isCurrent(at destination: URL) throws -> Bool {
        guard let existing = try? StaticModelConfiguration(folder: destination) else { return false }
        let embedder = try SentenceEmbedder(modelDirectory: source, threads: 1)
        let weights = destination.appendingPathComponent("model.safetensors").path
        guard let size = (try? FileManager.default.attributesOfItem(atPath: weights)[.size]) as? Int else { return false }
        return existing.sourceIdentity == embedder.modelIdentity && existing.dimension == dimension
            && existing.sifCoefficient == Self.sifCoefficient && existing.maxTokens == Self.maxTokens
            && existing.recommendedThreshold == Self.recommendedThreshold
            && size > existing.vocabularySize * dimension * 4
            && FileManager.default.fileExists(atPath: destination.appendingPathComponent("vocab.txt").path)
    }

    /// Runs the distillation and writes the model folder `destination` (replaced as a whole: the
    /// files are written into a temporary folder beside it, which is then renamed).
    /// - Parameters:
    ///   - threads: encoder workers (`nil`: every core); the result does not depend on it.
    ///   - tokenLimit: distil only the first N tokens (the others get zero rows); for tests.
    ///   - progress: called with (tokens done, tokens in all) after each step, and with a phase name.
    public func distill(into destination: URL, threads: Int? = nil, tokenLimit: Int? = nil,
                        progress: (String, Int, Int) -> Void = { _, _, _ in }) throws -> StaticModelConfiguration {
        let embedder = try SentenceEmbedder(modelDirectory: source, threads: threads)
        let configuration = embedder.configuration
        let vocabulary = try VocabularyFile(url: source.appendingPathComponent("vocab.txt"))
        let cls = try vocabulary.id(of: "[CLS]"), sep = try vocabulary.id(of: "[SEP]")
        var kept = vocabulary.tokens.indices.filter {
            $0 < configuration.vocabularySize && !VocabularyFile.isPlaceholder(vocabulary.tokens[$0])
        }
        if let tokenLimit { kept = Array(kept.prefix(tokenLimit)) }
        let hidden = embedder.dimension
        guard (1...hidden).contains(dimension) else { throw DimensionOutOfRange(dimension: dimension, hiddenSize: hidden) }
        guard kept.count > dimension else {
            throw MiniLMError(.invalidModel, "\(kept.count) tokens to distil: PCA to \(dimension) dimensions needs more")
        }

        // 1. Every token through the encoder.
        var outputs = [Float]()
        outputs.reserveCapacity(kept.count * hidden)
        var start = 0
        progress("encode", 0, kept.count)
        while start < kept.count {
            let end = min(start + Self.progressStep, kept.count)
            let sequences = kept[start..<end].map { [cls, Int32($0), sep] }
            outputs += embedder.embed(tokenized: sequences, batchSize: Self.forwardBatchSize, normalize: false)
            start = end
            progress("encode", end, kept.count)
        }

        // 2. PCA.
        progress("pca", 0, 1)
        let pca = try outputs.withUnsafeBufferPointer {
            try PrincipalComponents(fitting: $0, rows: kept.count, inputDimension: hidden, dimension: dimension)
        }
        let projected = outputs.withUnsafeBufferPointer { pca.transform($0, rows: kept.count) }
        progress("pca", 1, 1)

        // 3. SIF weights by rank, into a table indexed by the source's token ids.
        let weights = Self.sifWeights(count: kept.count, coefficient: Self.sifCoefficient)
        var table = [Float](repeating: 0, count: configuration.vocabularySize * dimension)
        for (rank, id) in kept.enumerated() {
            let weight = Float(weights[rank])
            for i in 0..<dimension { table[id * dimension + i] = projected[rank * dimension + i] * weight }
        }

        let result = StaticModelConfiguration(
            name: destination.lastPathComponent, sourceModel: source.standardizedFileURL.lastPathComponent,
            sourceIdentity: embedder.modelIdentity, dimension: dimension, vocabularySize: configuration.vocabularySize,
            distilledTokens: kept.count, sifCoefficient: Self.sifCoefficient,
            explainedVarianceRatio: (pca.explainedVarianceRatio * 1e6).rounded() / 1e6, maxTokens: Self.maxTokens,
            lowercase: configuration.lowercase, recommendedThreshold: Self.recommendedThreshold)
        try write(table: table, configuration: result, to: destination)
        return result
    }

    /// A `dimension` the source cannot give (PCA cannot add dimensions).
    public struct DimensionOutOfRange: Error, CustomStringConvertible {
        public let dimension: Int
        public let hiddenSize: Int
        public var description: String { "--dims \(dimension) must be between 1 and the source's hidden size \(hiddenSize)" }
    }

    /// model2vec's `compute_weights`: a / (a + p(r)), p(r) = (1 / (r + 2)) / Σ 1 / (j + 2).
    static func sifWeights(count: Int, coefficient: Double) -> [Double] {
        let inverseRanks = (0..<count).map { 1 / Double($0 + 2) }
        let total = inverseRanks.reduce(0, +)
        return inverseRanks.map { coefficient / (coefficient + $0 / total) }
    }

    /// Files copied from the source beside the table: the tokenizer's (vocab.txt is required).
    static let tokenizerFiles = ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"]

    private func write(table: [Float], configuration: StaticModelConfiguration, to destination: URL) throws {
        let fm = FileManager.default
        let parent = destination.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(getpid())")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            for name in Self.tokenizerFiles where fm.fileExists(atPath: source.appendingPathComponent(name).path) {
                try fm.copyItem(at: source.appendingPathComponent(name), to: staging.appendingPathComponent(name))
            }
            try SafeTensorsWriter.write([("embeddings", [configuration.vocabularySize, configuration.dimension], table)],
                                        to: staging.appendingPathComponent("model.safetensors"))
            // config.json last: a folder without it is not taken for a static model.
            try configuration.encoded().write(to: staging.appendingPathComponent("config.json"))
            if fm.fileExists(atPath: destination.path) { try fm.removeItem(at: destination) }
            try fm.moveItem(at: staging, to: destination)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }
}
