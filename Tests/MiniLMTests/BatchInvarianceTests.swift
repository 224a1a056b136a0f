import MiniLM
import XCTest

/// A text's embedding must not depend on the batch it is in or on the OpenBLAS thread count.
final class BatchInvarianceTests: XCTestCase {
    func testEmbeddingsIndependentOfBatchSizeAndThreads() throws {
        let directory = try ReferenceData.modelDirectory()
        // Every 4th reference text keeps the debug-build test short while mixing empty, odd and
        // 256-token texts; the order is scrambled so batches mix lengths.
        let all = try ReferenceData.sentences()
        let texts = stride(from: 0, to: all.count, by: 4).map { all[$0] }.reversed() + [all[200], all[201]]
        var baseline: [Float]?
        for threads in [1, 2] {
            let embedder = try SentenceEmbedder(modelDirectory: directory, threads: threads)
            for batchSize in [1, 7, 32] {
                let vectors = embedder.embed(Array(texts), batchSize: batchSize)
                guard let reference = baseline else { baseline = vectors; continue }
                let worst = zip(vectors, reference).map { abs($0 - $1) }.max() ?? 0
                print("threads \(threads) batch \(batchSize): max abs diff to threads 1 batch 1 = \(worst)"
                      + (vectors == reference ? " (bitwise equal)" : ""))
                XCTAssertLessThanOrEqual(worst, 1e-6, "threads \(threads) batch \(batchSize)")
                // Packing (no padding inside a batch) plus the encoder's minimum GEMM height keep
                // every text on the same BLAS kernels, so equality is exact.
                XCTAssertEqual(vectors, reference, "threads \(threads) batch \(batchSize): not bitwise equal")
            }
        }
    }
}
