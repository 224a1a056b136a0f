import Foundation
import SplitMix
import XCTest

/// What a cluster job (python/entropyguard_ray) asks of the binary per shard: `--stop-after` leaves
/// the store at a checkpoint without output, `--export-rows` writes the alive rows' keys, signatures
/// and band keys, `--global-drops` applies decisions made elsewhere. Applying a run's own dedup drops
/// to a store stopped after validate gives that run's output and audit log byte for byte.
final class ShardCLITests: XCTestCase {
    func testStoppedStoreWithTheRunsOwnDropsGivesTheSameOutputAndAudit() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        try write(Self.dataset(rows: 400), to: input)
        let common = ["--input", input.path, "--no-semantic-dedup", "--snapshots", "none", "--quiet"]

        let whole = try CLI.run(common + ["--output", dir.appendingPathComponent("whole.jsonl").path,
                                          "--audit-log", dir.appendingPathComponent("whole-audit.jsonl").path])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let audit = try read(dir.appendingPathComponent("whole-audit.jsonl")).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let dedupDrops = audit.filter { ["exact_dedup", "fuzzy_dedup"].contains($0["stage"] as! String) }
        XCTAssertGreaterThan(audit.filter { $0["stage"] as? String == "exact_dedup" }.count, 10)
        XCTAssertGreaterThan(audit.filter { $0["stage"] as? String == "fuzzy_dedup" }.count, 0)

