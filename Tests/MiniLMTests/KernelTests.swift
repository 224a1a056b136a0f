import Foundation
import CMiniLMKernels
@testable import MiniLM
import XCTest

/// The element-wise kernels (softmax exponentials, bias + GELU, LayerNorm), portable Swift and
/// AVX-512 alike, against double-precision references, on row lengths that hit the 16-wide masked
/// tails (1...40) and the model's own widths.
final class KernelTests: XCTestCase {
    private let lengths = Array(1...40) + [63, 64, 65, 255, 256, 384, 1536]

    private func randomRow(_ count: Int, scale: Float, seed: inout UInt64) -> [Float] {
        (0..<count).map { _ in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Float(seed >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }

    /// Runs `body` with each available implementation: (name, kernel).
    private func implementations<F>(portable: F, avx512: F) -> [(String, F)] {
        var result = [("portable", portable)]
        if eg_avx512Available() { result.append(("avx512", avx512)) }
        return result
    }

    func testExponentiatedRowMatchesSoftmaxInDoubles() {
        var seed: UInt64 = 1
        let kernels = implementations(portable: exponentiateRowPortable, avx512: { eg_minilm_exp_row_avx512($0, Int32($1)) })
        for count in lengths {
            let row = randomRow(count, scale: 12, seed: &seed)
            let maximum = Double(row.max()!)
            let exps = row.map { Foundation.exp(Double($0) - maximum) }
            let sum = exps.reduce(0, +)
            for (name, kernel) in kernels {
                var values = row
                let inverse = values.withUnsafeMutableBufferPointer { kernel($0.baseAddress!, count) }
                for i in 0..<count {
                    XCTAssertEqual(Double(values[i]), exps[i], accuracy: 2e-7 * max(1, exps[i]), "\(name) n=\(count) i=\(i)")
                }
                XCTAssertEqual(Double(inverse), 1 / sum, accuracy: 1e-6 / sum, "\(name) n=\(count)")
            }
        }
    }

    func testBiasGELUMatchesErfFormInDoubles() {
        var seed: UInt64 = 2
        let kernels = implementations(portable: addBiasGELUPortable,
                                      avx512: { eg_minilm_bias_gelu_avx512($0, $2, Int32($1)) })
        for count in lengths {
            let row = randomRow(count, scale: 6, seed: &seed)
            let bias = randomRow(count, scale: 1, seed: &seed)
            for (name, kernel) in kernels {
                var values = row
                values.withUnsafeMutableBufferPointer { buffer in
                    bias.withUnsafeBufferPointer { kernel(buffer.baseAddress!, count, $0.baseAddress!) }
                }
                for i in 0..<count {
                    let x = Double(row[i]) + Double(bias[i])
                    let expected = 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
                    XCTAssertEqual(Double(values[i]), expected, accuracy: 1e-6 * max(1, abs(x)), "\(name) n=\(count) x=\(x)")
                }
            }
        }
    }

    func testLayerNormMatchesDoubles() {
        var seed: UInt64 = 3
        let kernels = implementations(
            portable: { layerNormalizePortable($0, count: $1, weight: $2, bias: $3, epsilon: 1e-12) },
            avx512: { eg_minilm_layer_norm_avx512($0, Int32($1), $2, $3, 1e-12) })
        for count in lengths where count > 1 {
            let row = randomRow(count, scale: 3, seed: &seed).map { $0 + 0.5 }
            let weight = randomRow(count, scale: 1, seed: &seed)
            let bias = randomRow(count, scale: 1, seed: &seed)
            let mean = row.reduce(0) { $0 + Double($1) } / Double(count)
            let variance = row.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count)
            for (name, kernel) in kernels {
                var values = row
                values.withUnsafeMutableBufferPointer { buffer in
                    weight.withUnsafeBufferPointer { w in
                        bias.withUnsafeBufferPointer { b in kernel(buffer.baseAddress!, count, w.baseAddress!, b.baseAddress!) }
                    }
                }
                for i in 0..<count {
                    let expected = (Double(row[i]) - mean) / (variance + 1e-12).squareRoot() * Double(weight[i]) + Double(bias[i])
                    XCTAssertEqual(Double(values[i]), expected, accuracy: 2e-6, "\(name) n=\(count) i=\(i)")
                }
            }
        }
    }

    /// The encoder uses the AVX-512 kernels exactly when the CPU has them (unless MINILM_KERNELS=portable).
    func testDispatchFollowsTheCPU() {
        let forcedPortable = ProcessInfo.processInfo.environment["MINILM_KERNELS"] == "portable"
        XCTAssertEqual(avx512Kernels, eg_avx512Available() && !forcedPortable)
    }
}

/// Whether this CPU runs the AVX-512 kernels (from the C target).
private func eg_avx512Available() -> Bool { eg_minilm_avx512_available() != 0 }
