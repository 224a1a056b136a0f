import Foundation

/// Runs `transform` over `items` on all cores, results in input order (deterministic: each result
/// depends on its item only).
func parallelMap<T, R>(_ items: [T], _ transform: (T) -> R) -> [R] {
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, items.count / 64))
    if workers <= 1 { return items.map(transform) }
    var results = [R?](repeating: nil, count: items.count)
    let chunk = (items.count + workers - 1) / workers
    results.withUnsafeMutableBufferPointer { buffer in
        let base = buffer.baseAddress!
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * chunk
            let end = min(start + chunk, items.count)
            guard start < end else { return }
            for index in start..<end { (base + index).initialize(to: transform(items[index])) }
        }
    }
    return results.map { $0! }
}
