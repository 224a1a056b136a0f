import SplitMix
import Foundation

/// A small random BERT sentence-transformer written to a temporary folder (config files, vocab,
/// safetensors), plus a naive reference forward pass (plain loops, no BLAS, padded-free single text)
/// to check the library against on arbitrary dimensions.
struct TinyBertModel {
    var hidden: Int
    var heads: Int
    var layers: Int
    var intermediate: Int
    var maxPositions: Int
    var maxSequenceLength: Int
    var layerNormEpsilon: Float = 1e-12
    /// Store every other tensor as F16 to exercise conversion on load.
    var halfPrecision = false
    /// Prefix tensor names with "bert." as BertFor* checkpoints do.
    var bertPrefix = false
    var seed: UInt64 = 42

    static let words = ["the", "cat", "sat", "on", "mat", "dog", "ran", "fast", "a", "big", "red", "ball",
                        "##s", "##ing", "##ed", "play", "jump", ".", ",", "!", "?", "x", "y", "z"]
    static var vocabulary: [String] { ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words }

    private(set) var tensors: [(name: String, shape: [Int], values: [Float])] = []

    /// Writes the model folder and returns its URL.
    mutating func write(to folder: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        let config: [String: Any] = [
            "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
            "hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers,
            "intermediate_size": intermediate, "max_position_embeddings": maxPositions,
            "vocab_size": Self.vocabulary.count, "type_vocab_size": 2, "layer_norm_eps": layerNormEpsilon,
            "position_embedding_type": "absolute",
        ]
        try json(config).write(to: folder.appendingPathComponent("config.json"))
        try json(["max_seq_length": maxSequenceLength, "do_lower_case": false])
            .write(to: folder.appendingPathComponent("sentence_bert_config.json"))
        try json(["word_embedding_dimension": hidden, "pooling_mode_mean_tokens": true,
                  "pooling_mode_cls_token": false, "pooling_mode_max_tokens": false])
            .write(to: folder.appendingPathComponent("1_Pooling/config.json"))
        try (Self.vocabulary.joined(separator: "\n") + "\n")
            .write(to: folder.appendingPathComponent("vocab.txt"), atomically: false, encoding: .utf8)
        makeTensors()
        try safetensors().write(to: folder.appendingPathComponent("model.safetensors"))
    }

    private func json(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    private mutating func makeTensors() {
        var generator = SplitMix64(seed: seed)
        func random() -> Float { generator.signedUnitFloat() }
        tensors = []
        func add(_ name: String, _ shape: [Int], scale: Float, offset: Float = 0) {
            let count = shape.reduce(1, *)
            var values = (0..<count).map { _ in random() * scale + offset }
            if halfPrecision && tensors.count % 2 == 1 { values = values.map { Float(Float16($0)) } }
            tensors.append((name, shape, values))
        }
        let h = hidden
        add("embeddings.word_embeddings.weight", [Self.vocabulary.count, h], scale: 0.5)
        add("embeddings.position_embeddings.weight", [maxPositions, h], scale: 0.5)
        add("embeddings.token_type_embeddings.weight", [2, h], scale: 0.5)
        add("embeddings.LayerNorm.weight", [h], scale: 0.2, offset: 1)
        add("embeddings.LayerNorm.bias", [h], scale: 0.1)
        let w = 1 / Float(h).squareRoot()
        for l in 0..<layers {
            let p = "encoder.layer.\(l)."
            for part in ["query", "key", "value"] {
                add(p + "attention.self.\(part).weight", [h, h], scale: 2 * w)
                add(p + "attention.self.\(part).bias", [h], scale: 0.1)
            }
            add(p + "attention.output.dense.weight", [h, h], scale: w)
            add(p + "attention.output.dense.bias", [h], scale: 0.1)
            add(p + "attention.output.LayerNorm.weight", [h], scale: 0.2, offset: 1)
            add(p + "attention.output.LayerNorm.bias", [h], scale: 0.1)
            add(p + "intermediate.dense.weight", [intermediate, h], scale: 2 * w)
            add(p + "intermediate.dense.bias", [intermediate], scale: 0.1)
            add(p + "output.dense.weight", [h, intermediate], scale: 1 / Float(intermediate).squareRoot())
            add(p + "output.dense.bias", [h], scale: 0.1)
            add(p + "output.LayerNorm.weight", [h], scale: 0.2, offset: 1)
            add(p + "output.LayerNorm.bias", [h], scale: 0.1)
        }
    }

    private func safetensors() throws -> Data {
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var body = Data()
        for (index, tensor) in tensors.enumerated() {
            let half = halfPrecision && index % 2 == 1
            let begin = body.count
            for value in tensor.values {
                if half {
                    withUnsafeBytes(of: Float16(value).bitPattern.littleEndian) { body.append(contentsOf: $0) }
                } else {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) }
                }
            }
            header[(bertPrefix ? "bert." : "") + tensor.name] =
                ["dtype": half ? "F16" : "F32", "shape": tensor.shape, "data_offsets": [begin, body.count]]
        }
        var headerData = try json(header)
        while headerData.count % 8 != 0 { headerData.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { file.append(contentsOf: $0) }
        return file + headerData + body
    }

