import Foundation
@testable import MinHash
import SplitMix
import XCTest

final class MinHasherTests: XCTestCase {
    /// 1,000 random pairs of texts of distinct words, the second an edited copy of the first, whose true
    /// Jaccard (of word-5-gram sets) spreads over [0.1, 1]. Each estimate is the fraction of equal
    /// entries, a binomial(128, J) / 128 if the 32-bit entries behave as minima of random permutations: so
    /// the test checks the estimates against that distribution rather than a flat ±0.05 (at J = 0.5 the
    /// standard deviation is 0.044, and ±0.05 holds for only 78% of such pairs with 128 permutations).
    /// How many land within ±0.05 must match the binomial expectation (summed over the pairs' J) within
    /// 4 standard deviations; the mean error (bias) must be within 4 standard errors of 0.
    func testEstimateTracksTrueJaccardOnAThousandRandomPairs() throws {
        let hasher = try MinHasher()
        let shingler = Shingler(setting: .defaultSetting)
        var random = SplitMix64(seed: 2024)
        var pairs: [String] = []
        var truths: [Double] = []
        for i in 0..<1000 {
            let n = 40 + Int(random.next() % 200)
            let words = (0..<n).map { "p\(i)w\($0)x\(random.next() % 1000)" }
            var edited = words
            let edits = Int(random.next() % UInt64(max(1, n / 6) + 1))
            for e in 0..<edits {
                let position = Int(random.next() % UInt64(edited.count))
                switch random.next() % 3 {
                case 0: edited[position] = "sub\(e)"
                case 1: if edited.count > 6 { edited.remove(at: position) }
                default: edited.insert("ins\(e)", at: position)
                }
            }
            let a = words.joined(separator: " ")
            let b = edited.joined(separator: " ")
            pairs += [a, b]
            truths.append(Self.jaccard(Set(shingler.shingles(a)), Set(shingler.shingles(b))))
        }
        let signatures = hasher.signatures(of: pairs)
        var within = 0
        var expectedWithin = 0.0
        var varianceWithin = 0.0
        var errorSum = 0.0
        var errorVariance = 0.0
        var absoluteSum = 0.0
        var highWithin = 0
        var highCount = 0
        for (i, truth) in truths.enumerated() {
            let estimate = signatures.similarity(2 * i, 2 * i + 1)
            let error = estimate - truth
            if abs(error) <= 0.05 { within += 1 }
            let probability = Self.binomialProbability(trials: 128, p: truth) { abs(Double($0) / 128 - truth) <= 0.05 }
            expectedWithin += probability
            varianceWithin += probability * (1 - probability)
            errorSum += error
            errorVariance += truth * (1 - truth) / 128
            absoluteSum += abs(error)
            if truth >= 0.9 {
                highCount += 1
                if abs(error) <= 0.05 { highWithin += 1 }
            }
            if truth == 1 { XCTAssertEqual(estimate, 1) }
        }
        print("estimate vs true Jaccard, 1000 pairs, 128 permutations: within ±0.05 \(within) (binomial expectation " +
              "\(Int(expectedWithin.rounded()))), mean |error| \(absoluteSum / 1000), bias \(errorSum / 1000); " +
              "pairs with J >= 0.9: \(highWithin) of \(highCount) within ±0.05")
        XCTAssertEqual(truths.filter { $0 < 0.5 }.count > 50 && truths.filter { $0 > 0.9 }.count > 50, true, "J spreads")
        XCTAssertEqual(Double(within), expectedWithin, accuracy: 4 * varianceWithin.squareRoot())
        XCTAssertEqual(errorSum / 1000, 0, accuracy: 4 * errorVariance.squareRoot() / 1000)
        XCTAssertLessThan(absoluteSum / 1000, 0.035)
    }

