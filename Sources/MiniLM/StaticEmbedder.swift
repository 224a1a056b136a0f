import CMiniLMKernels
import Foundation

/// Sentence embeddings from a static model (`entropyguard distill`), as model2vec's
/// `StaticModel.encode` computes them: the text's word pieces by the source model's WordPiece
/// tokenizer without `[CLS]`/`[SEP]`, `[UNK]` left out, at most ``maxTokens`` of them; the mean of
/// their rows of the embedding table (the SIF weights are already in the rows); L2-normalized.
/// A text with no word piece left gets the zero vector, which is never similar to anything.
///
/// Thread-safe (the table is read-only); `embed` splits large inputs over the cores itself.
public final class StaticEmbedder: @unchecked Sendable {
    public let dimension: Int
    public let configuration: StaticModelConfiguration
    /// Same tokenizer as the source model, truncating at ``maxTokens`` word pieces.
    public let tokenizer: WordPieceTokenizer
    public var maxTokens: Int { configuration.maxTokens }

    private let file: SafeTensorsFile
    private let table: UnsafePointer<Float>
    private let vocabularySize: Int
    private let unknownID: Int32
    private let workers: Int
    /// Texts per work item when `embed` runs on several threads.
    public static let textsPerTask = 512
    /// Table rows are prefetched this many word pieces ahead of the one being summed.
    static let prefetchDistance = 4

    /// Loads a static model folder (config.json with `kind: static`, vocab.txt, model.safetensors).
    public init(modelDirectory: URL, threads: Int? = nil) throws {
        try ModelLocator.checkComplete(modelDirectory)
        configuration = try StaticModelConfiguration(folder: modelDirectory)
        let vocabularyURL = modelDirectory.appendingPathComponent("vocab.txt")
        let vocabulary = try VocabularyFile(url: vocabularyURL)
        guard vocabulary.tokens.count <= configuration.vocabularySize else {
            throw MiniLMError.invalid(vocabularyURL, "more tokens than vocab_size \(configuration.vocabularySize)")
        }
        unknownID = try vocabulary.id(of: "[UNK]")
        // [CLS] and [SEP] framing is added by `encode` and removed again below.
        tokenizer = try WordPieceTokenizer(vocabularyURL: vocabularyURL, lowercase: configuration.lowercase,
                                           maxLength: configuration.maxTokens + 2)
        file = try SafeTensorsFile(url: modelDirectory.appendingPathComponent("model.safetensors"))
        table = try file.floats("embeddings", shape: [configuration.vocabularySize, configuration.dimension])
        dimension = configuration.dimension
        vocabularySize = configuration.vocabularySize
        workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Embeds `texts`: `texts.count * dimension` floats in input order. `batchSize` is ignored (each
    /// text is embedded on its own; the parameter keeps the call the same as ``SentenceEmbedder``'s).
    public func embed(_ texts: [String], batchSize: Int = 0) -> [Float] {
        let d = dimension
        var result = [Float](repeating: 0, count: texts.count * d)
        result.withUnsafeMutableBufferPointer { output in
            let base = output.baseAddress!
            let tasks = (texts.count + Self.textsPerTask - 1) / Self.textsPerTask
            let run = { (task: Int) in
                // One id buffer per work item, reused for its texts: nothing is allocated per text.
                var ids: [Int32] = []
                ids.reserveCapacity(self.maxTokens)
                let end = min(texts.count, (task + 1) * Self.textsPerTask)
                for index in (task * Self.textsPerTask)..<end {
                    self.embed(texts[index], into: base + index * d, ids: &ids)
                }
            }
            if workers == 1 || tasks <= 1 {
                for task in 0..<tasks { run(task) }
            } else {
                DispatchQueue.concurrentPerform(iterations: tasks, execute: run)
            }
        }
        return result
    }

    /// One text's vector into `target` (`dimension` floats).
    public func embed(_ text: String, into target: UnsafeMutablePointer<Float>) {
        var ids: [Int32] = []
        embed(text, into: target, ids: &ids)
    }

    /// One text's vector into `target`, tokenizing into `ids` (a caller's buffer, reused across texts).
    /// The word pieces alone (`addSpecialTokens: false`), at most ``maxTokens``: the ids `encode(_:)`
    /// gives between its `[CLS]` and `[SEP]` (the reference-id tests hold both), without building them.
    public func embed(_ text: String, into target: UnsafeMutablePointer<Float>, ids: inout [Int32]) {
        tokenizer.encode(text, into: &ids, maxLength: maxTokens, addSpecialTokens: false)
        let d = dimension
        target.update(repeating: 0, count: d)
        // The ids that have a row, compacted in place (same order).
        var count = 0
        ids.withUnsafeMutableBufferPointer { ids in
            for id in ids where id != unknownID && Int(id) < vocabularySize && id >= 0 {
                ids[count] = id
                count += 1
            }
        }
        guard count > 0 else { return }
        let vectorEnd = d - d % 8
        let rowBytes = Int32(d * MemoryLayout<Float>.stride)
        ids.withUnsafeBufferPointer { ids in
            for k in 0..<min(Self.prefetchDistance, count) { eg_minilm_prefetch(table + Int(ids[k]) * d, rowBytes) }
            for k in 0..<count {
                if k + Self.prefetchDistance < count {
                    eg_minilm_prefetch(table + Int(ids[k + Self.prefetchDistance]) * d, rowBytes)
                }
                let row = table + Int(ids[k]) * d
                // Eight dimensions at a time (the compiler cannot vectorize the scalar loop: it must assume
                // `target` and `row` overlap). Each dimension still sums its tokens in order.
                var i = 0
                while i < vectorEnd {
                    let sum = UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<Float>.self)
                        + UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD8<Float>.self)
                    i += 8
                }
                while i < d { target[i] += row[i]; i += 1 }
            }
        }
        // The mean's 1/count cancels in the normalization; it is applied anyway so the vector before
        // normalizing is model2vec's mean (same rounding path as its float32 mean, up to order).
        let inverseCount = 1 / Float(count)
        var squares: Float = 0
        for i in 0..<d {
            target[i] *= inverseCount
            squares += target[i] * target[i]
        }
        guard squares > 0 else { return }
        let inverse = 1 / squares.squareRoot()
        for i in 0..<d { target[i] *= inverse }
    }
}
