@testable import EntropyGuard
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

    /// Writes the corpora to ref.jsonl and new.jsonl in `dir`.
    func writeCorpora(in dir: URL) throws -> (reference: URL, input: URL, referenceLines: [String], inputLines: [String]) {
        let (reference, input) = Self.corpora()
        let referenceURL = dir.appendingPathComponent("ref.jsonl"), inputURL = dir.appendingPathComponent("new.jsonl")
        try write(reference.joined(separator: "\n") + "\n", to: referenceURL)
        try write(input.joined(separator: "\n") + "\n", to: inputURL)
        return (referenceURL, inputURL, reference, input)
    }

    /// The reference file's store is made once in <checkpoint-dir>/reference/ and reused while the
    /// file's content is the same: a repeated run resumes every stage. A changed reference redoes
    /// the dedup stages only (its identity is in their settings), and its store is made again.
    func testReferenceStoreIsReusedWhileItsHashHoldsAndRebuiltWhenItChanges() throws {
        let dir = try makeTemporaryDirectory()
        let files = try writeCorpora(in: dir)
        let ck = dir.appendingPathComponent("ck")
        let command = ["--input", files.input.path, "--reference", files.reference.path, "--checkpoint-dir", ck.path, "--text-column", "text",
                       "--no-semantic-dedup", "--min-length", "20", "--json", "--output", dir.appendingPathComponent("out.jsonl").path,
                       "--audit-log", dir.appendingPathComponent("audit.jsonl").path]
        let first = try CLI.run(command)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("Reference \(files.reference.path): store in \(ck.path)/reference built"), first.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ck.appendingPathComponent("reference/entropyguard.sqlite").path))
        let firstAudit = try audit(dir.appendingPathComponent("audit.jsonl"))

        let second = try CLI.run(command)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("reference built") == false && second.stderr.contains("/reference reused"), second.stderr)
        XCTAssertEqual(Set(try statuses(second).filter { $0.key != "output" }.values), ["resumed"])
        XCTAssertEqual(try audit(dir.appendingPathComponent("audit.jsonl")), firstAudit)
        // The path is no part of the identity: the same content elsewhere resumes everything too.
        let moved = dir.appendingPathComponent("moved.jsonl")
        try FileManager.default.copyItem(at: files.reference, to: moved)
        let fromMoved = try CLI.run(command.map { $0 == files.reference.path ? moved.path : $0 })
        XCTAssertEqual(fromMoved.status, 0, fromMoved.stderr)
        XCTAssertTrue(fromMoved.stderr.contains("Reference \(moved.path): store in \(ck.path)/reference reused"), fromMoved.stderr)
        XCTAssertEqual(Set(try statuses(fromMoved).filter { $0.key != "output" }.values), ["resumed"])

        // The reference gains a copy of an input row that was kept: that row now goes, as its duplicate.
        let kept = try read(dir.appendingPathComponent("out.jsonl")).split(separator: "\n").first!
        let keptObject = try JSONSerialization.jsonObject(with: Data(kept.utf8)) as! [String: Any]
        let keptRow = files.inputLines.firstIndex { $0 == String(kept) }!
        try write((files.referenceLines + [#"{"id": "r-added", "text": "\#(keptObject["text"] as! String)"}"#]).joined(separator: "\n") + "\n",
                  to: files.reference)
        let third = try CLI.run(command)
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stderr.contains("/reference built"), third.stderr)
        let status = try statuses(third)
        for stage in StageRegistry.standard.names {
            let redone = ["exact_dedup", "fuzzy_dedup", "semantic_dedup"].contains(stage)
            XCTAssertEqual(status[stage], redone ? (stage == "semantic_dedup" ? "off" : "ran") : "resumed", stage)
        }
        // It, and the rows that were its duplicates, are now duplicates of the added reference row.
        var expected = firstAudit
        for row in [keptRow] + firstAudit.filter({ $0.value[2] == String(keptRow) }).map(\.key) {
            expected[row] = ["exact_dedup", "exact_duplicate", "ref:\(files.referenceLines.count)", "<null>"]
        }
        XCTAssertEqual(try audit(dir.appendingPathComponent("audit.jsonl")), expected)
    }

    /// A checkpoint dir of a finished run is a reference too, with the same result as its input file;
    /// one whose caches were made with other settings (here: no fuzzy dedup, so no signatures) is a
    /// usage error naming the difference.
    func testACheckpointDirIsAReferenceAndOtherSettingsAreAnError() throws {
        let dir = try makeTemporaryDirectory()
        let files = try writeCorpora(in: dir)
        let flags = ["--text-column", "text", "--no-semantic-dedup", "--min-length", "20", "--quiet"]
        let referenceRun = try CLI.run(flags + ["--input", files.reference.path, "--output", dir.appendingPathComponent("ref-out.jsonl").path,
                                                "--checkpoint-dir", dir.appendingPathComponent("refck").path])
        XCTAssertEqual(referenceRun.status, 0, referenceRun.stderr)
        for (name, reference) in [("dir", dir.appendingPathComponent("refck")), ("file", files.reference)] {
            let result = try CLI.run(flags + ["--input", files.input.path, "--reference", reference.path,
                                              "--output", dir.appendingPathComponent("out-\(name).jsonl").path,
                                              "--audit-log", dir.appendingPathComponent("audit-\(name).jsonl").path])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let fromDirectory = try audit(dir.appendingPathComponent("audit-dir.jsonl"))
        XCTAssertEqual(fromDirectory, try audit(dir.appendingPathComponent("audit-file.jsonl")))
        XCTAssertTrue(fromDirectory.values.contains { $0[1] == "near_duplicate" && $0[2].hasPrefix("ref:") }, "\(fromDirectory)")
        XCTAssertEqual(try read(dir.appendingPathComponent("out-dir.jsonl")), try read(dir.appendingPathComponent("out-file.jsonl")))

        let other = try CLI.run(flags + ["--input", files.input.path, "--reference", dir.appendingPathComponent("refck").path,
                                         "--shingle", "words:3", "--output", dir.appendingPathComponent("other.jsonl").path])
        XCTAssertEqual(other.status, ExitStatus.usage.rawValue, other.stderr)
        XCTAssertTrue(other.stderr.contains("--reference \(dir.appendingPathComponent("refck").path)") && other.stderr.contains("MinHash signatures made as")
                      && other.stderr.contains("words:3"), other.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("other.jsonl").path))
    }

    /// A missing reference is exit 66, a reference file with a bad record exit 65 naming the file and
    /// line, the run's own checkpoint dir exit 64; each message starts with --reference and the path.
    func testBadReferencesHaveClearErrorsAndTheirExitCodes() throws {
        let dir = try makeTemporaryDirectory()
        let files = try writeCorpora(in: dir)
        let base = ["--input", files.input.path, "--text-column", "text", "--no-semantic-dedup", "--quiet",
                    "--output", dir.appendingPathComponent("out.jsonl").path]
        let missing = dir.appendingPathComponent("nowhere.jsonl")
        let result = try CLI.run(base + ["--reference", missing.path])
        XCTAssertEqual(result.status, ExitStatus.noInput.rawValue, result.stderr)
        XCTAssertTrue(result.stderr.contains("--reference \(missing.path): no such file or directory"), result.stderr)

        let bad = dir.appendingPathComponent("bad.jsonl")
        try write(files.referenceLines[0] + "\n{\"id\": \"r1\", \"text\": \"unterminated\n", to: bad)
        let badResult = try CLI.run(base + ["--reference", bad.path])
        XCTAssertEqual(badResult.status, ExitStatus.dataError.rawValue, badResult.stderr)
        XCTAssertTrue(badResult.stderr.contains("--reference \(bad.path): ") && badResult.stderr.contains("bad.jsonl:2: invalid JSON"), badResult.stderr)

        let ck = dir.appendingPathComponent("ck")
        XCTAssertEqual(try CLI.run(base + ["--checkpoint-dir", ck.path]).status, 0)
        let own = try CLI.run(base + ["--checkpoint-dir", ck.path, "--reference", ck.path])
        XCTAssertEqual(own.status, ExitStatus.usage.rawValue, own.stderr)
        XCTAssertTrue(own.stderr.contains("is this run's own checkpoint dir"), own.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path) && own.status == 0)
    }

    /// `ref:<row>` in --annotate (JSONL: the string, as in the audit log; Parquet, read with pyarrow:
    /// a string column), and `explain` shows the reference row's text.
    func testAnnotationAndExplainShowTheReferenceRow() throws {
        let dir = try makeTemporaryDirectory()
        let files = try writeCorpora(in: dir)
        let ck = dir.appendingPathComponent("ck")
        let base = ["--input", files.input.path, "--reference", files.reference.path, "--checkpoint-dir", ck.path, "--text-column", "text",
                    "--no-semantic-dedup", "--min-length", "20", "--quiet", "--annotate"]
        var result = try CLI.run(base + ["--output", dir.appendingPathComponent("a.jsonl").path, "--audit-log", dir.appendingPathComponent("audit.jsonl").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        result = try CLI.run(base + ["--output", dir.appendingPathComponent("a.parquet").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let entries = try audit(dir.appendingPathComponent("audit.jsonl"))
        let records = try read(dir.appendingPathComponent("a.jsonl")).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        XCTAssertEqual(records.count, files.inputLines.count)
        var referenced = 0
        for (row, record) in records.enumerated() {
            let annotation = record["_entropyguard"] as! [String: Any]
            let of = annotation["duplicate_of"]!
            XCTAssertEqual("\(of)", entries[row]?[2] ?? "<null>", "row \(row)")
            if let label = of as? String {
                XCTAssertTrue(label.hasPrefix("ref:"), label)
                referenced += 1
            }
        }
        XCTAssertGreaterThanOrEqual(referenced, 16)

        let data = try python("""
            import json, sys, pyarrow.parquet as pq
            t = pq.read_table(sys.argv[1])
            print(json.dumps({"type": str(t.schema.field("_entropyguard.duplicate_of").type), "values": t.column("_entropyguard.duplicate_of").to_pylist()}))
            """, [dir.appendingPathComponent("a.parquet").path], in: dir)
        let parquet = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(parquet["type"] as? String, "string")
        XCTAssertEqual((parquet["values"] as! [Any]).map { "\($0)" }, records.map { "\(($0["_entropyguard"] as! [String: Any])["duplicate_of"]!)" })

        // explain a row dropped as a near duplicate of a reference row: the reference row's text.
        let (row, entry) = try XCTUnwrap(entries.first { $0.value[1] == "near_duplicate" && $0.value[2].hasPrefix("ref:") })
        let referenceRow = Int(entry[2].dropFirst(4))!
        let explained = try CLI.run(["explain", "--checkpoint-dir", ck.path, "--json", String(row)])
        XCTAssertEqual(explained.status, 0, explained.stderr)
        let journey = try XCTUnwrap(JSONSerialization.jsonObject(with: explained.stdout) as? [String: Any], explained.stdoutText)
        let duplicateOf = try XCTUnwrap(journey["duplicate_of"] as? [String: Any], "\(journey)")
        XCTAssertEqual(duplicateOf["row"] as? String, entry[2])
        let referenceText = try JSONSerialization.jsonObject(with: Data(files.referenceLines[referenceRow].utf8)) as! [String: Any]
        XCTAssertEqual(duplicateOf["original_text"] as? String, referenceText["text"] as? String)
        let text = try CLI.run(["explain", "--checkpoint-dir", ck.path, String(row)])
        XCTAssertTrue(text.stdoutText.contains("duplicate of reference row \(entry[2])"), text.stdoutText)
    }

    /// What a run against a reference persists in the reference's store (its semantic IVF index, its
    /// exact-dedup key lookup) is built by the first run, loaded by the next, and when a byte of it is
    /// flipped, found damaged, said, and made again, never used: each run's drops are the same.
    func testThePersistedIndexIsBuiltOnceReusedAndMadeAgainWhenDamaged() throws {
        let dir = try makeTemporaryDirectory()
        let (reference, input) = Self.corpora(referenceRows: 400)
        let referenceURL = dir.appendingPathComponent("ref.jsonl"), inputURL = dir.appendingPathComponent("new.jsonl")
        try write(reference.joined(separator: "\n") + "\n", to: referenceURL)
        try write(input.joined(separator: "\n") + "\n", to: inputURL)
        // IVF (the reference is larger than the input, so its persisted index is used).
        let flags = ["--text-column", "text", "--min-length", "20", "--no-fuzzy-dedup", "--model-name", try staticModel(),
                     "--dedup-threshold", "0.98", "--search", "ivf"]
        let refck = dir.appendingPathComponent("refck")
        let referenceRun = try CLI.run(flags + ["--input", referenceURL.path, "--output", dir.appendingPathComponent("ref-out.jsonl").path,
                                                "--checkpoint-dir", refck.path, "--quiet"])
        XCTAssertEqual(referenceRun.status, 0, referenceRun.stderr)
        var run = 0
        func against() throws -> (stderr: String, audit: [Int: [String]]) {
            run += 1
            let result = try CLI.run(flags + ["--input", inputURL.path, "--reference", refck.path,
                                              "--checkpoint-dir", dir.appendingPathComponent("ck\(run)").path,
                                              "--output", dir.appendingPathComponent("out\(run).jsonl").path,
                                              "--audit-log", dir.appendingPathComponent("audit\(run).jsonl").path])
            XCTAssertEqual(result.status, 0, result.stderr)
            return (result.stderr, try audit(dir.appendingPathComponent("audit\(run).jsonl")))
        }
        let first = try against()
        XCTAssertTrue(first.stderr.contains("the reference's index (") && first.stderr.contains("rows) built and stored"), first.stderr)
        XCTAssertGreaterThanOrEqual(first.audit.values.filter { $0[1] == "semantic_duplicate" && $0[2].hasPrefix("ref:") }.count, 8, "\(first.audit)")
        XCTAssertGreaterThanOrEqual(first.audit.values.filter { $0[1] == "exact_duplicate" && $0[2].hasPrefix("ref:") }.count, 8, "\(first.audit)")
        let second = try against()
        XCTAssertTrue(second.stderr.contains("rows) loaded in"), second.stderr)
        XCTAssertFalse(second.stderr.contains("damaged"), second.stderr)
        XCTAssertEqual(second.audit, first.audit)

        // A flipped byte in a list of the semantic index and in the key lookup.
        do {
            let database = try Database(path: refck.appendingPathComponent("entropyguard.sqlite").path)
            try database.execute("""
                UPDATE reference_parts SET data = substr(data, 1, 99) || (CASE WHEN substr(data, 100, 1) = X'00' THEN X'01' ELSE X'00' END)
                    || substr(data, 101)
                WHERE part_id IN (SELECT min(part_id) FROM reference_parts WHERE name LIKE 'semantic;%' AND part >= 2
                                  UNION SELECT part_id FROM reference_parts WHERE name LIKE 'exact;%')
                """)
            XCTAssertEqual(database.changes, 2)
        }
        let damaged = try against()
        XCTAssertTrue(damaged.stderr.contains("semantic_dedup: the reference's persisted index is damaged (part ") &&
                      damaged.stderr.contains("fails its checksum); it is made again") && damaged.stderr.contains("rows) built and stored"),
                      damaged.stderr)
        XCTAssertTrue(damaged.stderr.contains("exact_dedup: --reference \(refck.path): its persisted key lookup is damaged; it is made again"),
                      damaged.stderr)
        XCTAssertEqual(damaged.audit, first.audit)
        let repaired = try against()
        XCTAssertTrue(repaired.stderr.contains("rows) loaded in") && !repaired.stderr.contains("damaged"), repaired.stderr)
        XCTAssertEqual(repaired.audit, first.audit)
    }

    /// The reference's kept rows' MinHash signatures, persisted in its store in row order by the first
    /// run against it: the next runs read them back whole, and a damaged part is found before any is
    /// used, said, and the set made again; the drops stay the same.
    func testThePersistedSignaturesAreReusedAndMadeAgainWhenDamaged() throws {
        let dir = try makeTemporaryDirectory()
        let files = try writeCorpora(in: dir)
        let flags = ["--text-column", "text", "--no-semantic-dedup", "--min-length", "20"]
        let refck = dir.appendingPathComponent("refck")
        let referenceRun = try CLI.run(flags + ["--input", files.reference.path, "--output", dir.appendingPathComponent("ref-out.jsonl").path,
                                                "--checkpoint-dir", refck.path, "--quiet"])
        XCTAssertEqual(referenceRun.status, 0, referenceRun.stderr)
        var run = 0
        func against() throws -> (stderr: String, audit: [Int: [String]]) {
            run += 1
            let result = try CLI.run(flags + ["--input", files.input.path, "--reference", refck.path,
                                              "--checkpoint-dir", dir.appendingPathComponent("ck\(run)").path,
                                              "--output", dir.appendingPathComponent("out\(run).jsonl").path,
                                              "--audit-log", dir.appendingPathComponent("audit\(run).jsonl").path])
            XCTAssertEqual(result.status, 0, result.stderr)
            return (result.stderr, try audit(dir.appendingPathComponent("audit\(run).jsonl")))
        }
        func signatureParts() throws -> Int {
            let database = try Database(path: refck.appendingPathComponent("entropyguard.sqlite").path)
            return try database.scalar("SELECT count(*) FROM reference_parts WHERE name LIKE 'fuzzy;%'")?.int ?? -1
        }
        let first = try against()
        XCTAssertGreaterThanOrEqual(first.audit.values.filter { $0[1] == "near_duplicate" && $0[2].hasPrefix("ref:") }.count, 8, "\(first.audit)")
        XCTAssertEqual(try signatureParts(), 2, "a header and one part of 60 rows")
        XCTAssertEqual(try against().audit, first.audit)

        do {
            let database = try Database(path: refck.appendingPathComponent("entropyguard.sqlite").path)
            try database.execute("""
                UPDATE reference_parts SET data = substr(data, 1, 299) || (CASE WHEN substr(data, 300, 1) = X'00' THEN X'01' ELSE X'00' END)
                    || substr(data, 301)
                WHERE name LIKE 'fuzzy;%' AND part = 1
                """)
            XCTAssertEqual(database.changes, 1)
        }
        let damaged = try against()
        XCTAssertTrue(damaged.stderr.contains("fuzzy_dedup: --reference \(refck.path): its persisted signatures are damaged (part 1 is missing, fails its checksum or is not whole rows); they are made again"),
                      damaged.stderr)
        XCTAssertEqual(damaged.audit, first.audit)
        XCTAssertEqual(try signatureParts(), 2)
        let repaired = try against()
        XCTAssertFalse(repaired.stderr.contains("damaged"), repaired.stderr)
        XCTAssertEqual(repaired.audit, first.audit)
    }
}