    /// P(predicate(X)) for X ~ binomial(trials, p).
    static func binomialProbability(trials: Int, p: Double, where predicate: (Int) -> Bool) -> Double {
        if p <= 0 { return predicate(0) ? 1 : 0 }
        if p >= 1 { return predicate(trials) ? 1 : 0 }
        var total = 0.0
        for k in 0...trials where predicate(k) {
            let logChoose = lgamma(Double(trials + 1)) - lgamma(Double(k + 1)) - lgamma(Double(trials - k + 1))
            total += exp(logChoose + Double(k) * log(p) + Double(trials - k) * log(1 - p))
        }
        return total
    }

    func testSignaturesDoNotDependOnWorkersOrBatches() throws {
        let hasher = try MinHasher()
        var random = SplitMix64(seed: 5)
        let texts = (0..<1000).map { _ in (0..<Int(random.next() % 60)).map { _ in "t\(random.next() % 300)" }.joined(separator: " ") }
        let one = hasher.signatures(of: texts, workers: 1)
        XCTAssertEqual(hasher.signatures(of: texts, workers: 2), one)
        XCTAssertEqual(hasher.signatures(of: texts, workers: 5), one)
        var batched = MinHashSignatures(permutations: 128)
        var start = 0
        for size in [1, 7, 100, 333, 1000] where start < texts.count {
            let end = min(texts.count, start + size)
            batched.append(contentsOf: hasher.signatures(of: Array(texts[start..<end]), workers: 2))
            start = end
        }
        XCTAssertEqual(batched, one)
    }

    func testShortTextsGetOneShingle() throws {
        let hasher = try MinHasher()
        let s = hasher.signatures(of: ["Hello world", "hello,  WORLD!", "hello there", "a", "a", ""])
        XCTAssertEqual(s.similarity(0, 1), 1)               // same words: same single shingle
        XCTAssertLessThan(s.similarity(0, 2), 0.05)          // one shingle each, different
        XCTAssertEqual(s.similarity(3, 4), 1)
        XCTAssertLessThan(s.similarity(3, 5), 0.05)
        XCTAssertEqual(Set(s[0]).count > 100, true)          // a real signature, not a constant
    }

    func testSerialisationRoundTripsAndChecksLength() throws {
        let signatures = try MinHasher(permutations: 64).signatures(of: ["one two three four five six", "x"])
        var back = MinHashSignatures(permutations: 64)
        for row in 0..<2 {
            let bytes = signatures.bytes(row: row)
            XCTAssertEqual(bytes.count, 256)
            XCTAssertEqual(signatures.withBytes(row: row) { Array($0) }, bytes)
            XCTAssertEqual(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24, signatures[row].first)
            try back.append(bytes: bytes)
        }
        XCTAssertEqual(back, signatures)
        XCTAssertThrowsError(try back.append(bytes: [UInt8](repeating: 0, count: 255))) { error in
            XCTAssertTrue("\(error)".contains("255 bytes, expected 256"), "\(error)")
        }
    }

    /// The cache key changes with everything the bytes depend on and with nothing else.
    func testCacheKey() throws {
        let base = try MinHasher()
        let keys = [base.cacheKey,
                    try MinHasher(permutations: 256).cacheKey,
                    try MinHasher(seed: 2).cacheKey,
                    try MinHasher(setting: ShingleSetting(parsing: "words:4")).cacheKey,
                    try MinHasher(setting: ShingleSetting(parsing: "chars:5")).cacheKey]
        XCTAssertEqual(Set(keys).count, keys.count)
        XCTAssertEqual(try MinHasher(kernel: .portable).cacheKey, base.cacheKey)
        XCTAssertTrue(base.cacheKey.contains("words:5") && base.cacheKey.contains("perms=128"))
        XCTAssertThrowsError(try MinHasher(permutations: 0))
        XCTAssertThrowsError(try MinHasher(permutations: 1025))
    }

    static func jaccard<T>(_ a: Set<T>, _ b: Set<T>) -> Double {
        Double(a.intersection(b).count) / Double(a.union(b).count)
    }
}
