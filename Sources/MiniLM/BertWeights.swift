import Foundation

/// Pointers to a BERT encoder's parameters. Linear weights are `[out x in]` row-major, as PyTorch
/// stores them; query, key and value are concatenated into one `[3H x H]` matrix so a single
/// GEMM produces all three.
final class BertWeights: @unchecked Sendable {
    struct Layer {
        let qkvWeight: UnsafePointer<Float>        // [3H x H]
        let qkvBias: UnsafePointer<Float>          // [3H]
        let attentionOutputWeight: UnsafePointer<Float>  // [H x H]
        let attentionOutputBias: UnsafePointer<Float>
        let attentionNormWeight: UnsafePointer<Float>
        let attentionNormBias: UnsafePointer<Float>
        let intermediateWeight: UnsafePointer<Float>     // [I x H]
        let intermediateBias: UnsafePointer<Float>
        let outputWeight: UnsafePointer<Float>           // [H x I]
        let outputBias: UnsafePointer<Float>
        let outputNormWeight: UnsafePointer<Float>
        let outputNormBias: UnsafePointer<Float>
    }

    let wordEmbeddings: UnsafePointer<Float>      // [V x H]
    let positionEmbeddings: UnsafePointer<Float>  // [P x H]
    let tokenTypeEmbeddings: UnsafePointer<Float> // [types x H]; every token has type 0
    let embeddingNormWeight: UnsafePointer<Float>
    let embeddingNormBias: UnsafePointer<Float>
    let layers: [Layer]
    /// Keeps the mapping (and thus every pointer above) alive.
    private let file: SafeTensorsFile
    private var concatenated: [UnsafeMutablePointer<Float>] = []

    init(file: SafeTensorsFile, configuration c: ModelConfiguration) throws {
        self.file = file
        // Checkpoints saved from BertModel have bare names; from BertFor* they carry "bert.".
        let prefix = file.tensors["embeddings.word_embeddings.weight"] != nil ? "" : "bert."
        func tensor(_ name: String, _ shape: [Int]) throws -> UnsafePointer<Float> {
            try file.floats(prefix + name, shape: shape)
        }
        let h = c.hiddenSize
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.maxPositions, h])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        embeddingNormWeight = try tensor("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = try tensor("embeddings.LayerNorm.bias", [h])

        var layers: [Layer] = []
        var concatenated: [UnsafeMutablePointer<Float>] = []
        for index in 0..<c.layerCount {
            let p = "encoder.layer.\(index)."
            let parts = try ["query", "key", "value"].map { name in
                (weight: try tensor(p + "attention.self.\(name).weight", [h, h]),
                 bias: try tensor(p + "attention.self.\(name).bias", [h]))
            }
            let qkvWeight = UnsafeMutablePointer<Float>.allocate(capacity: 3 * h * h)
            let qkvBias = UnsafeMutablePointer<Float>.allocate(capacity: 3 * h)
            concatenated += [qkvWeight, qkvBias]
            for (slot, part) in parts.enumerated() {
                (qkvWeight + slot * h * h).update(from: part.weight, count: h * h)
                (qkvBias + slot * h).update(from: part.bias, count: h)
            }
            layers.append(Layer(
                qkvWeight: UnsafePointer(qkvWeight), qkvBias: UnsafePointer(qkvBias),
                attentionOutputWeight: try tensor(p + "attention.output.dense.weight", [h, h]),
                attentionOutputBias: try tensor(p + "attention.output.dense.bias", [h]),
                attentionNormWeight: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBias: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                intermediateWeight: try tensor(p + "intermediate.dense.weight", [c.intermediateSize, h]),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [c.intermediateSize]),
                outputWeight: try tensor(p + "output.dense.weight", [h, c.intermediateSize]),
                outputBias: try tensor(p + "output.dense.bias", [h]),
                outputNormWeight: try tensor(p + "output.LayerNorm.weight", [h]),
                outputNormBias: try tensor(p + "output.LayerNorm.bias", [h])))
        }
        self.layers = layers
        self.concatenated = concatenated
    }

    deinit {
        for buffer in concatenated { buffer.deallocate() }
    }
}
