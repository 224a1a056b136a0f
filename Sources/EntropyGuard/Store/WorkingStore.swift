import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The SQLite working store of one checkpoint directory: `<dir>/entropyguard.sqlite`.
/// Rows are ingested once; each stage moves its survivors' `generation` forward and records a checkpoint.
public final class WorkingStore {
    public static let fileName = "entropyguard.sqlite"

    public let directory: String
    public let database: Database
    private let checkpointer: WALCheckpointer

    public var path: String { Self.path(in: directory) }

    /// Opens the store of `directory`, creating it when there is none. Throws StoreDamage when the
    /// file is not a whole SQLite database (see StoreFileHeader); SQLite's own SQLITE_CORRUPT and
    /// SQLITE_NOTADB, here or later, are damage too (StoreDamage.init?(_:)).
    public init(directory: String) throws {
        self.directory = directory
        try DirectoryCreation.create(directory, role: "checkpoint directory")
        let path = Self.path(in: directory)
        if let problem = StoreFileHeader.problem(databasePath: path) { throw StoreDamage(problem) }
        database = try Database(path: path)
        try database.execute(SchemaSQL.pragmas)
        // The WAL size pragmas.sql sets for SQLite's autocheckpoint becomes the background checkpointer's
        // threshold; its commit hook replaces the autocheckpoint.
        let threshold = Int32(try database.scalar("PRAGMA wal_autocheckpoint")?.int ?? 1024)
        checkpointer = try WALCheckpointer(path: database.path, thresholdPages: max(1, threshold))
        checkpointer.attach(to: database)
        try SQLFunctions.register(on: database)
        try database.transaction {
            try database.execute(SchemaSQL.tables)
            try database.execute(SchemaSQL.views)
        }
        if let version = try meta("schema_version"), Int(version) != SchemaSQL.version {
            throw EntropyGuardError(.dataError, "\(path): store schema version \(version) is not \(SchemaSQL.version); remove the checkpoint directory or use another one")
        }
        try setMeta("schema_version", String(SchemaSQL.version))
    }

    deinit {
        checkpointer.detach(from: database)
        checkpointer.stop()
    }

    // MARK: the store's files

    /// The store file and the files SQLite keeps next to it.
    static let fileSuffixes = ["", "-wal", "-shm"]

    /// `<directory>/entropyguard.sqlite`.
    public static func path(in directory: String) -> String {
        (directory as NSString).appendingPathComponent(fileName)
    }

    public static func exists(in directory: String) -> Bool {
        FileManager.default.fileExists(atPath: path(in: directory))
    }