        let store = dir.appendingPathComponent("store").path
        let export = dir.appendingPathComponent("export")
        let stopped = try CLI.run(common + ["--checkpoint-dir", store, "--stop-after", "validate", "--export-rows", export.path])
        XCTAssertEqual(stopped.status, 0, stopped.stderr)
        XCTAssertTrue(stopped.stdout.isEmpty, "no output after --stop-after")
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: export.appendingPathComponent("export.json"))) as! [String: Any]
        let validateDrops = audit.filter { $0["stage"] as? String == "validate" }.count
        XCTAssertEqual(info["rows"] as? Int, 400 - validateDrops, "the export holds the rows alive after validate")
        XCTAssertEqual(info["input_rows"] as? Int, 400)
        XCTAssertEqual(info["permutations"] as? Int, 128)
        let rows = info["rows"] as! Int
        XCTAssertGreaterThan(info["bands"] as! Int, 0)
        // One Parquet file (its columns are read back with pyarrow in python/entropyguard_ray/tests/test_export.py).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: export.path).sorted(), ["export.json", "rows.parquet"])
        XCTAssertEqual(try Data(contentsOf: export.appendingPathComponent("rows.parquet")).prefix(4), Data("PAR1".utf8))
        XCTAssertNil(info["dimension"], "no embeddings with semantic dedup off")

        // The run's own dedup drops, as a cluster job writes them (duplicate_of in the same shard).
        var lines = ""
        for drop in dedupDrops {
            let similarity = (drop["similarity"] as? Double).map { "\($0)" } ?? "-"
            lines += "\(drop["row_index"]!)\t\(drop["stage"]!)\t\(drop["reason"]!)\t\(drop["duplicate_of"]!)\t\(similarity)\n"
        }
        let drops = dir.appendingPathComponent("drops.tsv")
        try write(lines, to: drops)
        let applied = try CLI.run(common + ["--checkpoint-dir", store, "--global-drops", drops.path,
                                            "--output", dir.appendingPathComponent("applied.jsonl").path,
                                            "--audit-log", dir.appendingPathComponent("applied-audit.jsonl").path])
        XCTAssertEqual(applied.status, 0, applied.stderr)
        XCTAssertEqual(try read(dir.appendingPathComponent("applied.jsonl")), try read(dir.appendingPathComponent("whole.jsonl")))
        XCTAssertEqual(try read(dir.appendingPathComponent("applied-audit.jsonl")), try read(dir.appendingPathComponent("whole-audit.jsonl")))

        // Other drops redo the dedup stages from validate's checkpoint: here, none at all.
        try write("", to: drops)
        let none = try CLI.run(common + ["--checkpoint-dir", store, "--global-drops", drops.path, "--json",
                                         "--output", dir.appendingPathComponent("none.jsonl").path])
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertEqual(try read(dir.appendingPathComponent("none.jsonl")).split(separator: "\n").count, rows)
    }

    /// A shard of a chunked cluster job numbers its chunks' parents as the whole run does
    /// (`--row-offset`), and has the `_chunk` field even when it made no chunks (`--chunk-field`).
    func testRowOffsetAndChunkFieldShapeAShardsOutputAsTheWholeRuns() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        try write(Self.dataset(rows: 80), to: input)
        let common = ["--input", input.path, "--no-semantic-dedup", "--snapshots", "none", "--quiet"]
        func records(_ name: String, _ extra: [String]) throws -> [[String: Any]] {
            let path = dir.appendingPathComponent(name).path
            let result = try CLI.run(common + extra + ["--output", path])
            XCTAssertEqual(result.status, 0, result.stderr)
            return try read(URL(fileURLWithPath: path)).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        }
        let plain = try records("plain.jsonl", ["--chunk-size", "80"])
        let shifted = try records("shifted.jsonl", ["--chunk-size", "80", "--row-offset", "1000"])
        XCTAssertEqual(plain.count, shifted.count)
        var chunks = 0
        for (a, b) in zip(plain, shifted) {
            XCTAssertEqual(a["id"] as? Int, b["id"] as? Int)
            XCTAssertEqual(a["text"] as? String, b["text"] as? String)
            guard let chunk = a["_chunk"] as? [String: Int] else { XCTAssertTrue(b["_chunk"] is NSNull); continue }
            XCTAssertEqual(b["_chunk"] as? [String: Int], ["parent": chunk["parent"]! + 1000, "index": chunk["index"]!])
            chunks += 1
        }
        XCTAssertGreaterThan(chunks, 50)

        let unchunked = try records("unchunked.jsonl", ["--chunk-field"])
        XCTAssertGreaterThan(unchunked.count, 40)
        XCTAssertTrue(unchunked.allSatisfy { $0["_chunk"] is NSNull })
        XCTAssertTrue(try records("no-field.jsonl", []).allSatisfy { $0["_chunk"] == nil })

        let parquet = try CLI.run(common + ["--chunk-size", "80", "--row-offset", "5", "--output", dir.appendingPathComponent("o.parquet").path])
        XCTAssertEqual(parquet.status, 64)
        XCTAssertTrue(parquet.stderr.contains("--row-offset and --chunk-field apply to JSONL and CSV output, not Parquet"), parquet.stderr)
    }

    /// 30-word texts with exact copies (also in upper case), copies with one word changed (fuzzy
    /// duplicates at word 5-grams) and short texts (validate).
    static func dataset(rows: Int) -> String {
        var random = SplitMix64(seed: 16)
        let vocabulary = (0..<300).map { "w\($0)x\(random.next() % 1000)" }
        var texts: [String] = []
        for _ in 0..<rows {
            let r = random.next() % 100
            if !texts.isEmpty && r < 10 {
                let text = texts[Int(random.next() % UInt64(texts.count))]
                texts.append(r < 4 ? text.uppercased() : text)
            } else if !texts.isEmpty && r < 20 {
                var words = texts[Int(random.next() % UInt64(texts.count))].split(separator: " ").map(String.init)
                words[words.count - 1] = vocabulary[Int(random.next() % 300)]
                texts.append(words.joined(separator: " "))
            } else if r < 25 {
                texts.append("short")
            } else {
                texts.append((0..<30).map { _ in vocabulary[Int(random.next() % 300)] }.joined(separator: " "))
            }
        }
        return texts.enumerated().map { #"{"id": \#($0.offset), "text": "\#($0.element)"}"# }.joined(separator: "\n") + "\n"
    }

    func testBadDropsFilesAndOptionsAreUsageOrDataErrors() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        try write(makeDataset(rows: 50), to: input)
        let drops = dir.appendingPathComponent("drops.tsv")
        let common = ["--input", input.path, "--no-semantic-dedup", "--snapshots", "none", "--quiet", "--output", dir.appendingPathComponent("o.jsonl").path]

        try write("3\texact_dedup\texact_duplicate\t1\t-\n4\texact_dedup\texact_duplicate\tone\t-\n", to: drops)
        var result = try CLI.run(common + ["--global-drops", drops.path])
        XCTAssertEqual(result.status, 65)
        XCTAssertTrue(result.stderr.contains("line 2: duplicate_of 'one'"), result.stderr)

        try write("3\tvalidate\tshort\t-\t-\n", to: drops)
        result = try CLI.run(common + ["--global-drops", drops.path])
        XCTAssertEqual(result.status, 65)
        XCTAssertTrue(result.stderr.contains("line 1: 'validate' is not a stage that removes duplicates"), result.stderr)

        try write("3\tfuzzy_dedup\tnear_duplicate\t1\t0.9\n", to: drops)
        result = try CLI.run(common + ["--global-drops", drops.path, "--no-fuzzy-dedup"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("drops for fuzzy_dedup, which this run switches off"), result.stderr)

        result = try CLI.run(common + ["--export-rows", dir.appendingPathComponent("x").path])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("--export-rows needs --stop-after"), result.stderr)
        result = try CLI.run(common + ["--stop-after", "validate"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("--stop-after needs --checkpoint-dir"), result.stderr)
        // Row group ranges (a Parquet file's shard; python/entropyguard_ray/tests/test_shards.py reads them).
        result = try CLI.run(common + ["--row-groups", "2:1"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("--row-groups must be START:END with 0 <= START < END (got '2:1')"), result.stderr)
        result = try CLI.run(common + ["--row-groups", "0:1"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("--row-groups: \(input.path) is not one Parquet file"), result.stderr)
    }
}
