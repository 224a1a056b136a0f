@testable import EntropyGuard
import MinHash
import Foundation
import XCTest

/// The stage registry's rules, the schema it generates, and the store's record of its stage list.
final class StageListTests: XCTestCase {
    func makeDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eg-stages-\(UUID().uuidString.prefix(8))").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    static func toy(_ name: String, readsInput: Bool = false, rewritesTexts: Bool = false) -> StageDefinition {
        StageDefinition(name: name, readsInput: readsInput, rewritesTexts: rewritesTexts) { _ in nil }
    }

    func testStandardStagesInOrderWithTheirProperties() {
        let stages = StageRegistry.standard
        XCTAssertEqual(stages.names, ["ingest", "sanitize", "chunk", "validate", "exact_dedup", "fuzzy_dedup", "semantic_dedup"])
        XCTAssertEqual(stages.ids.map(\.generation), Array(1...7))
        XCTAssertEqual(stages.source.name, "ingest")
        XCTAssertEqual(stages.textRewriter?.name, "sanitize")
        XCTAssertEqual(stages.definitions.filter(\.addsRows).map(\.name), ["chunk"])
        XCTAssertEqual(stages.definitions.filter(\.removesDuplicates).map(\.name), ["exact_dedup", "fuzzy_dedup", "semantic_dedup"])
        XCTAssertEqual(stages.definitions.filter(\.checkpointsImmediately).map(\.name), ["ingest", "sanitize", "chunk", "fuzzy_dedup", "semantic_dedup"])
        XCTAssertEqual(stages["after_chunk"], stages["chunk"])
        XCTAssertNil(stages["output"])
        XCTAssertFalse(stages.mayHaveAddedRows(through: stages["sanitize"]!))
        XCTAssertTrue(stages.mayHaveAddedRows(through: stages["chunk"]!))
        XCTAssertFalse(stages.mayHaveRewrittenTexts(through: stages["ingest"]!))
        XCTAssertTrue(stages.mayHaveRewrittenTexts(through: stages["validate"]!))
    }

    func testInsertingRenumbersTheLaterStages() throws {
        let stages = try StageRegistry.standard.inserting(Self.toy("toy"), before: "exact_dedup")
        XCTAssertEqual(stages["toy"]?.generation, 5)
        XCTAssertEqual(stages["exact_dedup"]?.generation, 6)
        XCTAssertEqual(stages["validate"], StageRegistry.standard["validate"])
        XCTAssertNotEqual(stages["exact_dedup"], StageRegistry.standard["exact_dedup"])
        XCTAssertFalse(stages.contains(StageRegistry.standard["exact_dedup"]!))
    }

    func testBadStageListsFailLoudly() {
        let source = Self.toy("source", readsInput: true)
        let bad: [(String, [StageDefinition])] = [
            ("no stages", []),
            ("named 'a'", [source, Self.toy("a"), Self.toy("a")]),
            ("'Bad-Name'", [source, Self.toy("Bad-Name")]),
            ("'1st'", [source, Self.toy("1st")]),
            ("'after_x' is reserved", [source, Self.toy("after_x")]),
            ("'output' is reserved", [source, Self.toy("output")]),
            ("must read the input", [Self.toy("first"), source]),
            ("must read the input", [source, Self.toy("other", readsInput: true)]),
            ("rewrite texts", [source, Self.toy("a", rewritesTexts: true), Self.toy("b", rewritesTexts: true)]),
        ]
        for (expected, list) in bad {
            XCTAssertThrowsError(try StageRegistry(list), expected) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) should say \(expected)")
            }
        }
        XCTAssertThrowsError(try StageRegistry.standard.inserting(Self.toy("toy"), before: "nowhere"))
        XCTAssertNoThrow(try StageRegistry([source, Self.toy("a_1"), Self.toy("b", rewritesTexts: true)]))
    }

    /// schema/stages.sql shows what the binary generates for the standard stages. To refresh it:
    /// EG_WRITE_STAGES_SQL=1 swift test --filter StageListTests/testStagesSQLIsWhatTheStoreRuns
    func testStagesSQLIsWhatTheStoreRuns() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/EntropyGuard/Schema/stages.sql").path
        let generated = StageSchemaSQL.file(.standard)
        if ProcessInfo.processInfo.environment["EG_WRITE_STAGES_SQL"] == "1" {
            try Data(generated.utf8).write(to: URL(fileURLWithPath: path))
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), generated,
                       "schema/stages.sql is stale: EG_WRITE_STAGES_SQL=1 swift test --filter StageListTests/testStagesSQLIsWhatTheStoreRuns")
        XCTAssertTrue(generated.contains("(5, 'exact_dedup')"))
        XCTAssertTrue(generated.contains("(6, 'fuzzy_dedup')"))
        XCTAssertTrue(generated.contains("after_semantic_dedup AS SELECT * FROM rows_full WHERE generation >= 7 AND born <= 7;"))
    }

    func testStoreRecordsItsStagesAndMakesAViewPerStage() throws {
        let directory = makeDirectory()
        let stages = try StageRegistry.standard.inserting(Self.toy("toy"), before: "validate")
        let store = try WorkingStore(directory: directory, stages: stages)
        XCTAssertNil(store.stageListChange)
        XCTAssertEqual(try store.database.rows("SELECT name FROM stages ORDER BY generation").map { $0[0].string! }, stages.names)
        let views = try store.database.rows("SELECT name FROM sqlite_schema WHERE type = 'view' AND name LIKE 'after%' ORDER BY name").map { $0[0].string! }
        XCTAssertEqual(views, stages.ids.map(\.checkpointName).sorted())
        XCTAssertEqual(try store.database.scalar("SELECT sql FROM sqlite_schema WHERE name = 'after_validate'")?.string?
            .contains("generation >= 5 AND born <= 5"), true)
    }

    /// Another list: the store is emptied (embeddings, signatures and runs stay), the new list recorded, the
    /// views follow. Refused when asked to.
    func testAStoreMadeWithOtherStagesIsResetOrRefused() throws {
        let directory = makeDirectory()
        let toy = try StageRegistry.standard.inserting(Self.toy("toy"), before: "validate")
        do {
            let store = try WorkingStore(directory: directory, stages: toy)
            try store.database.run("INSERT INTO rows (row_id, line, record_offset, record_length, generation) VALUES (0, 1, 0, 1, 7)")
            try store.database.run("INSERT INTO embeddings (model, text_hash, vector) VALUES ('m', x'00', x'00')")
            let setting = try store.signatureSetting(cacheKey: "minhash;test")
            try store.storeSignatureBatch(setting: setting, textHashes: [[UInt8](repeating: 7, count: 16)],
                                          signatures: MinHashSignatures(permutations: 1, values: [0]))
            try store.saveCheckpoint(Checkpoint(stage: toy["toy"]!, inputHash: "i", configHash: "c", rowCount: 1, createdAt: "t"))
            try store.setMeta("ingest.next_row", "1")
        }
        XCTAssertThrowsError(try WorkingStore(directory: directory, stages: .standard, ifStagesDiffer: .refuse)) { error in
            XCTAssertEqual((error as? EntropyGuardError)?.status, .dataError)
        }
        let store = try WorkingStore(directory: directory, stages: .standard, ifStagesDiffer: .reset)
        XCTAssertEqual(store.stageListChange?.previous, toy.names)
        XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM rows")?.int, 0)
        XCTAssertEqual(try store.checkpoints(), [])
        XCTAssertNil(try store.meta("ingest.next_row"))
        XCTAssertEqual(try store.meta("schema_version"), String(SchemaSQL.version))
        XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM embeddings")?.int, 1)
        XCTAssertEqual(try store.signatureCount(setting: store.signatureSetting(cacheKey: "minhash;test")), 1, "signatures are a cache too")
        XCTAssertEqual(try store.database.rows("SELECT name FROM stages ORDER BY generation").map { $0[0].string! }, StageRegistry.standard.names)
        XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'after_toy'")?.int, 0)
        XCTAssertEqual(try store.database.scalar("SELECT sql FROM sqlite_schema WHERE name = 'after_validate'")?.string?
            .contains("generation >= 4 AND born <= 4"), true)
    }

    /// A store made before the registry (its stages rows written by tables.sql) holds the standard list: kept.
    func testAStoreWithTheStandardRowsIsKept() throws {
        let directory = makeDirectory()
        do {
            let store = try WorkingStore(directory: directory)
            try store.database.run("INSERT INTO rows (row_id, line, record_offset, record_length, generation) VALUES (0, 1, 0, 1, 7)")
        }
        let store = try WorkingStore(directory: directory, ifStagesDiffer: .reset)
        XCTAssertNil(store.stageListChange)
        XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM after_semantic_dedup")?.int, 0)   // no row_content
        XCTAssertEqual(try store.database.scalar("SELECT count(*) FROM rows")?.int, 1)
    }
}
