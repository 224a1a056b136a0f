import EntropyGuard
import Foundation
import XCTest

/// `entropyguard explain` through the binary, on stores made by real runs: kept, dropped, exact and
/// semantic duplicates, chunked rows, `--line`, and its errors' exit codes.
final class ExplainCLITests: XCTestCase {
    static let email = "jane.roe@example.org"
    static let original = "The museum opens at nine and closes at five; write to \(email) for group visits."
    static let copy = "the museum opens at nine and closes at five;   write to \(email) for group visits."
    static let popular = "This sentence is repeated many times so that it has a long list of duplicates."
    static let long = (0..<20).map { "Chunk sentence \($0) says something about the weather today." }.joined(separator: " ")

    /// Row 0 (PII), 1 short, 2 an exact duplicate of 0 (after sanitize), 3 null, 4..16 thirteen copies
    /// of one text, 17 a long text split into chunks.
    static let lines = [
        #"{"id": 0, "text": "\#(original)"}"#,
        #"{"id": 1, "text": "short"}"#,
        #"{"id": 2, "text": "\#(copy)"}"#,
        #"{"id": 3, "text": null}"#,
    ] + (4...16).map { #"{"id": \#($0), "text": "\#(popular)"}"# } + [#"{"id": 17, "text": "\#(long)"}"#]

    private func makeStore(_ dir: URL) throws -> URL {
        let input = dir.appendingPathComponent("in.jsonl")
        try write(Self.lines.joined(separator: "\n") + "\n", to: input)
        let ck = dir.appendingPathComponent("ck")
        let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path, "--checkpoint-dir", ck.path,
                                  "--no-semantic-dedup", "--min-length", "10", "--chunk-size", "300", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return ck
    }

    private func explainJSON(_ ck: URL, _ arguments: [String]) throws -> [[String: Any]] {
        let result = try CLI.run(["explain", "--checkpoint-dir", ck.path, "--json"] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try result.stdoutText.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    private func verdicts(_ journey: [String: Any]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (journey["stages"] as? [[String: String]] ?? []).map { ($0["stage"]!, $0["verdict"]!) })
    }

    func testKeptRowShowsTheSanitizeWordDiffWithoutThePIIAndItsDuplicates() throws {
        let dir = try makeTemporaryDirectory()
        let ck = try makeStore(dir)
        let text = try CLI.run(["explain", "--checkpoint-dir", ck.path, "0"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdoutText.hasPrefix("row 0 (input line 1): kept\n"), text.stdoutText)
        XCTAssertTrue(text.stdoutText.contains("write to [-<email>-] {+[EMAIL_REMOVED]+} for group visits."), text.stdoutText)
        XCTAssertTrue(text.stdoutText.contains("sanitize        kept, text changed"), text.stdoutText)
        XCTAssertTrue(text.stdoutText.contains("rows dropped as duplicates of this one (1): row 2 exact_duplicate"), text.stdoutText)
        XCTAssertFalse(text.stdoutText.contains(Self.email), "explain never prints the PII")

        let journey = try XCTUnwrap(explainJSON(ck, ["0"]).first)
        XCTAssertEqual(journey["kept"] as? Bool, true)
        XCTAssertEqual(verdicts(journey), ["ingest": "kept", "sanitize": "changed", "chunk": "kept", "validate": "kept",
                                           "exact_dedup": "kept", "fuzzy_dedup": "kept", "semantic_dedup": "kept"])
        let sanitize = try XCTUnwrap(journey["text_change"] as? [String: String])
        XCTAssertEqual(sanitize["stage"], "sanitize")
        XCTAssertEqual(sanitize["before"], Self.original.replacingOccurrences(of: Self.email, with: "<email>"))
        XCTAssertEqual(sanitize["after"], Self.original.replacingOccurrences(of: Self.email, with: "[EMAIL_REMOVED]"))
        let duplicates = try XCTUnwrap(journey["duplicates"] as? [String: Any])
        XCTAssertEqual(duplicates["count"] as? Int, 1)
        XCTAssertEqual((duplicates["first"] as? [[String: Any]])?.first?["row"] as? Int, 2)
        XCTAssertTrue(journey["dropped"] is NSNull)
    }

    func testDroppedRowsGiveTheStageReasonAndTheDuplicatedRowsText() throws {
        let dir = try makeTemporaryDirectory()
        let ck = try makeStore(dir)
        let journeys = try explainJSON(ck, ["1", "2", "3"])
        XCTAssertEqual(journeys.map { $0["row"] as? Int }, [1, 2, 3])
        let short = journeys[0], copy = journeys[1], null = journeys[2]
        XCTAssertEqual((short["dropped"] as? [String: Any])?["reason"] as? String, "below_min_length")
        XCTAssertEqual(verdicts(short)["validate"], "dropped")
        XCTAssertEqual(verdicts(short)["exact_dedup"], "already_dropped")

        let dropped = try XCTUnwrap(copy["dropped"] as? [String: Any])
        XCTAssertEqual(dropped["stage"] as? String, "exact_dedup")
        XCTAssertEqual(dropped["reason"] as? String, "exact_duplicate")
        XCTAssertEqual(verdicts(copy)["exact_dedup"], "dropped")
        let of = try XCTUnwrap(copy["duplicate_of"] as? [String: Any])
        XCTAssertEqual(of["row"] as? Int, 0)
        XCTAssertEqual(of["text"] as? String, "the museum opens at nine and closes at five; write to [EMAIL_REMOVED] for group visits.")
        XCTAssertEqual(of["original_text"] as? String, Self.original.replacingOccurrences(of: Self.email, with: "[EMAIL_REMOVED]"))
        XCTAssertTrue(of["similarity"] is NSNull)

        XCTAssertEqual(null["text_state"] as? String, "null")
        XCTAssertEqual((null["dropped"] as? [String: Any])?["reason"] as? String, "empty_or_null")

        let text = try CLI.run(["explain", "--checkpoint-dir", ck.path, "2"])
        XCTAssertTrue(text.stdoutText.hasPrefix("row 2 (input line 3): dropped by exact_dedup (exact_duplicate)\n"), text.stdoutText)
        XCTAssertTrue(text.stdoutText.contains("  duplicate of row 0:\n    this row: the museum"), text.stdoutText)
        XCTAssertTrue(text.stdoutText.contains("    row 0: The museum"), text.stdoutText)
    }

    /// Twelve rows duplicate row 4: the count says 12, the first ten are listed.
    func testAManyTimesDuplicatedRowListsTheFirstTen() throws {
        let dir = try makeTemporaryDirectory()
        let ck = try makeStore(dir)
        let journey = try XCTUnwrap(explainJSON(ck, ["4"]).first)
        let duplicates = try XCTUnwrap(journey["duplicates"] as? [String: Any])
        XCTAssertEqual(duplicates["count"] as? Int, 12)
        XCTAssertEqual((duplicates["first"] as? [[String: Any]])?.map { $0["row"] as? Int }, (5...14).map { $0 })
        let text = try CLI.run(["explain", "--checkpoint-dir", ck.path, "4"]).stdoutText
        XCTAssertTrue(text.contains("rows dropped as duplicates of this one (12): row 5 exact_duplicate,"), text)
        XCTAssertTrue(text.contains("row 14 exact_duplicate, … (first 10 shown)"), text)
    }

    func testChunkedRowNamesItsChunksAndEachChunkItsParent() throws {
        let dir = try makeTemporaryDirectory()
        let ck = try makeStore(dir)
        let parent = try XCTUnwrap(explainJSON(ck, ["--line", "18"]).first)
        XCTAssertEqual(parent["row"] as? Int, 17)
        XCTAssertEqual((parent["dropped"] as? [String: Any])?["reason"] as? String, "split_into_chunks")
        let chunks = try XCTUnwrap(parent["chunks"] as? [Int])
        XCTAssertGreaterThan(chunks.count, 1)
        XCTAssertEqual(chunks, Array(18..<(18 + chunks.count)), "chunks are numbered after the input's rows")
        for (index, journey) in try explainJSON(ck, chunks.map(String.init)).enumerated() {
            XCTAssertEqual(journey["chunk"] as? [String: Int], ["parent": 17, "index": index])
            XCTAssertEqual(verdicts(journey)["ingest"], "not_created")
            XCTAssertEqual(verdicts(journey)["chunk"], "created")
            XCTAssertEqual(journey["line"] as? Int, 18)
            XCTAssertTrue(Self.long.contains((journey["text"] as? String ?? "-").trimmingCharacters(in: .whitespaces)))
        }
        let text = try CLI.run(["explain", "--checkpoint-dir", ck.path, "17", String(chunks[0])]).stdoutText
        XCTAssertTrue(text.contains("  split into \(chunks.count) chunks: rows \(chunks.map(String.init).joined(separator: ", "))\n"), text)
        XCTAssertTrue(text.contains("  chunk 0 of row 17\n"), text)
    }

    /// --line N is the row of the record starting at line N: the same journey as by its row id.
    func testLineFindsTheSameRowAsItsRowID() throws {
        let dir = try makeTemporaryDirectory()
        let ck = try makeStore(dir)
        let byLine = try CLI.run(["explain", "--checkpoint-dir", ck.path, "--line", "3", "--json"])
        let byRow = try CLI.run(["explain", "--checkpoint-dir", ck.path, "2", "--json"])
        XCTAssertEqual(byLine.status, 0, byLine.stderr)
        XCTAssertEqual(byLine.stdoutText, byRow.stdoutText)
    }

    func testErrorsHaveTheirExitCodes() throws {
        let dir = try makeTemporaryDirectory()
        let missing = try CLI.run(["explain", "--checkpoint-dir", dir.appendingPathComponent("none").path, "0"])
        XCTAssertEqual(missing.status, ExitStatus.noInput.rawValue, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("no EntropyGuard store"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("none").path), "explain creates nothing")
        let ck = try makeStore(dir)
        let row = try CLI.run(["explain", "--checkpoint-dir", ck.path, "999"])
        XCTAssertEqual(row.status, ExitStatus.usage.rawValue, row.stderr)
        XCTAssertTrue(row.stderr.contains("no row 999"), row.stderr)
        let line = try CLI.run(["explain", "--checkpoint-dir", ck.path, "--line", "500"])
        XCTAssertEqual(line.status, ExitStatus.usage.rawValue, line.stderr)
        XCTAssertTrue(line.stderr.contains("no record starts at line 500") && line.stderr.contains("lines 1 to 18"), line.stderr)
        let nothing = try CLI.run(["explain", "--checkpoint-dir", ck.path])
        XCTAssertEqual(nothing.status, ExitStatus.usage.rawValue, nothing.stderr)
        try write("not a database, but long enough to have a header of one hundred bytes....................................", to: ck.appendingPathComponent("entropyguard.sqlite"))
        let damaged = try CLI.run(["explain", "--checkpoint-dir", ck.path, "0"])
        XCTAssertEqual(damaged.status, ExitStatus.ioError.rawValue, damaged.stderr)
    }

    /// The semantic stage with the real model: a paraphrase names its original, both texts and the
    /// similarity the audit log and --annotate record.
    func testSemanticDuplicateNamesItsOriginalWithTheSimilarity() throws {
        let dir = try makeTemporaryDirectory()
        let ck = dir.appendingPathComponent("ck")
        let result = try CLI.run(["--input", SemanticCLITests.fixture.path, "--output", dir.appendingPathComponent("a.jsonl").path,
                                  "--text-column", "text", "--min-length", "20", "--dedup-threshold", "0.85", "--checkpoint-dir", ck.path,
                                  "--audit-log", dir.appendingPathComponent("audit.jsonl").path, "--annotate", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let audit = try read(dir.appendingPathComponent("audit.jsonl")).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let entry = try XCTUnwrap(audit.first { $0["reason"] as? String == "semantic_duplicate" })
        let row = entry["row_index"] as! Int, originalRow = entry["duplicate_of"] as! Int
        let similarity = try XCTUnwrap(entry["similarity"] as? Double)
        let annotated = try read(dir.appendingPathComponent("a.jsonl")).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let annotation = try XCTUnwrap(annotated[row]["_entropyguard"] as? [String: Any])
        XCTAssertEqual(annotation["similarity"] as? Double, similarity)
        XCTAssertEqual(annotation["duplicate_of"] as? Int, originalRow)

        let journey = try XCTUnwrap(explainJSON(ck, [String(row)]).first)
        XCTAssertEqual(verdicts(journey)["semantic_dedup"], "dropped")
        let of = try XCTUnwrap(journey["duplicate_of"] as? [String: Any])
        XCTAssertEqual(of["row"] as? Int, originalRow)
        XCTAssertEqual(of["similarity"] as? Double, similarity)
        XCTAssertEqual(of["text"] as? String, annotated[row]["text"] as? String)
        XCTAssertEqual(of["original_text"] as? String, annotated[originalRow]["text"] as? String)
        let original = try XCTUnwrap(explainJSON(ck, [String(originalRow)]).first)
        let first = try XCTUnwrap((original["duplicates"] as? [String: Any])?["first"] as? [[String: Any]])
        XCTAssertTrue(first.contains { $0["row"] as? Int == row && $0["similarity"] as? Double == similarity }, "\(first)")
        let text = try CLI.run(["explain", "--checkpoint-dir", ck.path, String(row)]).stdoutText
        XCTAssertTrue(text.contains("  duplicate of row \(originalRow), similarity \(similarity):"), text)
    }
}
