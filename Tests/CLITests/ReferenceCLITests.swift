import EntropyGuard
import Foundation
import SplitMix
import XCTest

/// `--reference` through the binary: the input deduplicated against a corpus as if the corpus came
/// first. The decisions for the new rows are those of a run over the reference followed by the input
/// (one file), with duplicate_of `ref:<row>` for the reference's rows: checked for exact, fuzzy and
/// semantic dedup (the static model), with the reference as a file and as a checkpoint dir.
final class ReferenceCLITests: XCTestCase {
    static let vocabulary = """
        river mountain garden window candle market winter silver forest ocean letter station teacher doctor
        engine harbor village castle bridge valley meadow thunder lantern pepper violin pocket ladder mirror
        carpet blanket orchard tunnel desert island planet rocket saddle feather marble copper velvet basket
        kettle hammer needle button pillow cabinet shelter fountain compass anchor harvest journey puzzle
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    /// A reference of `count` texts of 40 words, and an input of near copies, exact copies (case and
    /// spacing changed), copies of its own earlier rows and new texts. Returns the two JSONL files' lines.
    static func corpora(referenceRows count: Int = 60, seed: UInt64 = 5) -> (reference: [String], input: [String]) {
        var generator = SplitMix64(seed: seed)
        func text() -> [String] { (0..<40).map { _ in vocabulary[Int(generator.next() % UInt64(vocabulary.count))] } }
        let reference = (0..<count).map { _ in text() }
        var input: [[String]] = []
        for i in 0..<48 {
            let source = reference[Int(generator.next() % UInt64(count))]
            switch i % 4 {
            case 0: input.append(source.map { $0.uppercased() })                                  // exact (normalized)
            case 1: var near = source; near[39] = "zebra\(i)"; input.append(near)                 // near copy
            case 2: input.append(input.isEmpty ? text() : input[Int(generator.next() % UInt64(input.count))])  // an earlier input row
            default: input.append(text())                                                         // new
            }
        }
        func line(_ id: String, _ words: [String]) -> String { #"{"id": "\#(id)", "text": "\#(words.joined(separator: " "))"}"# }
        return (reference.enumerated().map { line("r\($0.offset)", $0.element) }, input.enumerated().map { line("n\($0.offset)", $0.element) })
    }

    /// The audit log's entries by row: (stage, reason, duplicate_of as text, similarity as text).
    func audit(_ url: URL) throws -> [Int: [String]] {
        var entries: [Int: [String]] = [:]
        for line in try read(url).split(separator: "\n") {
            let entry = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            entries[entry["row_index"] as! Int] = ["stage", "reason", "duplicate_of", "similarity"].map { "\(entry[$0] ?? "absent")" }
        }
        return entries
    }

    /// The stage statuses of a `--json` summary.
    func statuses(_ result: CLIResult) throws -> [String: String] {
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], result.stdoutText + result.stderr)
        return Dictionary(uniqueKeysWithValues: (summary["stages"] as! [[String: Any]]).map { ($0["name"] as! String, $0["status"] as! String) })
    }

    func staticModel() throws -> String {
        let installed = StaticModelCLITests.installed
        guard FileManager.default.fileExists(atPath: installed.appendingPathComponent("config.json").path) else {
            XCTFail("all-MiniLM-L6-v2-static is not installed; run scripts/fetch-model (make test does)")
            throw CocoaError(.fileNoSuchFile)
        }
        return installed.path
    }

    /// For each dedup stage on its own (exact alone; exact and fuzzy; exact and semantic): the input's
    /// drops against the reference file are the drops of the same rows in one run over reference +
    /// input, with the reference's rows as `ref:<row>` and the input's renumbered.
    func testDropsAreThoseOfARunWithTheReferenceFirstForEachDedupStage() throws {
        let dir = try makeTemporaryDirectory()
        let (reference, input) = Self.corpora()
        try write(reference.joined(separator: "\n") + "\n", to: dir.appendingPathComponent("ref.jsonl"))
        try write(input.joined(separator: "\n") + "\n", to: dir.appendingPathComponent("new.jsonl"))
        try write((reference + input).joined(separator: "\n") + "\n", to: dir.appendingPathComponent("both.jsonl"))
        let model = try staticModel()
        let configurations: [(name: String, flags: [String], reason: String)] = [
            ("exact", ["--no-fuzzy-dedup", "--no-semantic-dedup"], "exact_duplicate"),
            ("fuzzy", ["--no-semantic-dedup"], "near_duplicate"),
            ("semantic", ["--no-fuzzy-dedup", "--model-name", model, "--dedup-threshold", "0.98"], "semantic_duplicate"),
        ]
        let r = reference.count
        for configuration in configurations {
            let base = ["--text-column", "text", "--min-length", "20", "--quiet"] + configuration.flags
            let referenced = try CLI.run(base + ["--input", dir.appendingPathComponent("new.jsonl").path, "--reference", dir.appendingPathComponent("ref.jsonl").path,
                                                 "--output", dir.appendingPathComponent("out-\(configuration.name).jsonl").path,
                                                 "--audit-log", dir.appendingPathComponent("audit-\(configuration.name).jsonl").path])
            XCTAssertEqual(referenced.status, 0, referenced.stderr)
            let together = try CLI.run(base + ["--input", dir.appendingPathComponent("both.jsonl").path,
                                               "--output", dir.appendingPathComponent("both-\(configuration.name).jsonl").path,
                                               "--audit-log", dir.appendingPathComponent("audit-both-\(configuration.name).jsonl").path])
            XCTAssertEqual(together.status, 0, together.stderr)
            var expected: [Int: [String]] = [:]
            for (row, entry) in try audit(dir.appendingPathComponent("audit-both-\(configuration.name).jsonl")) where row >= r {
                var entry = entry
                if let of = Int(entry[2]) { entry[2] = of < r ? "ref:\(of)" : String(of - r) }
                expected[row - r] = entry
            }
            let got = try audit(dir.appendingPathComponent("audit-\(configuration.name).jsonl"))
            XCTAssertEqual(got, expected, configuration.name)
            // Each stage dropped rows as duplicates of the reference, and the exact stage of the input's own rows.
            XCTAssertGreaterThanOrEqual(got.values.filter { $0[1] == configuration.reason && $0[2].hasPrefix("ref:") }.count, 8, "\(configuration.name): \(got)")
            XCTAssertTrue(got.values.contains { $0[1] == "exact_duplicate" && Int($0[2]) != nil }, "\(configuration.name): \(got)")
            // The kept rows are the kept input rows of the run over both, in order.
            let kept = try read(dir.appendingPathComponent("both-\(configuration.name).jsonl")).split(separator: "\n").filter { $0.contains(#""id": "n"#) }
            XCTAssertEqual(try read(dir.appendingPathComponent("out-\(configuration.name).jsonl")).split(separator: "\n"), kept, configuration.name)
        }
    }
}
