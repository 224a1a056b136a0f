import Dispatch
import Foundation

/// Splits independent pieces of search work over a few threads. Each worker produces its own
/// result and results are combined in worker order, so the outcome never depends on timing.
enum SearchWorkers {
    /// Threads used for list scans and centroid ranking: `ENTROPYGUARD_SEARCH_THREADS` if set,
    /// else the active processors (at most 4). Results are the same for any value.
    static let count: Int = {
        if let text = ProcessInfo.processInfo.environment["ENTROPYGUARD_SEARCH_THREADS"], let n = Int(text), n > 0 {
            return n
        }
        return max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    }()

    /// Runs `work(w)` for w in 0..<workers concurrently and returns the results in order of w.
    static func map<T>(_ workers: Int, _ work: (Int) -> T) -> [T] {
        guard workers > 1 else { return [work(0)] }
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: workers)
        slots.initialize(repeating: nil)
        defer { slots.deallocate() }
        DispatchQueue.concurrentPerform(iterations: workers) { w in slots[w] = work(w) }
        return slots.map { $0! }
    }
}
