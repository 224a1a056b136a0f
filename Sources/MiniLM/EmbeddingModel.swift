import Foundation

/// What the semantic stage and `embed` need of a model: texts in, L2-normalized vectors out.
public protocol TextEmbedder: AnyObject {
    /// Floats per vector.
    var dimension: Int { get }
    /// `texts.count * dimension` floats, in input order, each vector of unit length (or zero).
    func embed(_ texts: [String], batchSize: Int) -> [Float]
}

extension SentenceEmbedder: TextEmbedder {}
extension StaticEmbedder: TextEmbedder {}

/// The kinds of model folder, told apart by their `config.json`: a static model's says
/// `"kind": "static"`; anything else is a BERT sentence-transformer.
public enum EmbeddingModelKind: String, Sendable {
    case transformer
    case `static`

    /// The kind of the model in `folder` (transformer when its config.json is missing or says nothing).
    public static func of(_ folder: URL) -> EmbeddingModelKind {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("config.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["kind"] as? String == StaticModelConfiguration.staticKind else { return .transformer }
        return .static
    }
}

public enum EmbeddingModel {
    /// Loads the model in `folder` (see ``ModelLocator/resolve(_:)``) as its config says.
    public static func load(_ folder: URL, threads: Int? = nil) throws -> any TextEmbedder {
        switch EmbeddingModelKind.of(folder) {
        case .transformer: return try SentenceEmbedder(modelDirectory: folder, threads: threads)
        case .static: return try StaticEmbedder(modelDirectory: folder, threads: threads)
        }
    }

    /// The cosine threshold the model's config recommends for deduplication; nil when it has none
    /// (transformers: the caller's default applies).
    public static func recommendedThreshold(_ folder: URL) -> Double? {
        guard EmbeddingModelKind.of(folder) == .static else { return nil }
        return (try? StaticModelConfiguration(folder: folder))?.recommendedThreshold
    }
}
