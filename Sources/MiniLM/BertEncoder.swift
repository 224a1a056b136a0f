import Foundation

/// The BERT forward pass plus pooling and L2 normalization.
///
/// A batch's sequences are packed back to back into one `[tokens x hidden]` matrix: the linear
/// layers run as one GEMM over all tokens and attention runs per sequence and head, so there is
/// no padding and a text's result does not depend on what else is in its batch.
struct BertEncoder {
    let configuration: ModelConfiguration
    let weights: BertWeights

    /// Embeds `sequences` (token ids, each at most `maxPositions` long) into `output`,
    /// `sequences.count` rows of `hiddenSize` floats, each L2-normalized.
    func embed(_ sequences: [[Int32]], scratch: EncoderScratch, output: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize
        let totalTokens = sequences.reduce(0) { $0 + $1.count }
        let longest = sequences.map(\.count).max() ?? 0
        guard totalTokens > 0 else { return }
        scratch.reserve(tokens: totalTokens, longest: longest)

        var offsets: [Int] = []
        offsets.reserveCapacity(sequences.count)
        var offset = 0
        for sequence in sequences { offsets.append(offset); offset += sequence.count }

        embedTokens(sequences, into: scratch.hidden)
        for layer in weights.layers {
            encoderLayer(layer, sequences: sequences, offsets: offsets, tokens: totalTokens, scratch: scratch)
        }
        for (index, sequence) in sequences.enumerated() {
            pool(scratch.hidden + offsets[index] * h, tokens: sequence.count, into: output + index * h)
        }
    }

    /// word + position + token-type(0) embeddings, then LayerNorm.
    private func embedTokens(_ sequences: [[Int32]], into hidden: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize
        var row = hidden
        for sequence in sequences {
            for (position, token) in sequence.enumerated() {
                let word = weights.wordEmbeddings + Int(token) * h
                let place = weights.positionEmbeddings + position * h
                let type = weights.tokenTypeEmbeddings
                for i in 0..<h { row[i] = word[i] + type[i] + place[i] }
                layerNormalize(row, count: h, weight: weights.embeddingNormWeight,
                               bias: weights.embeddingNormBias, epsilon: configuration.layerNormEpsilon)
                row += h
            }
        }
    }

    private func encoderLayer(_ layer: BertWeights.Layer, sequences: [[Int32]], offsets: [Int],
                              tokens t: Int, scratch s: EncoderScratch) {
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        let eps = configuration.layerNormEpsilon

        // Q, K, V for every token at once: [T x 3H] = X Wqkvᵀ + b.
        broadcastRows(layer.qkvBias, count: 3 * h, rows: t, into: s.qkv)
        gemm(m: t, n: 3 * h, k: h, a: s.hidden, lda: h, b: layer.qkvWeight, ldb: h, transposeB: true,
             beta: 1, c: s.qkv, ldc: 3 * h)

        for (index, sequence) in sequences.enumerated() {
            attention(sequenceStart: offsets[index], length: sequence.count, scratch: s)
        }

        // Attention output projection, added onto the residual (with bias), then LayerNorm.
        for row in 0..<t { add(s.hidden + row * h, layer.attentionOutputBias, into: s.residual + row * h, count: h) }
        gemm(m: t, n: h, k: h, a: s.context, lda: h, b: layer.attentionOutputWeight, ldb: h, transposeB: true,
             beta: 1, c: s.residual, ldc: h)
        for row in 0..<t {
            layerNormalize(s.residual + row * h, count: h, weight: layer.attentionNormWeight,
                           bias: layer.attentionNormBias, epsilon: eps)
        }

        // Feed-forward: GELU(X W1ᵀ + b1) W2ᵀ + b2 + X, then LayerNorm back into `hidden`.
        gemm(m: t, n: inner, k: h, a: s.residual, lda: h, b: layer.intermediateWeight, ldb: h, transposeB: true,
             beta: 0, c: s.intermediate, ldc: inner)
        for row in 0..<t { addBiasGELU(s.intermediate + row * inner, count: inner, bias: layer.intermediateBias) }
        for row in 0..<t { add(s.residual + row * h, layer.outputBias, into: s.hidden + row * h, count: h) }
        gemm(m: t, n: h, k: inner, a: s.intermediate, lda: inner, b: layer.outputWeight, ldb: inner,
             transposeB: true, beta: 1, c: s.hidden, ldc: h)
        for row in 0..<t {
            layerNormalize(s.hidden + row * h, count: h, weight: layer.outputNormWeight,
                           bias: layer.outputNormBias, epsilon: eps)
        }
    }

    /// Multi-head self-attention of one sequence (no mask: the packed batch has no padding).
    private func attention(sequenceStart: Int, length n: Int, scratch s: EncoderScratch) {
        let h = configuration.hiddenSize
        let d = configuration.headSize
        let scale = 1 / Float(d).squareRoot()
        let rows = s.qkv + sequenceStart * 3 * h
        for head in 0..<configuration.headCount {
            let query = rows + head * d
            let key = rows + h + head * d
            let value = rows + 2 * h + head * d
            gemm(m: n, n: n, k: d, alpha: scale, a: query, lda: 3 * h, b: key, ldb: 3 * h, transposeB: true,
                 beta: 0, c: s.scores, ldc: n)
            for row in 0..<n { softmax(s.scores + row * n, count: n) }
            gemm(m: n, n: d, k: n, a: s.scores, lda: n, b: value, ldb: 3 * h, transposeB: false,
                 beta: 0, c: s.context + sequenceStart * h + head * d, ldc: h)
        }
    }

    /// Mean (or CLS) pooling over the sequence's tokens, then L2 normalization.
    private func pool(_ rows: UnsafePointer<Float>, tokens n: Int, into target: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize
        switch configuration.pooling {
        case .cls:
            target.update(from: rows, count: h)
        case .mean:
            target.update(repeating: 0, count: h)
            for token in 0..<n {
                let row = rows + token * h
                for i in 0..<h { target[i] += row[i] }
            }
            let inverse = 1 / Float(n)
            for i in 0..<h { target[i] *= inverse }
        }
        var squares: Float = 0
        for i in 0..<h { squares += target[i] * target[i] }
        let inverse = 1 / max(squares.squareRoot(), 1e-12)
        for i in 0..<h { target[i] *= inverse }
    }
}
