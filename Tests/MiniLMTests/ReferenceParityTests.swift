import MiniLM
import XCTest

/// Token ids and embeddings against sentence-transformers on the 204 reference texts.
final class ReferenceParityTests: XCTestCase {
    func testTokenIDsMatchBertTokenizerFastForEveryText() throws {
        let directory = try ReferenceData.modelDirectory()
        let tokenizer = try WordPieceTokenizer(vocabularyURL: directory.appendingPathComponent("vocab.txt"),
                                               lowercase: true, maxLength: 256)
        let texts = try ReferenceData.sentences()
        let expected = try ReferenceData.tokenIDs()
        XCTAssertEqual(texts.count, 204)
        XCTAssertEqual(expected.count, texts.count)
        var mismatches = 0
        for (index, (text, ids)) in zip(texts, expected).enumerated() {
            let got = tokenizer.encode(text)
            if got != ids {
                mismatches += 1
                XCTFail("text \(index) \(text.debugDescription.prefix(80)): got \(got.prefix(40)), expected \(ids.prefix(40))")
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testEmbeddingsMatchSentenceTransformers() throws {
        let embedder = try SentenceEmbedder(modelDirectory: ReferenceData.modelDirectory())
        XCTAssertEqual(embedder.dimension, 384)
        XCTAssertEqual(embedder.maxSequenceLength, 256)
        let texts = try ReferenceData.sentences()
        let got = embedder.embed(texts, batchSize: 32)
        for reference in ["embeddings.npy", "embeddings_b1.npy"] {
            let (shape, expected) = try ReferenceData.npy(reference)
            XCTAssertEqual(shape, [texts.count, 384])
            var worstCosine = 1.0
            var worstDifference: Float = 0
            for row in 0..<texts.count {
                let range = (row * 384)..<((row + 1) * 384)
                let (cosine, difference) = compare(got[range], expected[range])
                worstCosine = min(worstCosine, cosine)
                worstDifference = max(worstDifference, difference)
                XCTAssertGreaterThanOrEqual(cosine, 0.9999, "\(reference) row \(row)")
                XCTAssertLessThanOrEqual(difference, 1e-4, "\(reference) row \(row)")
            }
            print("parity vs \(reference): min cosine \(worstCosine), max abs diff \(worstDifference)")
        }
    }
}
