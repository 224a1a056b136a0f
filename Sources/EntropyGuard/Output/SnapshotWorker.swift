import Foundation

/// Runs a run's snapshot requests on a thread of its own, so writing a stage's Parquet file overlaps
/// the stages after it. The requests queued while the thread was busy are handed over together, so
/// the handler can serve several in one pass. The pipeline collects the outcomes on its own thread
/// (only its connection writes to the store), and may take back the requests still queued (`steal`).
/// After the first error the remaining requests are dropped and `collect()` returns it.
final class SnapshotWorker<Request, Outcome> {
    private let queue = DispatchQueue(label: "entropyguard.snapshots")
    private let group = DispatchGroup()
    private let lock = NSLock()
    private let handler: (_ requests: [Request], _ report: (Outcome) -> Void) throws -> Void
    private var pending: [Request] = []
    private var draining = false
    private var outcomes: [Outcome] = []
    private var failure: Error?
    private var cancelFlag = false

    init(handler: @escaping (_ requests: [Request], _ report: (Outcome) -> Void) throws -> Void) {
        self.handler = handler
    }

    /// Queues `requests` together (they are handed to the handler in one batch, with any still
    /// queued before them).
    func submit(_ requests: [Request]) {
        guard !requests.isEmpty else { return }
        lock.lock()
        pending += requests
        let start = !draining
        draining = true
        lock.unlock()
        if start { queue.async(group: group) { [self] in drain() } }
    }

    private func drain() {
        while true {
            lock.lock()
            if pending.isEmpty || failure != nil || cancelFlag {
                pending.removeAll()
                draining = false
                lock.unlock()
                return
            }
            let batch = pending
            pending.removeAll()
            lock.unlock()
            do {
                try handler(batch) { outcome in
                    lock.lock()
                    outcomes.append(outcome)
                    lock.unlock()
                }
            } catch {
                lock.lock()
                if failure == nil && !(error is SnapshotTableWriter.Cancelled) { failure = error }
                lock.unlock()
            }
        }
    }

    /// Takes back the requests not started yet (none after an error), in order.
    func steal() -> [Request] {
        lock.lock()
        defer { lock.unlock() }
        let taken = failure == nil ? pending : []
        pending.removeAll()
        return taken
    }

    /// True once `cancel()` was called: long requests poll it and stop.
    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelFlag
    }

    /// Requests queued or being handled.
    var busy: Bool {
        lock.lock()
        defer { lock.unlock() }
        return draining
    }

    /// The outcomes reported since the last call, in order, and the first error.
    func collect() -> (outcomes: [Outcome], failure: Error?) {
        lock.lock()
        defer { lock.unlock() }
        let result = (outcomes, failure)
        outcomes.removeAll()
        return result
    }

    /// Blocks until every queued request has been handled.
    func wait() { group.wait() }

    /// Drops the queued requests, asks the running one to stop, and waits for it.
    func cancel() {
        lock.lock()
        cancelFlag = true
        lock.unlock()
        group.wait()
    }
}
