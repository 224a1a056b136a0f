import Foundation

/// Runs one piece of work at a time on a worker thread, so the caller can do something else (write
/// the previous batch) meanwhile. Results come back in the order the work was started; an error is
/// rethrown by the `wait()` that collects it.
final class Lookahead<Value> {
    private let queue: DispatchQueue
    private let finished = DispatchSemaphore(value: 0)
    private var result: Result<Value, Error>?
    private var running = false

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Starts `work`; the previous work must have been collected with `wait()`.
    func start(_ work: @escaping () throws -> Value) {
        precondition(!running, "Lookahead: previous work not collected")
        running = true
        queue.async {
            self.result = Result { try work() }
            self.finished.signal()
        }
    }

    /// The result of the work started last (blocks until it is done).
    func wait() throws -> Value {
        precondition(running, "Lookahead: nothing started")
        finished.wait()
        running = false
        defer { result = nil }
        return try result!.get()
    }

    /// Waits for running work and discards its result: call before releasing what the work uses.
    func drain() {
        guard running else { return }
        finished.wait()
        running = false
        result = nil
    }
}
