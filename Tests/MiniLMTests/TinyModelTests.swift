import Foundation
@testable import MiniLM
import XCTest

/// Loading and running generated BERT models whose dimensions differ from all-MiniLM-L6-v2:
/// hyper-parameters must come from the config files, not constants.
final class TinyModelTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("minilm-tiny-\(UUID().uuidString)", isDirectory: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private let texts = [
        "The cat sat on the mat.", "dogs ran fast!", "a big red ball", "jumping cats played", "x y z",
        "the the the the the the the the the the the the the the", "", "[CLS] cat [MASK] dog", "unknownword cat",
    ]

    private func check(_ model: inout TinyBertModel, file: StaticString = #filePath, line: UInt = #line) throws {
        try model.write(to: folder)
        let embedder = try SentenceEmbedder(modelDirectory: folder, threads: 1)
        XCTAssertEqual(embedder.dimension, model.hidden, file: file, line: line)
        XCTAssertEqual(embedder.maxSequenceLength, min(model.maxSequenceLength, model.maxPositions),
                       file: file, line: line)
        let vectors = embedder.embed(texts, batchSize: 4)
        XCTAssertEqual(vectors.count, texts.count * model.hidden, file: file, line: line)
        for (index, text) in texts.enumerated() {
            let ids = embedder.tokenizer.encode(text)
            XCTAssertLessThanOrEqual(ids.count, embedder.maxSequenceLength, file: file, line: line)
            let expected = model.referenceEmbedding(ids)
            let got = vectors[(index * model.hidden)..<((index + 1) * model.hidden)]
            let (cosine, difference) = compare(got, expected[...])
            XCTAssertGreaterThan(cosine, 0.99999, "text \(index)", file: file, line: line)
            XCTAssertLessThan(difference, 1e-4, "text \(index)", file: file, line: line)
        }
    }

    func testHiddenSize768ModelMatchesNaiveForwardPass() throws {
        var model = TinyBertModel(hidden: 768, heads: 12, layers: 1, intermediate: 96, maxPositions: 32,
                                  maxSequenceLength: 16)
        try check(&model)
    }

    func testSmallF16ModelWithBertPrefixAndTruncation() throws {
        var model = TinyBertModel(hidden: 48, heads: 3, layers: 3, intermediate: 80, maxPositions: 12,
                                  maxSequenceLength: 64, layerNormEpsilon: 1e-5, halfPrecision: true,
                                  bertPrefix: true, seed: 7)
        try check(&model)  // max_seq_length 64 is capped at 12 positions
    }

    func testMissingTensorIsAnInvalidModelError() throws {
        var model = TinyBertModel(hidden: 16, heads: 2, layers: 1, intermediate: 32, maxPositions: 8,
                                  maxSequenceLength: 8)
        try model.write(to: folder)
        let config = folder.appendingPathComponent("config.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
        object["num_hidden_layers"] = 2
        try JSONSerialization.data(withJSONObject: object).write(to: config)
        XCTAssertThrowsError(try SentenceEmbedder(modelDirectory: folder)) { error in
            let error = error as! MiniLMError
            XCTAssertFalse(error.isModelMissing)
            XCTAssertTrue(error.description.contains("encoder.layer.1"), error.description)
        }
    }

    func testHalfToFloatConversion() {
        XCTAssertEqual(SafeTensorsFile.halfToFloat(0x3C00), 1)
        XCTAssertEqual(SafeTensorsFile.halfToFloat(0xC000), -2)
        XCTAssertEqual(SafeTensorsFile.halfToFloat(0x0001), Float(Float16(bitPattern: 1)))
        XCTAssertEqual(SafeTensorsFile.halfToFloat(0x7BFF), 65504)
        XCTAssertEqual(SafeTensorsFile.halfToFloat(0x7C00), .infinity)
        for bits in stride(from: UInt16(0), to: 0x7C00, by: 97) {
            XCTAssertEqual(SafeTensorsFile.halfToFloat(bits), Float(Float16(bitPattern: bits)))
        }
    }
}
