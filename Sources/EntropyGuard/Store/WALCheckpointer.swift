import CSQLite
import Foundation

/// Copies the write-ahead log into the database file on a thread of its own, so the writer rarely
/// stops for it. SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold, on
/// the writing thread: on 1M rows that was about 0.6 s of ingest. Here the writer's commit hook wakes
/// this thread each time the log has grown by a quarter of `thresholdPages`; the copy (a PASSIVE
/// checkpoint: it never blocks the writer or readers) overlaps with the writer's next batches.
///
/// The log file only starts over when a write begins with every frame already copied, which a
/// background copy racing a busy writer seldom achieves. So when the log reaches `thresholdPages`,
/// the writer finishes the checkpoint itself (only the frames since the last background copy) and
/// the next transaction rewinds the log: it stays about `thresholdPages` long, as with SQLite's own
/// autocheckpoint. Crash safety is SQLite's: a checkpoint interrupted at any instant is redone from the log.
final class WALCheckpointer {
    /// Closed by `stop()`, on the caller's thread. Left to deinit it was closed on this class's thread
    /// (its loop holds `self` until it returns): after the writer's close, so that close copied the
    /// log back and deleted it while the main thread went on, and a process exiting meanwhile left the
    /// log behind (10 of 56 runs of 20k rows on a loaded machine), or the close could unlink a new
    /// store's log after a damaged one was moved aside (Pipeline).
    private var connection: Database?
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var requested = false
    private var stopping = false
    let thresholdPages: Int32
    private let backgroundPages: Int32

    /// Opens a second connection to the database at `path` and starts the thread.
    init(path: String, thresholdPages: Int32) throws {
        let connection = try Database(path: path)
        // A connection only attaches to the WAL once it has read the database; until then SQLite
        // (3.40, Debian 12) treats a checkpoint request as a no-op.
        _ = try connection.scalar("SELECT count(*) FROM sqlite_master")
        self.connection = connection
        self.thresholdPages = thresholdPages
        backgroundPages = max(1, thresholdPages / 4)
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "entropyguard.wal-checkpoint"
        thread.start()
    }

    /// Installs the commit hook on the writer: it replaces the writer's own autocheckpoint.
    func attach(to writer: Database) {
        sqlite3_wal_hook(writer.handle, { context, handle, _, pages in
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context!).takeUnretainedValue()
            if pages >= checkpointer.thresholdPages {
                // SQLITE_BUSY (the background copy holds the checkpoint lock): the next commit retries.
                _ = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            } else if pages >= checkpointer.backgroundPages {
                checkpointer.request()
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Removes the hook from the writer; call before `stop()`.
    func detach(from writer: Database) {
        sqlite3_wal_hook(writer.handle, nil, nil)
    }

    private func request() {
        lock.lock()
        let first = !requested
        requested = true
        lock.unlock()
        if first { wake.signal() }
    }

    /// Finishes the running checkpoint, if any, ends the thread and closes the connection. The
    /// writer's connection, closed after this one, is then the last: its close copies the log into
    /// the database and deletes it, before the store's deinit returns.
    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        wake.signal()
        stopped.wait()
        connection = nil
    }

    private func loop() {
        while true {
            wake.wait()
            lock.lock()
            let done = stopping
            requested = false
            lock.unlock()
            if done { break }
            // PASSIVE: copies what no reader still needs, waits for no one. SQLITE_BUSY just means
            // another checkpoint was running; the next commit past the threshold asks again.
            if let connection { _ = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) }
        }
        stopped.signal()
    }
}
