import Foundation
import MiniLM

/// The model named by `--model-name`, as the semantic stage and `embed` use it: loading (errors
/// become exit codes), its identity (the embedding cache's key and part of the stage's config hash),
/// and its default threshold.
enum EmbeddingModelChoice {
    /// Loads the model, a transformer or a static model as its config says.
    static func load(_ modelName: String) throws -> any TextEmbedder {
        do {
            // The search sets OpenBLAS up for itself (VectorMath.gemmABt).
            return try EmbeddingModel.load(ModelLocator.resolve(modelName))
        } catch let error as MiniLMError {
            throw EntropyGuardError(error.isModelMissing ? .noInput : .dataError, error.description)
        }
    }

    /// Folder name and weights size, so replacing the model files invalidates the stage and the
    /// cached vectors while paths stay out of the hash. A static model adds the XXH3 of its weights
    /// (31 MB, a few ms): two distillations under one name have the same size, and must never share
    /// cached vectors. (Transformers keep the old key, so existing caches stay valid.)
    static func identity(_ modelName: String) -> String {
        guard let folder = try? ModelLocator.resolve(modelName) else { return "\(modelName):missing" }
        let weights = folder.appendingPathComponent("model.safetensors")
        let size = (try? FileManager.default.attributesOfItem(atPath: weights.path)[.size] as? Int) ?? -1
        guard EmbeddingModelKind.of(folder) == .static else { return "\(folder.lastPathComponent):\(size)" }
        let digest = (try? Data(contentsOf: weights, options: .alwaysMapped)).map { data in
            data.withUnsafeBytes { String(XXH3.hash64($0), radix: 16) }
        } ?? "unreadable"
        return "\(folder.lastPathComponent):\(size):static:\(digest)"
    }

    /// The threshold the model's config recommends, else the project default.
    static func defaultThreshold(_ modelName: String) -> Double {
        guard let folder = try? ModelLocator.resolve(modelName) else { return PipelineOptions.Defaults.dedupThreshold }
        return EmbeddingModel.recommendedThreshold(folder) ?? PipelineOptions.Defaults.dedupThreshold
    }
}