    private func tensor(_ name: String) -> [Float] { tensors.first { $0.name == name }!.values }

    /// Straightforward BERT forward + mean pooling + L2 normalization (unless `normalize` is false:
    /// the plain mean) of one token sequence.
    func referenceEmbedding(_ ids: [Int32], normalize: Bool = true) -> [Float] {
        let h = hidden, n = ids.count, d = hidden / heads
        func layerNorm(_ x: [Float], _ prefix: String) -> [Float] {
            let g = tensor(prefix + ".weight"), b = tensor(prefix + ".bias")
            var out = x
            for t in 0..<n {
                let row = Array(x[(t * h)..<((t + 1) * h)])
                let mean = row.map(Double.init).reduce(0, +) / Double(h)
                let variance = row.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(h)
                for i in 0..<h {
                    out[t * h + i] = Float((Double(row[i]) - mean) / (variance + Double(layerNormEpsilon)).squareRoot())
                        * g[i] + b[i]
                }
            }
            return out
        }
        func linear(_ x: [Float], _ inSize: Int, _ prefix: String) -> [Float] {
            let w = tensor(prefix + ".weight"), b = tensor(prefix + ".bias")
            let outSize = b.count
            var y = [Float](repeating: 0, count: n * outSize)
            for t in 0..<n {
                for o in 0..<outSize {
                    var s = Double(b[o])
                    for i in 0..<inSize { s += Double(x[t * inSize + i]) * Double(w[o * inSize + i]) }
                    y[t * outSize + o] = Float(s)
                }
            }
            return y
        }
        let word = tensor("embeddings.word_embeddings.weight")
        let position = tensor("embeddings.position_embeddings.weight")
        let type = tensor("embeddings.token_type_embeddings.weight")
        var x = [Float](repeating: 0, count: n * h)
        for (t, id) in ids.enumerated() {
            for i in 0..<h { x[t * h + i] = word[Int(id) * h + i] + position[t * h + i] + type[i] }
        }
        x = layerNorm(x, "embeddings.LayerNorm")
        for l in 0..<layers {
            let p = "encoder.layer.\(l)."
            let q = linear(x, h, p + "attention.self.query")
            let k = linear(x, h, p + "attention.self.key")
            let v = linear(x, h, p + "attention.self.value")
            var context = [Float](repeating: 0, count: n * h)
            for head in 0..<heads {
                for i in 0..<n {
                    var scores = (0..<n).map { j -> Double in
                        var s = 0.0
                        for c in 0..<d { s += Double(q[i * h + head * d + c]) * Double(k[j * h + head * d + c]) }
                        return s / Double(d).squareRoot()
                    }
                    let m = scores.max()!
                    scores = scores.map { Foundation.exp($0 - m) }
                    let total = scores.reduce(0, +)
                    for c in 0..<d {
                        var s = 0.0
                        for j in 0..<n { s += scores[j] / total * Double(v[j * h + head * d + c]) }
                        context[i * h + head * d + c] = Float(s)
                    }
                }
            }
            let attention = linear(context, h, p + "attention.output.dense")
            x = layerNorm(zip(attention, x).map(+), p + "attention.output.LayerNorm")
            let inner = linear(x, h, p + "intermediate.dense").map { value -> Float in
                Float(0.5 * Double(value) * (1 + Foundation.erf(Double(value) / 2.0.squareRoot())))
            }
            let output = linear(inner, intermediate, p + "output.dense")
            x = layerNorm(zip(output, x).map(+), p + "output.LayerNorm")
        }
        var pooled = [Double](repeating: 0, count: h)
        for t in 0..<n { for i in 0..<h { pooled[i] += Double(x[t * h + i]) } }
        let norm = normalize ? pooled.map { $0 * $0 }.reduce(0, +).squareRoot() : Double(n)
        return pooled.map { Float($0 / norm) }
    }
}