    /// Renames a damaged store (with its -wal and -shm, so the sqlite3 shell still opens it as it was)
    /// to `entropyguard.sqlite.damaged-<UTC time>` in the same directory and returns that name. Nothing
    /// is deleted: the next store starts empty, the damaged one stays for inspection until
    /// `checkpoints clean`. The caller holds the directory's StoreLock and no connection to the store.
    public static func moveAside(directory: String) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let stamp = formatter.string(from: Date())
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        var name = "\(fileName).damaged-\(stamp)"
        var attempt = 1
        while fileSuffixes.contains(where: { FileManager.default.fileExists(atPath: path(name + $0)) }) {
            attempt += 1
            name = "\(fileName).damaged-\(stamp)-\(attempt)"
        }
        for suffix in fileSuffixes where FileManager.default.fileExists(atPath: path(fileName + suffix)) {
            if rename(path(fileName + suffix), path(name + suffix)) != 0 {
                throw EntropyGuardError(.ioError, "\(path(fileName + suffix)) is damaged and cannot be moved aside: \(String(cString: strerror(errno)))")
            }
        }
        return name
    }

    /// The names `moveAside` gave damaged stores in `directory` (with their -wal and -shm).
    public static func setAsideFiles(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix(fileName + ".damaged-") }.sorted()
    }

    // MARK: meta

    public func meta(_ key: String) throws -> String? {
        try database.scalar("SELECT value FROM meta WHERE key = ?", [.text(key)])?.string
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try database.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         [.text(key), .text(value)])
    }

    public func removeMeta(prefix: String) throws {
        try database.run("DELETE FROM meta WHERE key LIKE ? || '%'", [.text(prefix)])
    }

    // MARK: checkpoints

    public func checkpoints() throws -> [Checkpoint] {
        let statement = try database.cachedStatement("""
            SELECT generation, input_hash, config_hash, row_count, created_at, snapshot_path, snapshot_xxh3, dropped
            FROM checkpoints ORDER BY generation
            """)
        var result: [Checkpoint] = []
        while try statement.step() {
            guard let stage = StageID(rawValue: statement.int(0)) else { continue }
            result.append(Checkpoint(stage: stage, inputHash: statement.string(1) ?? "", configHash: statement.string(2) ?? "",
                                     rowCount: statement.int(3), createdAt: statement.string(4) ?? "",
                                     snapshotPath: statement.string(5), snapshotXXH3: statement.string(6),
                                     dropped: Self.decodeCounts(statement.string(7))))
        }
        return result
    }

    /// Records a completed stage (replacing an older checkpoint of the same stage).
    public func saveCheckpoint(_ checkpoint: Checkpoint) throws {
        try database.run("""
            INSERT OR REPLACE INTO checkpoints
                (generation, stage, input_hash, config_hash, row_count, created_at, snapshot_path, snapshot_xxh3, dropped)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.integer(Int64(checkpoint.generation)), .text(checkpoint.stage.name), .text(checkpoint.inputHash),
                  .text(checkpoint.configHash), .integer(Int64(checkpoint.rowCount)), .text(checkpoint.createdAt),
                  checkpoint.snapshotPath.map { .text($0) } ?? .null, checkpoint.snapshotXXH3.map { .text($0) } ?? .null,
                  .text(Self.encodeCounts(checkpoint.dropped))])
    }

    /// {"reason": count, ...} with sorted keys.
    static func encodeCounts(_ counts: [String: Int]) -> String {
        "{" + counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    static func decodeCounts(_ text: String?) -> [String: Int] {
        guard let data = text?.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else { return [:] }
        return object
    }

    // MARK: stage in progress

    /// The first stage that started but has no committed checkpoint yet: rows past the last checkpoint
    /// may hold its partial work, which resuming must rewind (unless it is the committed batches of a
    /// stage that continues after them, see BatchProgress). Nil when the store is exactly at a checkpoint.
    public func stageInProgress() throws -> Int? {
        try meta("stage.in_progress").flatMap(Int.init)
    }

    func markStageStarted(_ stage: StageID) throws {
        if try stageInProgress() == nil { try setMeta("stage.in_progress", String(stage.generation)) }
    }

    /// Also forgets the batch progress (BatchProgress): it is the stage in progress's partial work.
    func clearStageInProgress() throws {
        try database.run("DELETE FROM meta WHERE key = 'stage.in_progress'")
        try clearBatchProgress()
    }

    public func setSnapshot(stage: StageID, path: String?, xxh3: String?) throws {
        try database.run("UPDATE checkpoints SET snapshot_path = ?, snapshot_xxh3 = ? WHERE generation = ?",
                         [path.map { .text($0) } ?? .null, xxh3.map { .text($0) } ?? .null, .integer(Int64(stage.generation))])
    }

    // MARK: rewinding

    /// Makes the store look as it did right after generation `generation` completed: later stages'
    /// survivors move back, their drops are forgotten, rows they created are deleted, their checkpoints go.
    public func rewind(to generation: Int) throws {
        try database.transaction {
            try database.run("UPDATE rows SET generation = ? WHERE generation > ?", [.integer(Int64(generation)), .integer(Int64(generation))])
            try database.run("""
                UPDATE rows SET dropped_by = NULL, drop_reason = NULL, drop_details = NULL, duplicate_of = NULL, similarity = NULL
                WHERE dropped_by > ?
                """, [.integer(Int64(generation))])
            try database.run("DELETE FROM row_content WHERE row_id IN (SELECT row_id FROM rows WHERE born > ?)", [.integer(Int64(generation))])
            try database.run("DELETE FROM rows WHERE born > ?", [.integer(Int64(generation))])
            if generation < StageID.sanitize.generation {
                // Texts go back to the original: so do the values derived from them.
                try database.run("""
                    UPDATE rows SET dedup_key = eg_dedup_key(c.text_original), text_length = eg_text_length(c.text_original)
                    FROM row_content c WHERE c.row_id = rows.row_id AND c.text IS NOT NULL
                    """)
                try database.run("UPDATE row_content SET text = NULL WHERE text IS NOT NULL")
            }
            try database.run("DELETE FROM checkpoints WHERE generation > ?", [.integer(Int64(generation))])
            try clearStageInProgress()
        }
    }

    /// Empties the store (rows, checkpoints, ingest progress). Embeddings stay: they are a cache keyed by
    /// model and text, valid for any input.
    public func reset() throws {
        try database.transaction {
            try database.execute("""
                DELETE FROM rows; DELETE FROM row_content; DELETE FROM checkpoints;
                DELETE FROM meta WHERE key <> 'schema_version';
                """)
        }
    }

    /// Rows alive after `stage`.
    public func aliveCount(after stage: StageID) throws -> Int {
        // born: chunk rows (born at chunk) were not alive after the stages before it.
        try database.scalar("SELECT count(*) FROM rows WHERE generation >= ?1 AND born <= ?1", [.integer(Int64(stage.generation))])?.int ?? 0
    }
}
