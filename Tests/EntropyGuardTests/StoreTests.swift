import SplitMix
@testable import EntropyGuard
import Foundation
import XCTest

final class TextNormalizerTests: XCTestCase {
    func testLowercasesCollapsesAndTrims() {
        let normalizer = TextNormalizer()
        XCTAssertEqual(String(decoding: normalizer.normalize("  Hello\t\tWORLD \n again  "), as: UTF8.self), "hello world again")
        XCTAssertEqual(String(decoding: normalizer.normalize("Caf\u{E9}\u{A0}\u{2003}Cr\u{C8}ME"), as: UTF8.self), "caf\u{E9} cr\u{E8}me")
        XCTAssertEqual(String(decoding: normalizer.normalize(""), as: UTF8.self), "")
        XCTAssertEqual(normalizer.key("A  b"), normalizer.key("a b"))
        XCTAssertNotEqual(normalizer.key("a b"), normalizer.key("ab"))
    }

    func testKeyAndLengthInOnePassAgreeWithTheSeparateFunctions() {
        let normalizer = TextNormalizer()
        for text in ["", "   ", " Hello  World ", "tab\tand\nnewline", "Caf\u{E9} \u{A0}x", "x", String(repeating: "ab ", count: 5000)] {
            let (key, length) = normalizer.keyAndLength(text)
            XCTAssertEqual(key, normalizer.key(text), text)
            XCTAssertEqual(length, TextNormalizer.trimmedLength(text), text)
        }
    }

    /// The 8-bytes-at-a-time ASCII kernel against the byte-by-byte normalizer, on random texts made of
    /// the bytes that take its different paths: letters of both cases, single and repeated spaces,
    /// tabs, line breaks, other control bytes, punctuation right after a space.
    func testWordAtATimeKernelAgreesWithTheBytePath() {
        let normalizer = TextNormalizer()
        let alphabet: [UInt8] = Array("aZbYmz AZ@[`{!~09\t\n\r".utf8) + [0x0B, 0x0C, 0x01, 0x1F, 0x7F, 0x20, 0x20]
        var random = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let length = Int(random.next() % 41)
            let bytes = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let text = String(decoding: bytes, as: UTF8.self)
            let (key, trimmed) = normalizer.keyAndLength(text)
            XCTAssertEqual(key, normalizer.key(text), "\(bytes)")
            XCTAssertEqual(trimmed, TextNormalizer.trimmedLength(text), "\(bytes)")
        }
    }

    func testTrimmedLengthCountsCodePoints() {
        XCTAssertEqual(TextNormalizer.trimmedLength("  abc  "), 3)
        XCTAssertEqual(TextNormalizer.trimmedLength("\u{A0}h\u{E9} llo\u{3000}"), 6)
        XCTAssertEqual(TextNormalizer.trimmedLength(" \n\t "), 0)
        XCTAssertEqual(TextNormalizer.trimmedLength("👍🏽"), 2)
    }
}

final class ConfigHashTests: XCTestCase {
    func testChangingOneStageInvalidatesThatStageAndLaterOnly() {
        let base: [(stage: StageID, settings: String)] = StageID.allCases.map { ($0, "v") }
        var changed = base
        changed[3].settings = "other"
        let a = ConfigHash.chain(base), b = ConfigHash.chain(changed)
        for stage in StageID.allCases {
            if stage < .validate { XCTAssertEqual(a[stage], b[stage], stage.name) } else { XCTAssertNotEqual(a[stage], b[stage], stage.name) }
        }
    }
}

