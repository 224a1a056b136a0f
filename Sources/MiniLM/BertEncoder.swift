import Foundation

/// The BERT forward pass plus pooling and L2 normalization.
///
/// A batch's sequences are packed back to back into one `[tokens x hidden]` matrix: the linear
/// layers run as one GEMM over all tokens and attention runs per sequence and head, so no text is
/// padded and a text's result does not depend on what else is in its batch.
struct BertEncoder {
    static let minimumGEMMRows = 64
    let configuration: ModelConfiguration
    let weights: BertWeights

    /// Embeds `sequences` (token ids, each at most `maxPositions` long) into `output`,
    /// `sequences.count` rows of `hiddenSize` floats, each L2-normalized unless `normalize` is false
    /// (distillation keeps the pooled vectors' norms, as model2vec does).
    func embed(_ sequences: [[Int32]], scratch: EncoderScratch, output: UnsafeMutablePointer<Float>,
               normalize: Bool = true) {
        let h = configuration.hiddenSize
        let totalTokens = sequences.reduce(0) { $0 + $1.count }
        let longest = sequences.map(\.count).max() ?? 0
        guard totalTokens > 0 else { return }
        // OpenBLAS switches to differently-ordered "small matrix" kernels when M*N*K is tiny, which
        // would make a short text alone in a batch round differently. Padding the packed matrix to
        // a minimum row count keeps every text on the same kernels, so results are bitwise
        // independent of the batch. Padding rows start at zero, run through the linear and
        // element-wise steps, and are never attended to or pooled. (Measured bitwise on OpenBLAS's
        // SkylakeX kernels; its Haswell kernels still differ by up to 2.4e-7 between batch sizes.)
        let rows = max(totalTokens, Self.minimumGEMMRows)
        scratch.reserve(tokens: rows, longest: longest)
        // Our workers split the products; OpenBLAS runs single-threaded inside each (the count is
        // process-wide: another embedder may have changed it).
        OpenBLASRuntime.setThreads(1)

        var offsets: [Int] = []
        offsets.reserveCapacity(sequences.count)
        var offset = 0
        for sequence in sequences { offsets.append(offset); offset += sequence.count }

        embedTokens(sequences, into: scratch.hidden)
        let padding = (rows - totalTokens) * h
        (scratch.hidden + totalTokens * h).update(repeating: 0, count: padding)
        (scratch.context + totalTokens * h).update(repeating: 0, count: padding)
        for layer in weights.layers {
            encoderLayer(layer, sequences: sequences, offsets: offsets, tokens: rows, scratch: scratch)
        }
        for (index, sequence) in sequences.enumerated() {
            pool(scratch.hidden + offsets[index] * h, tokens: sequence.count, into: output + index * h,
                 normalize: normalize)
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
        gemmByRows(workers: s.workers, minimumRows: Self.minimumGEMMRows, m: t, n: 3 * h, k: h, a: s.hidden, lda: h,
                   b: layer.qkvWeight, ldb: h, transposeB: true, beta: 1, c: s.qkv, ldc: 3 * h)

        // Attention: (sequence, head) pairs spread over the workers, each running single-threaded
        // GEMMs (OpenBLAS threads would only add synchronization on these small products).
        let heads = configuration.headCount
        runWorkers(s.workers) { worker in
            var item = worker
            while item < sequences.count * heads {
                let index = item / heads
                attentionHead(item % heads, sequenceStart: offsets[index], length: sequences[index].count,
                              scores: s.scores[worker], scratch: s)
                item += s.workers
            }
        }

        // Attention output projection, added onto the residual (with bias), then LayerNorm.
        forEachRowChunk(t, workers: s.workers) { rows in
            for row in rows { add(s.hidden + row * h, layer.attentionOutputBias, into: s.residual + row * h, count: h) }
        }
        gemmByRows(workers: s.workers, minimumRows: Self.minimumGEMMRows, m: t, n: h, k: h, a: s.context, lda: h,
                   b: layer.attentionOutputWeight, ldb: h, transposeB: true, beta: 1, c: s.residual, ldc: h)
        forEachRowChunk(t, workers: s.workers) { rows in
            for row in rows {
                layerNormalize(s.residual + row * h, count: h, weight: layer.attentionNormWeight,
                               bias: layer.attentionNormBias, epsilon: eps)
            }
        }

        // Feed-forward: GELU(X W1ᵀ + b1) W2ᵀ + b2 + X, then LayerNorm back into `hidden`.
        gemmByRows(workers: s.workers, minimumRows: Self.minimumGEMMRows, m: t, n: inner, k: h, a: s.residual, lda: h,
                   b: layer.intermediateWeight, ldb: h, transposeB: true, beta: 0, c: s.intermediate, ldc: inner)
        forEachRowChunk(t, workers: s.workers) { rows in
            for row in rows {
                addBiasGELU(s.intermediate + row * inner, count: inner, bias: layer.intermediateBias)
                add(s.residual + row * h, layer.outputBias, into: s.hidden + row * h, count: h)
            }
        }
        gemmByRows(workers: s.workers, minimumRows: Self.minimumGEMMRows, m: t, n: h, k: inner, a: s.intermediate,
                   lda: inner, b: layer.outputWeight, ldb: inner, transposeB: true, beta: 1, c: s.hidden, ldc: h)
        forEachRowChunk(t, workers: s.workers) { rows in
            for row in rows {
                layerNormalize(s.hidden + row * h, count: h, weight: layer.outputNormWeight,
                               bias: layer.outputNormBias, epsilon: eps)
            }
        }
    }

    /// One head of self-attention for one sequence (no mask: the packed batch has no padding):
    /// `softmax(Q Kᵀ / sqrt(d)) V` into the head's columns of `context`.
    private func attentionHead(_ head: Int, sequenceStart: Int, length n: Int,
                               scores: UnsafeMutablePointer<Float>, scratch s: EncoderScratch) {
        let h = configuration.hiddenSize
        let d = configuration.headSize
        let rows = s.qkv + sequenceStart * 3 * h
        let query = rows + head * d
        let key = rows + h + head * d
        let value = rows + 2 * h + head * d
        gemm(m: n, n: n, k: d, alpha: 1 / Float(d).squareRoot(), a: query, lda: 3 * h, b: key, ldb: 3 * h,
             transposeB: true, beta: 0, c: scores, ldc: n)
        // Softmax without its final division: P V is computed from exp(scores - max) and each output
        // row (d wide) is scaled by 1/sum afterwards, instead of scaling each n-wide score row.
        let inverseSums = scores + n * n
        for row in 0..<n { inverseSums[row] = exponentiateRow(scores + row * n, count: n) }
        let output = s.context + sequenceStart * h + head * d
        gemm(m: n, n: d, k: n, a: scores, lda: n, b: value, ldb: 3 * h, transposeB: false,
             beta: 0, c: output, ldc: h)
        for row in 0..<n {
            let target = output + row * h
            let scale = inverseSums[row]
            for c in 0..<d { target[c] *= scale }
        }
    }

    /// Mean (or CLS) pooling over the sequence's tokens, then L2 normalization (when `normalize`).
    private func pool(_ rows: UnsafePointer<Float>, tokens n: Int, into target: UnsafeMutablePointer<Float>,
                      normalize: Bool) {
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
        guard normalize else { return }
        var squares: Float = 0
        for i in 0..<h { squares += target[i] * target[i] }
        let inverse = 1 / max(squares.squareRoot(), 1e-12)
        for i in 0..<h { target[i] *= inverse }
    }
}
