@testable import EntropyGuard
import Foundation
import SplitMix
import XCTest

/// The fuzzy dedup stage through the binary: planted pairs of known Jaccard similarity against the
/// threshold, no chaining, the signature cache across thresholds and settings, SIGKILL inside the stage.
final class FuzzyCLITests: XCTestCase {
    /// Jaccard similarity of the word 5-gram sets of two texts of lowercase words joined by spaces
    /// (which the stage's normalisation leaves as they are).
    static func jaccard(_ a: String, _ b: String) -> Double {
        func shingles(_ text: String) -> Set<String> {
            let words = text.split(separator: " ")
            return Set((0...(words.count - 5)).map { words[$0..<($0 + 5)].joined(separator: " ") })
        }
        let x = shingles(a), y = shingles(b)
        return Double(x.intersection(y).count) / Double(x.union(y).count)
    }

    /// `count` words never seen elsewhere in the test input (a random tag makes them unique).
    static func words(_ count: Int, _ prefix: String, _ random: inout SplitMix64) -> [String] {
        (0..<count).map { "\(prefix)w\($0)x\(random.next() % 1_000_000)" }
    }

    static func jsonl(_ texts: [String]) -> String {
        texts.enumerated().map { #"{"id": \#($0.offset), "text": "\#($0.element)"}"# }.joined(separator: "\n") + "\n"
    }

    func auditEntries(_ url: URL) throws -> [[String: Any]] {
        try read(url).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func notes(_ result: CLIResult, stage: String = "fuzzy_dedup") -> [String: Int] {
        guard let summary = try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
              let stages = summary["stages"] as? [[String: Any]],
              let entry = stages.first(where: { $0["name"] as? String == stage }) else { return [:] }
        return entry["notes"] as? [String: Int] ?? [:]
    }

    func signatureCount(_ store: URL) throws -> Int {
        let db = try Database(path: store.appendingPathComponent("entropyguard.sqlite").path)
        return try db.scalar("SELECT coalesce(sum(row_count), 0) FROM minhash_batches")?.int ?? -1
    }

    /// 40 pairs at each true Jaccard 0.95, 0.85, 0.6 and 0.3 (word 5-grams): the originals first, then
    /// their edited copies. A copy keeps the first S - k shingles of its original's S and replaces the
    /// last k words, so J = (S - k) / (S + k) exactly: (S, k) = (78, 2), (74, 6), (80, 20), (78, 42).
    func testPlantedPairsOfKnownJaccardFollowTheThresholdAndAnotherThresholdReusesEverySignature() throws {
        let dir = try makeTemporaryDirectory()
        var random = SplitMix64(seed: 12)
        let levels: [(nominal: Double, shingles: Int, replaced: Int)] = [(0.95, 78, 2), (0.85, 74, 6), (0.6, 80, 20), (0.3, 78, 42)]
        var originals: [String] = [], copies: [String] = [], truth: [Double] = []
        for (level, spec) in levels.enumerated() {
            for pair in 0..<40 {
                let words = Self.words(spec.shingles + 4, "l\(level)p\(pair)", &random)
                let copy = words.dropLast(spec.replaced) + Self.words(spec.replaced, "l\(level)p\(pair)new", &random)
                originals.append(words.joined(separator: " "))
                copies.append(copy.joined(separator: " "))
                truth.append(Self.jaccard(originals.last!, copies.last!))
                XCTAssertEqual(truth.last!, spec.nominal, accuracy: 1e-12)
            }
        }
        let input = dir.appendingPathComponent("pairs.jsonl")
        try write(Self.jsonl(originals + copies), to: input)
        let ck = dir.appendingPathComponent("ck")
        let audit = dir.appendingPathComponent("audit.jsonl")
        func run(_ extra: [String]) throws -> (result: CLIResult, dropped: [Double: Int]) {
            let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path, "--text-column", "text",
                                      "--checkpoint-dir", ck.path, "--no-semantic-dedup", "--snapshots", "none", "--json",
                                      "--audit-log", audit.path] + extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            let threshold = extra.firstIndex(of: "--fuzzy-threshold").map { Double(extra[$0 + 1])! } ?? 0.8
            var dropped: [Double: Int] = [:]
            for entry in try auditEntries(audit) {
                XCTAssertEqual(entry["reason"] as? String, "near_duplicate")
                XCTAssertEqual(entry["stage"] as? String, "fuzzy_dedup")
                let row = try XCTUnwrap(entry["row_index"] as? Int), of = try XCTUnwrap(entry["duplicate_of"] as? Int)
                XCTAssertEqual(of, row - originals.count, "a copy points at its own original")
                let similarity = try XCTUnwrap(entry["similarity"] as? Double)
                XCTAssertGreaterThanOrEqual(similarity, threshold)
                XCTAssertEqual(similarity, truth[of], accuracy: 0.12, "the estimate is near the true Jaccard")
                dropped[levels[of / 40].nominal, default: 0] += 1
            }
            print("fuzzy threshold \(threshold) \(extra): dropped of 40 pairs per true Jaccard \(dropped.sorted { $0.key > $1.key })")
            return (result, dropped)
        }

        // 0.8 (9 bands x 13 rows): a pair at 0.95 is a candidate with probability 0.998, at 0.85 0.69.
        let first = try run([])
        XCTAssertTrue(first.result.stderr.contains("fuzzy_dedup: words:5 shingles, LSH 9 bands x 13 rows"), first.result.stderr)
        XCTAssertGreaterThanOrEqual(first.dropped[0.95] ?? 0, 39, "\(first.dropped)")
        XCTAssertTrue((18...36).contains(first.dropped[0.85] ?? 0), "\(first.dropped)")
        XCTAssertNil(first.dropped[0.6])
        XCTAssertNil(first.dropped[0.3])
        XCTAssertEqual(notes(first.result)["signatures_computed"], 320)
        XCTAssertEqual(try signatureCount(ck), 320)

        // Another threshold: the earlier stages are resumed, and every signature comes from the store.
        // At 0.9 a pair at 0.85 goes only when its estimate is 1.6 standard deviations high and LSH pairs it.
        for (threshold, expected) in [("0.9", [0.95: 34...40, 0.85: 0...6]), ("0.5", [0.95: 39...40, 0.85: 38...40, 0.6: 28...40])] {
            let other = try run(["--fuzzy-threshold", threshold])
            XCTAssertTrue(other.result.stderr.contains("Resuming from checkpoint after_exact_dedup"), other.result.stderr)
            XCTAssertEqual(notes(other.result)["signatures_computed"] ?? 0, 0, "threshold \(threshold) signs nothing")
            XCTAssertEqual(notes(other.result)["signatures_reused"], 320)
            XCTAssertEqual(try signatureCount(ck), 320)
            for level in levels.map(\.nominal) {
                XCTAssertTrue((expected[level] ?? 0...0).contains(other.dropped[level] ?? 0), "threshold \(threshold): \(other.dropped)")
            }
        }

        // Another batch size cuts other batches, which the store does not hold whole: each text is found
        // by its hash instead, and the decisions are those of a store that never saw the first runs.
        let rebatched = try run(["--fuzzy-threshold", "0.7", "--batch-size", "7"])
        XCTAssertEqual(notes(rebatched.result)["signatures_computed"] ?? 0, 0, "another batch size signs nothing")
        XCTAssertEqual(notes(rebatched.result)["signatures_reused"], 320)
        XCTAssertEqual(try signatureCount(ck), 320)
        let rebatchedOutput = try read(dir.appendingPathComponent("out.jsonl"))
        let rebatchedAudit = try read(audit)
        let fresh = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("fresh.jsonl").path, "--text-column", "text",
                                 "--checkpoint-dir", dir.appendingPathComponent("ck-fresh").path, "--no-semantic-dedup", "--snapshots", "none",
                                 "--audit-log", dir.appendingPathComponent("fresh-audit.jsonl").path, "--fuzzy-threshold", "0.7"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertEqual(rebatchedOutput, try read(dir.appendingPathComponent("fresh.jsonl")))
        XCTAssertEqual(rebatchedAudit, try read(dir.appendingPathComponent("fresh-audit.jsonl")))
        XCTAssertGreaterThan(rebatched.dropped.values.reduce(0, +), 0)

        // Other permutations or shingles are other signatures: computed, and kept beside the first ones.
        let perms = try run(["--minhash-perms", "64"])
        XCTAssertEqual(notes(perms.result)["signatures_computed"], 320)
        XCTAssertEqual(try signatureCount(ck), 640)
        XCTAssertNil(perms.dropped[0.3])

        // Switched off: nothing dropped near-duplicate, the stage still has its checkpoint.
        let off = try run(["--no-fuzzy-dedup"])
        XCTAssertEqual(off.dropped, [:])
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")).split(separator: "\n").count, 320)
    }

    /// A ~ B and B ~ C above the threshold, A ~ C below it: when B goes (to A), C stays, as it
    /// resembles no kept row. 20 such triples; J(A, B) = J(B, C) = 64/96 = 0.67, J(A, C) = 48/112 = 0.43,
    /// at threshold 0.55 with 256 permutations (standard deviation of the estimates 0.03: both 0.12 away).
    func testNoChaining() throws {
        let dir = try makeTemporaryDirectory()
        var random = SplitMix64(seed: 7)
        var texts: [String] = []
        for triple in 0..<20 {
            let a = Self.words(84, "t\(triple)", &random)
            let b = Array(a.dropLast(16)) + Self.words(16, "t\(triple)end", &random)
            let c = Self.words(16, "t\(triple)start", &random) + Array(b.dropFirst(16))
            XCTAssertEqual(Self.jaccard(a.joined(separator: " "), b.joined(separator: " ")), 64.0 / 96, accuracy: 1e-12)
            XCTAssertEqual(Self.jaccard(a.joined(separator: " "), c.joined(separator: " ")), 48.0 / 112, accuracy: 1e-12)
            XCTAssertEqual(Self.jaccard(b.joined(separator: " "), c.joined(separator: " ")), 64.0 / 96, accuracy: 1e-12)
            texts += [a, b, c].map { $0.joined(separator: " ") }
        }
        let input = dir.appendingPathComponent("triples.jsonl")
        try write(Self.jsonl(texts), to: input)
        let audit = dir.appendingPathComponent("audit.jsonl")
        let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path, "--text-column", "text",
                                  "--no-semantic-dedup", "--fuzzy-threshold", "0.55", "--minhash-perms", "256", "--audit-log", audit.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let drops = Dictionary(uniqueKeysWithValues: try auditEntries(audit).map { ($0["row_index"] as! Int, $0["duplicate_of"] as! Int) })
        var bDropped = 0
        for triple in 0..<20 {
            let a = 3 * triple, b = a + 1, c = a + 2
            XCTAssertNil(drops[a])
            if let of = drops[b] {
                XCTAssertEqual(of, a)
                bDropped += 1
                XCTAssertNil(drops[c], "triple \(triple): C went although B, which it resembles, was dropped")
            }
        }
        print("no chaining: B dropped in \(bDropped) of 20 triples, C kept in each of them")
        XCTAssertGreaterThanOrEqual(bDropped, 15, "\(drops)")
    }

    /// Rows with near copies (one or two words of a hundred substituted: J about 0.9 or 0.82) among unrelated ones.
    static func nearCopyDataset(rows: Int, seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        let vocabulary = (0..<300).map { "v\($0)" }
        var texts: [[String]] = []
        var lines: [String] = []
        for i in 0..<rows {
            var text: [String]
            if !texts.isEmpty && random.next() % 100 < 20 {
                text = texts[Int(random.next() % UInt64(texts.count))]
                for _ in 0..<(1 + Int(random.next() % 2)) { text[Int(random.next() % UInt64(text.count))] = "s\(random.next() % 1000)" }
            } else {
                text = (0..<100).map { _ in vocabulary[Int(random.next() % 300)] }
                texts.append(text)
            }
            lines.append(#"{"id": \#(i), "text": "\#(text.joined(separator: " "))"}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// SIGKILL once the stage has committed some batches of signatures: the run after it redoes the
    /// stage from the store's signatures (none of the committed ones is computed again) and writes the
    /// same bytes as an uninterrupted run with another batch size.
    func testSIGKILLInsideTheStageThenResumeGivesTheSameBytes() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("near.jsonl")
        try write(Self.nearCopyDataset(rows: 12_000, seed: 3), to: input)
        func args(_ store: String, _ name: String, batch: Int) -> [String] {
            ["--input", input.path, "--output", dir.appendingPathComponent("\(name).jsonl").path, "--text-column", "text",
             "--checkpoint-dir", dir.appendingPathComponent(store).path, "--no-semantic-dedup", "--snapshots", "none",
             "--audit-log", dir.appendingPathComponent("\(name)-audit.jsonl").path, "--batch-size", String(batch), "--json"]
        }
        let reference = try CLI.run(args("ck-ref", "ref", batch: 7_000))
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let total = try XCTUnwrap(notes(reference)["signatures_computed"])
        XCTAssertGreaterThan(notes(reference)["near_duplicates"] ?? 0, 1_000, "the data has near copies")
        XCTAssertEqual(notes(reference)["signatures_reused"] ?? 0, 0)

        let killedArgs = args("ck", "out", batch: 500)
        let (process, out, err) = try CLI.start(killedArgs)
        let path = dir.appendingPathComponent("ck/entropyguard.sqlite").path
        var committed = 0
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && process.isRunning {
            if FileManager.default.fileExists(atPath: path), let db = try? Database(path: path),
               let count = try? db.scalar("SELECT coalesce(sum(row_count), 0) FROM minhash_batches")?.int, count >= 2_000 {
                committed = count
                break
            }
            usleep(2_000)
        }
        let stderr = CLI.kill(process, out: out, err: err)
        XCTAssertGreaterThan(committed, 0, "the run ended before fuzzy_dedup committed signatures: \(stderr)")
        let killed = try Database(path: path)
        XCTAssertEqual(try killed.scalar("SELECT count(*) FROM checkpoints WHERE stage = 'fuzzy_dedup'")?.int, 0, "killed inside the stage")
        let stored = try XCTUnwrap(killed.scalar("SELECT coalesce(sum(row_count), 0) FROM minhash_batches")?.int)
        XCTAssertLessThan(stored, total)

        let resumed = try CLI.run(killedArgs)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(notes(resumed)["signatures_reused"], stored, "every committed signature is reused")
        XCTAssertEqual(notes(resumed)["signatures_computed"], total - stored, "and only the others are computed")
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.jsonl")), try Data(contentsOf: dir.appendingPathComponent("ref.jsonl")))
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out-audit.jsonl")),
                       try Data(contentsOf: dir.appendingPathComponent("ref-audit.jsonl")))
    }
}
