import Dispatch
import Foundation

/// Splits independent pieces of search work over a few threads. Each worker produces its own
/// result and results are combined in worker order, so the outcome never depends on timing.
enum SearchWorkers {
    /// Threads used for list scans, centroid ranking and `overlapping`: `ENTROPYGUARD_SEARCH_THREADS` if
    /// set, else the active processors (at most 4). Results are the same for any value (tests set it).
    static var count: Int = {
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

    /// Runs `side` on a worker thread while `main` runs on this one (when `count` > 1; one after the
    /// other otherwise) and returns both results. Neither may depend on the other.
    static func overlapping<Main, Side>(_ main: () throws -> Main, with side: () -> Side) rethrows -> (Main, Side) {
        guard count > 1 else { return (try main(), side()) }
        return try withoutActuallyEscaping(side) { side in
            var sideResult: Side?
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) { sideResult = side() }
            let mainResult: Main
            do {
                mainResult = try main()
            } catch {
                group.wait()   // `side` may use what the caller releases once this returns
                throw error
            }
            group.wait()
            return (mainResult, sideResult!)
        }
    }
}
