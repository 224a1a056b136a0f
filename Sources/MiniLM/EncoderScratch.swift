/// Activation buffers for one batch, grown on demand and reused across batches so the forward
/// pass allocates nothing per row. Sized by the batch's token count, so memory is bounded by
/// batch size times sequence length.
final class EncoderScratch {
    let workers: Int
    private(set) var tokenCapacity = 0
    private(set) var sequenceCapacity = 0
    private(set) var hidden: UnsafeMutablePointer<Float>       // [T x H]
    private(set) var qkv: UnsafeMutablePointer<Float>          // [T x 3H]
    private(set) var context: UnsafeMutablePointer<Float>      // [T x H]
    private(set) var residual: UnsafeMutablePointer<Float>     // [T x H]
    private(set) var intermediate: UnsafeMutablePointer<Float> // [T x I]
    /// One `[L x L]` attention-score matrix (plus L per-row inverse sums) per worker thread.
    private(set) var scores: [UnsafeMutablePointer<Float>]
    private let hiddenSize: Int
    private let intermediateSize: Int

    init(hiddenSize: Int, intermediateSize: Int, workers: Int) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.workers = max(1, workers)
        hidden = .allocate(capacity: 1)
        qkv = .allocate(capacity: 1)
        context = .allocate(capacity: 1)
        residual = .allocate(capacity: 1)
        intermediate = .allocate(capacity: 1)
        scores = (0..<self.workers).map { _ in .allocate(capacity: 1) }
    }

    deinit {
        releaseTokenBuffers()
        scores.forEach { $0.deallocate() }
    }

    /// Makes room for `tokens` packed tokens and sequences of up to `longest` tokens.
    func reserve(tokens: Int, longest: Int) {
        if tokens > tokenCapacity {
            releaseTokenBuffers()
            hidden = .allocate(capacity: tokens * hiddenSize)
            qkv = .allocate(capacity: tokens * hiddenSize * 3)
            context = .allocate(capacity: tokens * hiddenSize)
            residual = .allocate(capacity: tokens * hiddenSize)
            intermediate = .allocate(capacity: tokens * intermediateSize)
            tokenCapacity = tokens
        }
        if longest > sequenceCapacity {
            scores.forEach { $0.deallocate() }
            scores = (0..<workers).map { _ in .allocate(capacity: longest * (longest + 1)) }
            sequenceCapacity = longest
        }
    }

    private func releaseTokenBuffers() {
        hidden.deallocate(); qkv.deallocate(); context.deallocate()
        residual.deallocate(); intermediate.deallocate()
    }
}
