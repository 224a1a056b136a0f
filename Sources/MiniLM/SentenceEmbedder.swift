import Foundation

/// Sentence embeddings from a BERT sentence-transformer folder (all-MiniLM-L6-v2 and kin),
/// matching `SentenceTransformer.encode(..., normalize)`: WordPiece, BERT encoder, pooling, L2 norm.
///
/// Not thread-safe: one instance reuses its scratch buffers across calls; use one per thread.
public final class SentenceEmbedder {
    /// Length of each embedding (the model's hidden size).
    public let dimension: Int
    /// Word pieces per text including `[CLS]` and `[SEP]`; longer texts are truncated.
    public let maxSequenceLength: Int
    /// Stable identifier of the model files, for caching embeddings:
    /// folder name, safetensors size and a hash of its header and first MiB.
    public var modelIdentity: String { identity }
    /// The tokenizer the embedder uses (exposed for token counting and tests).
    public let tokenizer: WordPieceTokenizer

    /// The source model's hyper-parameters (the distillation reads its vocabulary size and casing).
    var configuration: ModelConfiguration { encoder.configuration }

    private let identity: String
    private let encoder: BertEncoder
    private let scratch: EncoderScratch

    /// Loads a model folder (see ``ModelLocator/resolve(_:)``).
    /// - Parameter threads: worker threads for attention and element-wise work, and OpenBLAS threads
    ///   for the linear layers (OpenBLAS's count is process-wide; `embed` re-applies it on each
    ///   batch); `nil` uses every active core. Results do not depend on it (see `embed`).
    /// - Throws: ``MiniLMError`` when files are missing (``MiniLMError/isModelMissing``) or invalid.
    public init(modelDirectory: URL, threads: Int? = nil) throws {
        try ModelLocator.checkComplete(modelDirectory)
        let configuration = try ModelConfiguration(folder: modelDirectory)
        let file = try SafeTensorsFile(url: modelDirectory.appendingPathComponent("model.safetensors"))
        let weights = try BertWeights(file: file, configuration: configuration)
        tokenizer = try WordPieceTokenizer(vocabularyURL: modelDirectory.appendingPathComponent("vocab.txt"),
                                           lowercase: configuration.lowercase,
                                           stripAccents: configuration.stripAccents,
                                           maxLength: configuration.maxSequenceLength)
        guard tokenizer.vocabulary.count <= configuration.vocabularySize,
              tokenizer.vocabulary.values.allSatisfy({ Int($0) < configuration.vocabularySize }) else {
            throw MiniLMError.invalid(modelDirectory.appendingPathComponent("vocab.txt"),
                                      "more tokens than vocab_size \(configuration.vocabularySize)")
        }
        dimension = configuration.hiddenSize
        maxSequenceLength = configuration.maxSequenceLength
        encoder = BertEncoder(configuration: configuration, weights: weights)
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        scratch = EncoderScratch(hiddenSize: configuration.hiddenSize,
                                 intermediateSize: configuration.intermediateSize, workers: workers)
        identity = "\(modelDirectory.standardizedFileURL.lastPathComponent)-\(file.fileSize)-"
            + String(file.fingerprint(), radix: 16)
        OpenBLASRuntime.setThreads(1)   // the encoder's workers split the products themselves
    }

    /// Embeds `texts`: a flat array of `texts.count * dimension` floats, L2-normalized, in input order.
    /// Texts are sorted by token count and processed `batchSize` at a time. Sequences are packed, never
    /// padded, so results do not depend on `batchSize` or the thread count: bitwise on OpenBLAS's
    /// SkylakeX kernels, within 2.4e-7 on its Haswell kernels (BatchInvarianceTests). Working memory is the
    /// result plus one batch's activations; for millions of texts, call this on chunks.
    public func embed(_ texts: [String], batchSize: Int = 32) -> [Float] {
        let sequences = texts.map(tokenizer.encode)
        return embed(tokenized: sequences, batchSize: batchSize)
    }

    /// Embeds already tokenized texts (output of ``WordPieceTokenizer/encode(_:)``).
    /// - Precondition: every sequence has 1...``maxSequenceLength`` ids, each within the vocabulary.
    public func embed(tokenized sequences: [[Int32]], batchSize: Int = 32) -> [Float] {
        embed(tokenized: sequences, batchSize: batchSize, normalize: true)
    }

    /// As ``embed(tokenized:batchSize:)``; with `normalize` false the pooled vectors keep their norms
    /// (the distillation's per-token outputs).
    func embed(tokenized sequences: [[Int32]], batchSize: Int, normalize: Bool) -> [Float] {
        let vocabularySize = encoder.configuration.vocabularySize
        precondition(sequences.allSatisfy { sequence in
            (1...maxSequenceLength).contains(sequence.count)
                && sequence.allSatisfy { $0 >= 0 && Int($0) < vocabularySize }
        }, "token sequences must have 1...\(maxSequenceLength) ids below \(vocabularySize)")
        let count = sequences.count
        var result = [Float](repeating: 0, count: count * dimension)
        guard count > 0 else { return result }
        // Longest first, ties in input order: similar lengths share a batch, order is deterministic.
        let order = sequences.indices.sorted {
            (sequences[$0].count, $1) > (sequences[$1].count, $0)
        }
        let step = max(1, batchSize)
        var batchOutput = [Float](repeating: 0, count: step * dimension)
        var start = 0
        while start < count {
            let indices = order[start..<min(start + step, count)]
            let batch = indices.map { sequences[$0] }
            batchOutput.withUnsafeMutableBufferPointer {
                encoder.embed(batch, scratch: scratch, output: $0.baseAddress!, normalize: normalize)
            }
            batchOutput.withUnsafeBufferPointer { source in
                result.withUnsafeMutableBufferPointer { target in
                    for (slot, index) in indices.enumerated() {
                        (target.baseAddress! + index * dimension)
                            .update(from: source.baseAddress! + slot * dimension, count: dimension)
                    }
                }
            }
            start += step
        }
        return result
    }
}
