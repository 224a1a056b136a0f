@testable import MinHash
import XCTest

final class LSHParametersTests: XCTestCase {
    /// (threshold, permutations) -> (bands, rows, weighted error) from text-dedup's `optimal_param`
    /// (scipy.integrate.quad, weights 0.5 / 0.5), run with scipy 1.x in the benchmark venv.
    private let expected: [(Double, Int, Int, Int, Double)] = [
        (0.5, 64, 14, 4, 0.05250058474760111), (0.5, 128, 25, 5, 0.04373705032303579), (0.5, 256, 42, 6, 0.038045745494218186),
        (0.7, 112, 12, 9, 0.0377115154887156), (0.7, 128, 14, 9, 0.03625447781568908), (0.7, 256, 25, 10, 0.03201348779206281),
        (0.8, 64, 5, 11, 0.03483710600022857), (0.8, 112, 9, 12, 0.03018658525816699), (0.8, 128, 9, 13, 0.029296999607785656),
        (0.8, 256, 17, 15, 0.024936045298864232), (0.85, 128, 8, 16, 0.0242052567357741), (0.9, 128, 5, 25, 0.018438429481766272),
        (0.9, 256, 9, 28, 0.015567937681611408), (0.95, 128, 3, 42, 0.011074160904645101),
    ]

    func testChoosesWhatTextDedupsOptimalParamChooses() throws {
        for (threshold, permutations, bands, rows, error) in expected {
            let lsh = try LSHParameters(threshold: threshold, permutations: permutations)
            XCTAssertEqual(lsh.bands, bands, "\(threshold) \(permutations)")
            XCTAssertEqual(lsh.rows, rows, "\(threshold) \(permutations)")
            XCTAssertEqual(0.5 * lsh.falsePositiveArea + 0.5 * lsh.falseNegativeArea, error, accuracy: 1e-8)
        }
    }

    func testDescriptionVerificationCountAndErrors() throws {
        let lsh = try LSHParameters(threshold: 0.8, permutations: 128)
        XCTAssertTrue(lsh.description.hasPrefix("LSH 9 bands x 13 rows (117 of 128 permutations) for Jaccard >= 0.8"), lsh.description)
        XCTAssertEqual(lsh.minimumEqualEntries, 103)                  // 102 / 128 = 0.797
        XCTAssertEqual(try LSHParameters(threshold: 0.75, permutations: 128).minimumEqualEntries, 96)
        XCTAssertEqual(lsh.candidateProbability(0.9), 1 - pow(1 - pow(0.9, 13), 9), accuracy: 1e-12)
        XCTAssertThrowsError(try LSHParameters(threshold: 0, permutations: 128))
        XCTAssertThrowsError(try LSHParameters(threshold: 1.5, permutations: 128))
        XCTAssertThrowsError(try LSHParameters(bands: 10, rows: 13, threshold: 0.8, permutations: 128))
    }

    func testBandKeysSeparateBands() throws {
        let lsh = try LSHParameters(bands: 2, rows: 4, threshold: 0.8, permutations: 8)
        let same: [UInt32] = [1, 2, 3, 4, 1, 2, 3, 4]
        same.withUnsafeBufferPointer {
            XCTAssertNotEqual(lsh.bandKey($0.baseAddress!, band: 0), lsh.bandKey($0.baseAddress!, band: 1))
        }
    }
}