final class WorkingStoreTests: XCTestCase {
    func makeStore() throws -> WorkingStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eg-store-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return try WorkingStore(directory: dir.path)
    }

    func insert(_ store: WorkingStore, texts: [String]) throws {
        let normalizer = TextNormalizer()
        try store.database.transaction {
            for (i, text) in texts.enumerated() {
                try store.database.run("""
                    INSERT INTO rows (row_id, line, record_offset, record_length, generation, text_length, dedup_key) VALUES (?, ?, 0, 0, 1, ?, ?)
                    """, [.integer(Int64(i)), .integer(Int64(i + 1)), .integer(Int64(TextNormalizer.trimmedLength(text))), .integer(normalizer.key(text))])
                try store.database.run("INSERT INTO row_content (row_id, text_original) VALUES (?, ?)", [.integer(Int64(i)), .text(text)])
            }
        }
    }

    func context(_ store: WorkingStore, _ stage: StageID) -> StageContext {
        StageContext(stage: stage, configHash: "", store: store, options: PipelineOptions(),
                     progress: ProgressReporter(quiet: true, showProgress: false),
                     input: InputSource(displayPath: "-", filePath: "/dev/null", hash: XXH3.hash128([]), byteCount: 0),
                     ingestInfo: IngestInfo(format: .jsonl, textColumn: "text", csvHeader: nil))
    }

    func testSchemaCreatesAViewPerStage() throws {
        let store = try makeStore()
        for stage in StageID.allCases {
            XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = ?", [.text(stage.checkpointName)])?.int, 1)
        }
    }

    func testExactDedupNeverMergesDifferentTextsWithCollidingKeys() throws {
        let store = try makeStore()
        try insert(store, texts: ["first text", "other text", "First  TEXT", "OTHER text", "third"])
        // Force a 64-bit collision: every row gets the same key.
        try store.database.run("UPDATE rows SET dedup_key = 42")
        let report = try ExactDedupStage().run(context(store, .exactDedup))
        let drops = try store.database.rows("SELECT row_id, duplicate_of FROM rows WHERE dropped_by = ? ORDER BY row_id", [.integer(Int64(StageID.exactDedup.generation))])
        XCTAssertEqual(drops, [[.integer(2), .integer(0)], [.integer(3), .integer(1)]])
        XCTAssertEqual(report.notes["hash_collisions"], 2)
    }

    /// Confirmation compares the normalized texts' bytes: a text that differs from an earlier one only
    /// in Unicode normalization (NFD here) is not its duplicate, even with the same key; case and
    /// whitespace differences are (String == would have merged all three).
    func testExactDedupConfirmationComparesBytesNotCanonicalEquivalence() throws {
        let store = try makeStore()
        try insert(store, texts: ["Caf\u{E9} au lait", "cafe\u{301} AU LAIT", "CAF\u{C9}  au lait"])
        try store.database.run("UPDATE rows SET dedup_key = 42")
        let report = try ExactDedupStage().run(context(store, .exactDedup))
        let drops = try store.database.rows("SELECT row_id, duplicate_of FROM rows WHERE dropped_by = ? ORDER BY row_id",
                                            [.integer(Int64(StageID.exactDedup.generation))])
        XCTAssertEqual(drops, [[.integer(2), .integer(0)]])
        XCTAssertEqual(report.notes["hash_collisions"], 1)
    }

    /// Beyond `partitionCapacity` rows the keys are split into partitions (SQLite filters each one's
    /// keys, drops are written once at the end): the drops must be those of a single partition.
    func testKeyPartitionsGiveTheSameDropsAsOnePartition() throws {
        var random = SplitMix64(seed: 7)
        let words = ["alpha", "Beta", "gamma", "DELTA", "eps", "zeta"]
        let texts = (0..<2_000).map { _ -> String in
            let count = 1 + Int(random.next() % 3)
            let separator = random.next() % 4 == 0 ? "  " : " "
            return (0..<count).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: separator)
        }
        func drops(partitionCapacity: Int) throws -> [[SQLValue]] {
            let store = try makeStore()
            try insert(store, texts: texts)
            _ = try ExactDedupStage(partitionCapacity: partitionCapacity).run(context(store, .exactDedup))
            return try store.database.rows("SELECT row_id, duplicate_of, generation FROM rows WHERE dropped_by = ? ORDER BY row_id", [.integer(Int64(StageID.exactDedup.generation))])
        }
        let single = try drops(partitionCapacity: 1_000_000)
        XCTAssertGreaterThan(single.count, 1_500)   // few distinct texts: most rows are duplicates
        XCTAssertEqual(try drops(partitionCapacity: 150), single)   // 14 partitions
        XCTAssertEqual(try drops(partitionCapacity: 1_999), single)   // 2 partitions
    }

    func testRewindRestoresEarlierGenerationAndForgetsLaterDrops() throws {
        let store = try makeStore()
        try insert(store, texts: ["a long text", "a long text", "short"])
        _ = try ValidateStage(minLength: 6).run(context(store, .validate))
        try store.advanceSurvivors(to: .validate)
        _ = try ExactDedupStage().run(context(store, .exactDedup))
        try store.advanceSurvivors(to: .exactDedup)
        XCTAssertEqual(try store.aliveCount(after: .exactDedup), 1)
        XCTAssertEqual(try store.aliveCount(after: .validate), 2)
        try store.rewind(to: StageID.validate.generation)
        XCTAssertEqual(try store.aliveCount(after: .validate), 2)
        XCTAssertEqual(try store.aliveCount(after: .exactDedup), 0)
        XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM rows WHERE dropped_by = ?", [.integer(Int64(StageID.exactDedup.generation))])?.int, 0)
        XCTAssertEqual(try store.database.scalar("SELECT drop_reason FROM rows WHERE row_id = 2")?.string, "below_min_length")
    }

    /// Sanitize appends its texts to sanitized_text with each batch; the rows take their keys and
    /// lengths only in the transaction of its checkpoint (with the survivors' generation), and a rewind
    /// before it gives back the originals' values whether or not that checkpoint was committed.
    func testSanitizedValuesReachTheRowsAtTheCheckpointAndARewindRestoresThem() throws {
        let store = try makeStore()
        let texts = ["mail me at someone@example.com please", "  plain   text  ", "<p>Some <b>HTML</b> here</p>", "kept as it is"]
        try insert(store, texts: texts)
        let ingested = { try store.database.rows("SELECT row_id, dedup_key, text_length FROM rows ORDER BY row_id") }
        let before = try ingested()
        let sanitize = SanitizeStage(options: SanitizeOptions(stripHTML: true, normalizeUnicode: true, piiKinds: PIIKind.all))
        let report = try sanitize.run(context(store, .sanitize))
        XCTAssertEqual(report.notes["texts_changed"], 3)
        XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM sanitized_text")?.int, 3)
        // Batches committed, no checkpoint: the rows as ingest left them, the new texts current.
        XCTAssertEqual(try ingested(), before)
        XCTAssertEqual(try store.text(ofRow: 1), "plain text")
        XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM after_sanitize")?.int, 0)

        try store.commit([Checkpoint(stage: .sanitize, inputHash: "in", configHash: "c", rowCount: 4, createdAt: "t")],
                         advancingSurvivorsTo: .sanitize)
        let normalizer = TextNormalizer()
        for row in 0..<texts.count {
            let current = try store.text(ofRow: Int64(row))
            XCTAssertEqual(try store.database.rows("SELECT dedup_key, text_length, text FROM after_sanitize WHERE row_id = ?", [.integer(Int64(row))]),
                           [[.integer(normalizer.key(current)), .integer(Int64(TextNormalizer.trimmedLength(current))), .text(current)]])
        }
        XCTAssertNotEqual(try ingested(), before)

        try store.rewind(to: StageID.ingest.generation)
        XCTAssertEqual(try ingested(), before)
        XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM sanitized_text")?.int, 0)
        XCTAssertEqual(try store.text(ofRow: 1), texts[1])
    }

    func testNewestValidCheckpointMatchesInputAndChainedConfig() throws {
        let store = try makeStore()
        let hashes = ConfigHash.chain(StageID.allCases.map { ($0, "x") })
        func newest(_ input: String, _ expected: [StageID: String]) throws -> StageID? {
            try CheckpointValidity(store: store, inputHash: input, expectedConfigHashes: expected).newestValid()?.stage
        }
        for stage in [StageID.ingest, .sanitize, .chunk] {
            try store.saveCheckpoint(Checkpoint(stage: stage, inputHash: "in", configHash: hashes[stage]!, rowCount: 0, createdAt: "t"))
        }
        XCTAssertEqual(try newest("in", hashes), .chunk)
        XCTAssertNil(try newest("other", hashes))
        var changed = StageID.allCases.map { ($0, "x") }
        changed[2].1 = "y"
        XCTAssertEqual(try newest("in", ConfigHash.chain(changed)), .sanitize)
        let statuses = try CheckpointValidity(store: store, inputHash: "in", expectedConfigHashes: ConfigHash.chain(changed)).statuses(snapshotDirectory: nil)
        XCTAssertEqual(statuses.map(\.problem), [nil, nil, "config of stage chunk changed"])
        // A missing earlier checkpoint does not matter (the chained hash covers its settings).
        try store.database.run("DELETE FROM checkpoints WHERE generation = 2")
        XCTAssertEqual(try newest("in", hashes), .chunk)
        // A row count the store does not have is damage of the whole store, not of one checkpoint.
        XCTAssertNoThrow(try StoreConsistency.check(store))
        try store.database.run("UPDATE checkpoints SET row_count = 5 WHERE generation = 3")
        XCTAssertThrowsError(try StoreConsistency.check(store)) { error in
            XCTAssertNotNil(StoreDamage(error), "\(error)")
        }
    }
}
