import COpenBLAS
import Foundation
@testable import MiniLM
import XCTest

/// `OpenBLASRuntime.stopIdleThreads`: the thread server goes down, its threads leave the process,
/// and products stay right, with one thread and when a caller later asks for more (which starts the
/// server again).
final class OpenBLASRuntimeTests: XCTestCase {
    private func threadCount() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count
    }

    /// sgemm of an m×k by k×n product against a product summed in doubles.
    private func checkProduct(m: Int, n: Int, k: Int, file: StaticString = #filePath, line: UInt = #line) {
        var seed: UInt64 = 7
        func next() -> Float {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(seed >> 40) / Float(1 << 24) - 0.5
        }
        let a = (0..<(m * k)).map { _ in next() }, b = (0..<(k * n)).map { _ in next() }
        var c = [Float](repeating: 0, count: m * n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * n + j]) }
                worst = max(worst, abs(sum - Double(c[i * n + j])))
            }
        }
        XCTAssertLessThan(worst, 1e-4, "sgemm \(m)x\(k)x\(n) is wrong", file: file, line: line)
    }

    func testStoppingTheIdleThreadsKeepsProductsRight() throws {
        let wasRunning = try XCTUnwrap(OpenBLASRuntime.idleThreadServerRunning, "this OpenBLAS has no thread server (blas_server_avail)")
        let workers = Int(openblas_get_num_threads()) - 1
        let before = try threadCount()
        XCTAssertTrue(OpenBLASRuntime.stopIdleThreads(), "blas_thread_shutdown_ missing or the server still up")
        XCTAssertEqual(OpenBLASRuntime.idleThreadServerRunning, false)
        if wasRunning && workers > 0 {
            XCTAssertEqual(try threadCount(), before - workers, "the server's threads are still in the process")
        }
        OpenBLASRuntime.setThreads(1)
        checkProduct(m: 64, n: 48, k: 300)

        // A caller that asks for threads afterwards gets a working (restarted) server.
        OpenBLASRuntime.setThreads(2)
        checkProduct(m: 512, n: 384, k: 256)
        OpenBLASRuntime.setThreads(1)
        XCTAssertTrue(OpenBLASRuntime.stopIdleThreads())
        checkProduct(m: 33, n: 17, k: 129)
    }
}
