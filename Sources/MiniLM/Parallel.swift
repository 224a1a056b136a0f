import COpenBLAS
import Dispatch

/// Runs `body(worker)` for `workers` workers at once (inline when there is one).
@inline(__always)
func runWorkers(_ workers: Int, _ body: (Int) -> Void) {
    if workers <= 1 { body(0); return }
    DispatchQueue.concurrentPerform(iterations: workers, execute: body)
}

/// Splits `0..<count` rows into one contiguous chunk per worker. Each row is processed by the same
/// code whatever the split, so results do not depend on the worker count.
@inline(__always)
func forEachRowChunk(_ count: Int, workers: Int, _ body: (Range<Int>) -> Void) {
    let chunks = min(workers, max(1, count / 16))
    runWorkers(chunks) { worker in
        body((count * worker / chunks)..<(count * (worker + 1) / chunks))
    }
}
