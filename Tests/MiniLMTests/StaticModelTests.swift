import Foundation
@testable import MiniLM
import XCTest

/// The static-model distillation (model2vec's method) on generated BERT models, checked against the
/// naive forward pass; the config file; the eigen-decomposition it relies on.
final class StaticModelTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("minilm-static-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func tinySource(seed: UInt64 = 3) throws -> (TinyBertModel, URL) {
        var model = TinyBertModel(hidden: 16, heads: 2, layers: 2, intermediate: 24, maxPositions: 16,
                                  maxSequenceLength: 16, seed: seed)
        let source = folder.appendingPathComponent("source")
        try model.write(to: source)
        return (model, source)
    }

    private func table(_ folder: URL, _ configuration: StaticModelConfiguration) throws -> [Float] {
        let file = try SafeTensorsFile(url: folder.appendingPathComponent("model.safetensors"))
        let pointer = try file.floats("embeddings", shape: [configuration.vocabularySize, configuration.dimension])
        return Array(UnsafeBufferPointer(start: pointer, count: configuration.vocabularySize * configuration.dimension))
    }

    /// Same model twice (one and two encoder threads): the same bytes.
    func testDistillationIsDeterministic() throws {
        let (_, source) = try tinySource()
        let a = folder.appendingPathComponent("a/model"), b = folder.appendingPathComponent("b/model")
        _ = try StaticModelDistiller(source: source, dimension: 8).distill(into: a, threads: 1)
        _ = try StaticModelDistiller(source: source, dimension: 8).distill(into: b, threads: 2)
        for name in ["model.safetensors", "config.json", "vocab.txt"] {
            XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent(name)), try Data(contentsOf: b.appendingPathComponent(name)), name)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("a").path), ["model"],
                       "no staging folder left")
    }

    /// With as many components as inputs, PCA is a rotation of the centred data: the rows divided by
    /// their SIF weights have the same pairwise dot products as the centred mean-pooled outputs of
    /// `[CLS] token [SEP]` computed by the naive forward pass. With fewer components, the kept ones
    /// are the leading ones: the same columns (sign rule included), variance descending, uncorrelated.
    func testRowsAreRotatedCentredTokenOutputsWeightedByRank() throws {
        let (model, source) = try tinySource()
        let full = folder.appendingPathComponent("full")
        let configuration = try StaticModelDistiller(source: source, dimension: 16).distill(into: full, threads: 1)
        let vocabulary = TinyBertModel.vocabulary
        XCTAssertEqual(configuration.distilledTokens, vocabulary.count)
        XCTAssertEqual(configuration.vocabularySize, vocabulary.count)
        let rows = try table(full, configuration)
        let weights = StaticModelDistiller.sifWeights(count: vocabulary.count, coefficient: StaticModelDistiller.sifCoefficient)
        let cls: Int32 = 2, sep: Int32 = 3, h = 16, n = vocabulary.count
        var reference = (0..<n).flatMap { model.referenceEmbedding([cls, Int32($0), sep], normalize: false).map(Double.init) }
        for column in 0..<h {
            let mean = (0..<n).map { reference[$0 * h + column] }.reduce(0, +) / Double(n)
            for row in 0..<n { reference[row * h + column] -= mean }
        }
        func dot(_ x: [Double], _ i: Int, _ j: Int, width: Int) -> Double {
            (0..<width).map { x[i * width + $0] * x[j * width + $0] }.reduce(0, +)
        }
        let unweighted = (0..<(n * h)).map { Double(rows[$0]) / weights[$0 / h] }
        var worst = 0.0
        for i in 0..<n { for j in i..<n {
            worst = max(worst, abs(dot(unweighted, i, j, width: h) - dot(reference, i, j, width: h)))
        } }
        XCTAssertLessThan(worst, 2e-3, "Gram matrices differ")
        XCTAssertEqual(configuration.explainedVarianceRatio, 1, accuracy: 1e-6)

        let reduced = folder.appendingPathComponent("reduced")
        let small = try StaticModelDistiller(source: source, dimension: 5).distill(into: reduced, threads: 1)
        let reducedRows = try table(reduced, small)
        XCTAssertLessThan(small.explainedVarianceRatio, 1)
        var variances: [Double] = []
        for column in 0..<5 {
            let values = (0..<n).map { Double(reducedRows[$0 * 5 + column]) / weights[$0] }
            for row in 0..<n { XCTAssertEqual(values[row], unweighted[row * h + column], accuracy: 1e-4) }
            XCTAssertEqual(values.reduce(0, +) / Double(n), 0, accuracy: 1e-4, "centred")
            variances.append(values.map { $0 * $0 }.reduce(0, +))
            for other in 0..<column {
                let covariance = (0..<n).map { values[$0] * Double(reducedRows[$0 * 5 + other]) / weights[$0] }.reduce(0, +)
                XCTAssertEqual(covariance, 0, accuracy: 1e-3, "components \(other) and \(column) correlated")
            }
        }
        XCTAssertEqual(variances, variances.sorted(by: >))
    }

    /// model2vec's compute_weights, by its formula: a / (a + p), p ∝ 1 / (rank + 2).
    func testSIFWeights() {
        let weights = StaticModelDistiller.sifWeights(count: 4, coefficient: 0.1)
        let inverse = [1 / 2.0, 1 / 3.0, 1 / 4.0, 1 / 5.0]
        let total = inverse.reduce(0, +)
        for (weight, value) in zip(weights, inverse) { XCTAssertEqual(weight, 0.1 / (0.1 + value / total), accuracy: 1e-15) }
        XCTAssertEqual(weights, weights.sorted(), "rarer tokens weigh more")
    }

    func testPlaceholderPatternIsModel2VecsRegexMatch() {
        for token in ["[unused0]", "[unused993]", "[unused12]x"] { XCTAssertTrue(VocabularyFile.isPlaceholder(token), token) }
        for token in ["[unused]", "unused0]", "[unusedX]", "[UNK]", "[unused1", "x[unused1]"] {
            XCTAssertFalse(VocabularyFile.isPlaceholder(token), token)
        }
    }

    func testConfigurationRoundTripAndRejections() throws {
        let configuration = StaticModelConfiguration(
            name: "m", sourceModel: "src", sourceIdentity: "src-1-ab", dimension: 7, vocabularySize: 30,
            distilledTokens: 29, sifCoefficient: 1e-4, explainedVarianceRatio: 0.5, maxTokens: 512, lowercase: true,
            recommendedThreshold: 0.9)
        try configuration.encoded().write(to: folder.appendingPathComponent("config.json"))
        XCTAssertEqual(try StaticModelConfiguration(folder: folder), configuration)
        XCTAssertEqual(EmbeddingModelKind.of(folder), .static)
        XCTAssertEqual(EmbeddingModel.recommendedThreshold(folder), 0.9)
        let text = try String(contentsOf: folder.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(text.contains("\"kind\" : \"static\""), text)
        XCTAssertTrue(text.contains("\"recommended_threshold\" : 0.9"), text)

        for (from, to) in [("\"format_version\" : 1", "\"format_version\" : 99"),
                           ("\"recommended_threshold\" : 0.9", "\"recommended_threshold\" : 1.5"),
                           ("\"dimension\" : 7", "\"dimension\" : \"7\"")] {
            try text.replacingOccurrences(of: from, with: to).write(to: folder.appendingPathComponent("config.json"), atomically: false, encoding: .utf8)
            XCTAssertThrowsError(try StaticModelConfiguration(folder: folder), to) { error in
                XCTAssertEqual((error as? MiniLMError)?.kind, .invalidModel)
            }
        }
        // A transformer's config is not a static model's.
        let (_, source) = try tinySource()
        XCTAssertEqual(EmbeddingModelKind.of(source), .transformer)
        XCTAssertNil(EmbeddingModel.recommendedThreshold(source))
        XCTAssertTrue(try EmbeddingModel.load(source, threads: 1) is SentenceEmbedder)
    }

    /// A distilled folder loads as a static model; a second distillation with the same settings is
    /// current (nothing to redo), another dimension is not.
    func testDistilledFolderLoadsAndIsCurrent() throws {
        let (_, source) = try tinySource()
        let target = folder.appendingPathComponent("static")
        let distiller = StaticModelDistiller(source: source, dimension: 6)
        XCTAssertFalse(try distiller.isCurrent(at: target))
        _ = try distiller.distill(into: target, threads: 1)
        XCTAssertTrue(try distiller.isCurrent(at: target))
        XCTAssertFalse(try StaticModelDistiller(source: source, dimension: 5).isCurrent(at: target))
        let embedder = try XCTUnwrap(try EmbeddingModel.load(target) as? StaticEmbedder)
        XCTAssertEqual(embedder.dimension, 6)
        let vectors = embedder.embed(["the cat sat", "x y z", "", "unknownword"])
        for index in 0..<2 {
            let norm = vectors[(index * 6)..<((index + 1) * 6)].map { $0 * $0 }.reduce(0, +)
            XCTAssertEqual(norm, 1, accuracy: 1e-5)
        }
        XCTAssertEqual(Array(vectors[12..<24]), [Float](repeating: 0, count: 12), "no known word piece: zero vector")
        XCTAssertThrowsError(try StaticModelDistiller(source: source, dimension: 17).distill(into: target)) { error in
            XCTAssertTrue(error is StaticModelDistiller.DimensionOutOfRange, "\(error)")
        }
    }

    /// dsyevd through our prototype: A V = V Λ, V orthonormal, values descending.
    func testSymmetricEigenDecomposition() throws {
        let n = 40
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n {
            let value = sin(Double(i * 7 + j * 3)) + (i == j ? Double(i) : 0)
            a[i * n + j] = value; a[j * n + i] = value
        } }
        let eigen = try SymmetricEigen(symmetric: a, n: n)
        XCTAssertEqual(eigen.values, eigen.values.sorted(by: >))
        for k in 0..<n {
            let v = Array(eigen.vectors[(k * n)..<((k + 1) * n)])
            XCTAssertGreaterThan(v.max()!, -v.min()!, "largest magnitude entry positive")
            for i in 0..<n {
                let av = (0..<n).map { a[i * n + $0] * v[$0] }.reduce(0, +)
                XCTAssertEqual(av, eigen.values[k] * v[i], accuracy: 1e-9)
            }
            for other in 0...k {
                let w = eigen.vectors[(other * n)..<((other + 1) * n)]
                XCTAssertEqual(zip(v, w).map(*).reduce(0, +), other == k ? 1 : 0, accuracy: 1e-12)
            }
        }
    }
}
