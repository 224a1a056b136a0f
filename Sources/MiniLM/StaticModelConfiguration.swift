import Foundation

/// The `config.json` of a static model made by `entropyguard distill`: what it is (`kind: static`),
/// what it came from, its shape, and the cosine threshold the semantic stage uses with it by default.
/// Written with sorted keys, so the same distillation writes the same bytes.
public struct StaticModelConfiguration: Codable, Equatable, Sendable {
    /// The value of `kind` that marks a static model folder.
    public static let staticKind = "static"
    /// Bumped when the file layout or the embedding rule changes; a folder of another version is
    /// distilled again by `distill` (and `scripts/fetch-model`).
    public static let currentFormatVersion = 1

    public var kind: String = Self.staticKind
    public var formatVersion: Int = Self.currentFormatVersion
    /// The model's name in the models folder (the folder's name when written).
    public var name: String
    /// The transformer it was distilled from: its folder name, and its identity (folder name, weights
    /// size and fingerprint), so a changed source is noticed.
    public var sourceModel: String
    public var sourceIdentity: String
    /// Floats per token vector (the PCA's components), and per text vector.
    public var dimension: Int
    /// Rows of the embedding table (the source's vocab_size); rows of tokens left out are zero.
    public var vocabularySize: Int
    /// Tokens that went through the encoder (the vocabulary minus `[unused…]` placeholders).
    public var distilledTokens: Int
    /// Zipf/SIF weighting: token of rank r (0-based, among the distilled tokens) is scaled by
    /// a / (a + p(r)), p(r) ∝ 1 / (r + 2).
    public var sifCoefficient: Double
    /// Share of the token vectors' variance the kept components explain.
    public var explainedVarianceRatio: Double
    /// Word pieces per text that count (model2vec's `encode(max_length: 512)`).
    public var maxTokens: Int
    /// Tokenizer casing, from the source (`do_lower_case`; accents stripped when lowercasing).
    public var lowercase: Bool
    /// The cosine at or above which the semantic stage calls two texts duplicates with this model,
    /// unless `--dedup-threshold` says otherwise.
    public var recommendedThreshold: Double

    public init(name: String, sourceModel: String, sourceIdentity: String, dimension: Int, vocabularySize: Int,
                distilledTokens: Int, sifCoefficient: Double, explainedVarianceRatio: Double, maxTokens: Int,
                lowercase: Bool, recommendedThreshold: Double) {
        self.name = name
        self.sourceModel = sourceModel
        self.sourceIdentity = sourceIdentity
        self.dimension = dimension
        self.vocabularySize = vocabularySize
        self.distilledTokens = distilledTokens
        self.sifCoefficient = sifCoefficient
        self.explainedVarianceRatio = explainedVarianceRatio
        self.maxTokens = maxTokens
        self.lowercase = lowercase
        self.recommendedThreshold = recommendedThreshold
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, dimension, lowercase
        case formatVersion = "format_version"
        case sourceModel = "source_model"
        case sourceIdentity = "source_identity"
        case vocabularySize = "vocab_size"
        case distilledTokens = "distilled_tokens"
        case sifCoefficient = "sif_coefficient"
        case explainedVarianceRatio = "explained_variance_ratio"
        case maxTokens = "max_tokens"
        case recommendedThreshold = "recommended_threshold"
    }

    /// Reads `folder/config.json`. Throws ``MiniLMError`` when it is missing, not JSON, or not a
    /// static model's config of a version this build reads.
    public init(folder: URL) throws {
        let url = folder.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: url) else {
            throw MiniLMError.missing(folder, detail: "cannot read config.json")
        }
        let decoded: StaticModelConfiguration
        do {
            decoded = try JSONDecoder().decode(StaticModelConfiguration.self, from: data)
        } catch {
            throw MiniLMError.invalid(url, "not a static model config (\(error))")
        }
        guard decoded.kind == Self.staticKind else { throw MiniLMError.invalid(url, "kind \(decoded.kind) is not \(Self.staticKind)") }
        guard decoded.formatVersion == Self.currentFormatVersion else {
            throw MiniLMError.invalid(url, "format_version \(decoded.formatVersion) (this build reads \(Self.currentFormatVersion)); run entropyguard distill again")
        }
        guard decoded.dimension > 0, decoded.vocabularySize > 0, decoded.maxTokens > 0,
              (0...1).contains(decoded.recommendedThreshold) else {
            throw MiniLMError.invalid(url, "dimension, vocab_size, max_tokens must be positive and recommended_threshold within 0...1")
        }
        self = decoded
    }

    /// The JSON written to `config.json`: sorted keys, two-space indentation, final newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
