@testable import EntropyGuard
import Foundation
import XCTest

/// The static model (`entropyguard distill`, made once by scripts/fetch-model, which `make test`
/// runs) through the binary: the semantic stage and `embed` with it, its per-model threshold, and
/// the embedding cache kept apart per model.
final class StaticModelCLITests: XCTestCase {
    static let installed = ModelLocatorPaths.models.appendingPathComponent("all-MiniLM-L6-v2-static")

    /// A copy of the installed static model under `name` in `dir`, with `recommended_threshold` set.
    func copyOfStaticModel(in dir: URL, name: String = "copy-static", threshold: Double? = nil) throws -> URL {
        guard FileManager.default.fileExists(atPath: Self.installed.appendingPathComponent("config.json").path) else {
            XCTFail("all-MiniLM-L6-v2-static is not installed; run scripts/fetch-model (make test does)")
            throw CocoaError(.fileNoSuchFile)
        }
        let copy = dir.appendingPathComponent(name)
        try FileManager.default.copyItem(at: Self.installed, to: copy)
        if let threshold {
            let url = copy.appendingPathComponent("config.json")
            var config = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            config["recommended_threshold"] = threshold
            try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: url)
        }
        return copy
    }

    func auditPairs(_ url: URL) throws -> [[Int]] {
        try read(url).split(separator: "\n").map {
            let entry = try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            return [entry["row_index"] as! Int, entry["duplicate_of"] as! Int]
        }
    }

    /// Without --dedup-threshold the stage takes the model's recommended threshold from its config:
    /// the same drops as giving that threshold, other drops than another threshold.
    func testDefaultThresholdComesFromTheModelsConfig() throws {
        let dir = try makeTemporaryDirectory()
        let model = try copyOfStaticModel(in: dir, threshold: 0.8)
        func run(_ extra: [String], _ name: String) throws -> [[Int]] {
            let result = try CLI.run(["--input", SemanticCLITests.fixture.path, "--output", dir.appendingPathComponent("\(name).jsonl").path,
                                      "--text-column", "text", "--min-length", "20", "--model-name", model.path, "--quiet",
                                      "--audit-log", dir.appendingPathComponent("\(name)-audit.jsonl").path] + extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try auditPairs(dir.appendingPathComponent("\(name)-audit.jsonl"))
        }
        let byConfig = try run([], "config")
        XCTAssertEqual(try run(["--dedup-threshold", "0.8"], "given"), byConfig)
        XCTAssertNotEqual(try run(["--dedup-threshold", "0.99"], "strict"), byConfig)
        XCTAssertFalse(byConfig.isEmpty)
        // Each drop points at the original of its planted pair.
        let rows = try read(SemanticCLITests.fixture).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        for pair in byConfig { XCTAssertEqual(rows[pair[0]]["pair"] as? Int, rows[pair[1]]["pair"] as? Int, "\(pair)") }
    }

    /// One checkpoint dir, three models in turn: each embeds its own vectors; going back to a model
    /// reuses its vectors; a re-distilled model under the same name (same size, other weights) is a
    /// new model for the cache.
    func testSwitchingModelsNeverMixesCachedVectors() throws {
        let dir = try makeTemporaryDirectory()
        let model = try copyOfStaticModel(in: dir)
        let store = dir.appendingPathComponent("ck/entropyguard.sqlite").path
        func run(_ extra: [String]) throws -> [String: Int] {
            let result = try CLI.run(["--input", SemanticCLITests.fixture.path, "--output", dir.appendingPathComponent("out.jsonl").path,
                                      "--text-column", "text", "--min-length", "20", "--checkpoint-dir", dir.appendingPathComponent("ck").path,
                                      "--json", "--quiet", "--dedup-threshold", "0.9"] + extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            return SemanticCLITests.semanticNotes(result)
        }
        XCTAssertEqual(try run([])["embedded"], 30)
        XCTAssertEqual(try run(["--model-name", model.path])["embedded"], 30, "the MiniLM vectors are not the static model's")
        let back = try run([])
        XCTAssertEqual(back["embedded"] ?? 0, 0)
        XCTAssertEqual(back["embeddings_reused"], 30)
        let db = try Database(path: store)
        XCTAssertEqual(try db.scalar("SELECT count(DISTINCT model) FROM embeddings")?.int, 2)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM embeddings WHERE length(vector) = 384 * 4 + 8")?.int, 30)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM embeddings WHERE length(vector) = 256 * 4 + 8")?.int, 30)

        // Same folder, same size, one weight changed: other vectors, so not the same cache entries.
        let weights = model.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0x40
        try bytes.write(to: weights)
        XCTAssertEqual(try run(["--model-name", model.path])["embedded"], 30)
        XCTAssertEqual(try db.scalar("SELECT count(DISTINCT model) FROM embeddings")?.int, 3)
    }

    /// Stored vectors carry a checksum keyed by their text's hash (`ChecksummedBlob`). Bytes flipped
    /// inside some vectors, and one text's vector copied over another's (a unique text would then look
    /// like an exact copy of the first row and be dropped), are found when another threshold reuses the
    /// vectors: those texts are embedded again, the damage is reported, and the output is a clean run's.
    func testDamagedStoredEmbeddingsAreFoundAndEmbeddedAgain() throws {
        let dir = try makeTemporaryDirectory()
        func run(_ checkpoints: String, _ name: String, threshold: String = "0.9", quiet: Bool = true) throws -> (result: CLIResult, notes: [String: Int]) {
            let result = try CLI.run(["--input", SemanticCLITests.fixture.path, "--output", dir.appendingPathComponent("\(name).jsonl").path,
                                      "--text-column", "text", "--min-length", "20", "--model-name", "all-MiniLM-L6-v2-static",
                                      "--checkpoint-dir", dir.appendingPathComponent(checkpoints).path, "--dedup-threshold", threshold,
                                      "--json"] + (quiet ? ["--quiet"] : []))
            XCTAssertEqual(result.status, 0, result.stderr)
            return (result, SemanticCLITests.semanticNotes(result))
        }
        let clean = try run("ck-clean", "clean")
        XCTAssertEqual(clean.notes["embedded"], 30)
        XCTAssertNil(clean.notes["embeddings_damaged"])

        // A store whose vectors were made under another threshold, then damaged from outside.
        let first = try run("ck", "first", threshold: "0.96")
        XCTAssertEqual(first.notes["embedded"], 30)
        let store = dir.appendingPathComponent("ck/entropyguard.sqlite").path
        _ = try shell(["sqlite3", store, """
            UPDATE embeddings SET vector = substr(vector, 1, 100) || x'7f7f7f7f' || substr(vector, 105) WHERE embedding_id IN (3, 4, 5);
            UPDATE embeddings SET vector = substr(vector, 1, 1024) || x'00' || substr(vector, 1026) WHERE embedding_id = 6;
            UPDATE embeddings SET vector = (SELECT vector FROM embeddings WHERE embedding_id = 1) WHERE embedding_id = 2;
            SELECT changes();
            """])
        // Another threshold in the same store: the selection runs again on the stored vectors.
        let (reused, notes) = try run("ck", "reused", quiet: false)
        XCTAssertTrue(reused.stderr.contains("5 stored embeddings failed their checksum and were computed again"), reused.stderr)
        XCTAssertEqual(notes["embeddings_damaged"], 5)
        XCTAssertEqual(notes["embedded"], 5)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("reused.jsonl")), try Data(contentsOf: dir.appendingPathComponent("clean.jsonl")))
        // The damaged vectors were replaced: the next use finds nothing wrong.
        let again = try run("ck", "again", threshold: "0.8")
        XCTAssertEqual(again.notes["embedded"] ?? 0, 0)
        XCTAssertNil(again.notes["embeddings_damaged"])
    }

    /// Output of a command (which must succeed).
    func shell(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(arguments)")
        return String(decoding: data, as: UTF8.self)
    }

    /// `embed` with the static model: 256-d unit vectors, equal for equal texts, zero for a missing text.
    func testEmbedWritesStaticVectors() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        try write(#"{"text": "The cat sat on the mat."}"# + "\n" + #"{"text": null}"# + "\n"
                  + #"{"text": "A dog ran in the park."}"# + "\n" + #"{"text": "The cat sat on the mat."}"# + "\n", to: input)
        let output = dir.appendingPathComponent("v.npy")
        let result = try CLI.run(["embed", "--input", input.path, "--text-column", "text", "--output", output.path,
                                  "--model-name", "all-MiniLM-L6-v2-static", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let data = try Data(contentsOf: output)
        let header = String(decoding: data[10..<128], as: UTF8.self)
        XCTAssertTrue(header.contains("'shape': (4, 256)"), header)
        let values = data[128...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        func row(_ i: Int) -> [Float] { Array(values[(i * 256)..<((i + 1) * 256)]) }
        XCTAssertEqual(row(0).map { $0 * $0 }.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertEqual(row(0), row(3))
        XCTAssertEqual(row(1), [Float](repeating: 0, count: 256))
        XCTAssertLessThan(zip(row(0), row(2)).map(*).reduce(0, +), 0.99)
    }

    /// With the static model the stage embeds 16,384 texts per commit, the next batch's texts read and
    /// embedded on a worker while this one is stored: over two commits, every text's stored vector is
    /// the one `embed` computes for it alone, and a second run (every vector read back) drops the same rows.
    func testPipelinedEmbeddingStoresEachTextsOwnVector() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        let words = ["river", "stone", "garden", "copper", "lantern", "meadow", "harbor", "violet", "engine", "candle"]
        var lines: [String] = []
        for row in 0..<20_000 {
            // Texts repeat in a few words only, so some rows are near duplicates of earlier ones.
            let text = "Note \(row % 9_000): the \(words[row % 10]) by the \(words[(row / 10) % 10]) and the \(words[(row / 100) % 10]) \(row / 1_000)."
            lines.append(#"{"text": "\#(text)"}"#)
        }
        try write(lines.joined(separator: "\n") + "\n", to: input)
        let checkpoints = dir.appendingPathComponent("ck")
        func run(_ name: String, _ extra: [String] = []) throws -> [String: Int] {
            let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("\(name).jsonl").path, "--text-column", "text",
                                      "--model-name", "all-MiniLM-L6-v2-static", "--no-sanitize", "--no-fuzzy-dedup", "--checkpoint-dir", checkpoints.path,
                                      "--audit-log", dir.appendingPathComponent("\(name)-audit.jsonl").path, "--json", "--quiet"] + extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            return SemanticCLITests.semanticNotes(result)
        }
        let first = try run("first")
        XCTAssertGreaterThan(first["embedded"] ?? 0, 16_384, "two commits")
        XCTAssertGreaterThan(first["semantic_duplicates"] ?? 0, 0)

        let vectorsFile = dir.appendingPathComponent("v.npy")
        let embedded = try CLI.run(["embed", "--input", input.path, "--text-column", "text", "--output", vectorsFile.path,
                                    "--model-name", "all-MiniLM-L6-v2-static", "--quiet"])
        XCTAssertEqual(embedded.status, 0, embedded.stderr)
        let data = try Data(contentsOf: vectorsFile)
        let headerEnd = 10 + Int(data[8]) + Int(data[9]) << 8
        let expected = data[headerEnd...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(expected.count, 20_000 * 256)

        // The rows that reached the stage (the earlier stages drop some) have their own vector stored.
        let store = try WorkingStore(directory: checkpoints.path)
        let model = EmbeddingModelChoice.identity("all-MiniLM-L6-v2-static")
        let texts = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: String] }.map { $0["text"]! }
        let reached = try (0..<texts.count).filter { try store.storedEmbedding(model: model, textHash: XXH3.hash128(texts[$0]).bytes, dimension: 256) == .valid }
        XCTAssertEqual(reached.count, first["embedded"])
        var stored = [Float](repeating: .nan, count: reached.count * 256)
        try stored.withUnsafeMutableBufferPointer {
            try store.readEmbeddings(model: model, textHashes: reached.map { XXH3.hash128(texts[$0]).bytes }, dimension: 256, into: $0.baseAddress!)
        }
        XCTAssertEqual(stored, reached.flatMap { expected[($0 * 256)..<(($0 + 1) * 256)] })

        // A second run over the stored vectors (the store is reset, its embeddings are kept).
        let second = try run("second", ["--no-auto-resume"])
        XCTAssertEqual(second["embedded"] ?? 0, 0)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("second-audit.jsonl")),
                       try Data(contentsOf: dir.appendingPathComponent("first-audit.jsonl")))
    }

    /// `distill` leaves a current model alone, and refuses what it cannot do with the documented codes.
    func testDistillCommand() throws {
        let current = try CLI.run(["distill"])
        XCTAssertEqual(current.status, 0, current.stderr)
        XCTAssertTrue(current.stderr.contains("is up to date"), current.stderr)
        XCTAssertEqual(try CLI.run(["distill", "--dims", "0"]).status, 64)
        XCTAssertEqual(try CLI.run(["distill", "--dims", "385", "--name", try makeTemporaryDirectory().appendingPathComponent("m").path]).status, 64)
        let fromStatic = try CLI.run(["distill", "--model-name", "all-MiniLM-L6-v2-static", "--name", "/tmp/never"])
        XCTAssertEqual(fromStatic.status, 64, fromStatic.stderr)
        XCTAssertEqual(try CLI.run(["distill", "--model-name", "/nonexistent/model"]).status, 66)
        XCTAssertTrue(try CLI.run(["--help"]).stdoutText.contains("distill"))
    }
}

/// Where the binary looks for model names (ENTROPYGUARD_HOME, else ~/.cache/entropyguard).
enum ModelLocatorPaths {
    static var models: URL {
        let home = ProcessInfo.processInfo.environment["ENTROPYGUARD_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/entropyguard")
        return home.appendingPathComponent("models")
    }
}
