@testable import EntropyGuard
import Foundation
import XCTest

/// Sanitize, chunk, validate, audit log, settings file and dry run, through the binary.
final class CleaningCLITests: XCTestCase {
    func run(_ lines: [String], _ extra: [String], in dir: URL? = nil) throws -> (CLIResult, URL) {
        let dir = try dir ?? makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        try write(lines.joined(separator: "\n") + "\n", to: input)
        let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path,
                                  "--text-column", "text", "--no-semantic-dedup"] + extra, currentDirectory: dir)
        return (result, dir)
    }

    func outputTexts(_ dir: URL) throws -> [String] {
        try read(dir.appendingPathComponent("out.jsonl")).split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["text"] as! String
        }
    }

    func testSanitizeKeepsCaseMasksPIIWithoutPartialLeaksAndDedupsCleanedText() throws {
        let (result, dir) = try run([
            #"{"text": "<p>Write to <b>John.Smith@Example.com</b> &amp; call +1 (555) 123-4567 today.</p>"}"#,
            #"{"text": "Write to jane@example.org & call +1 (555) 987-6543 today."}"#,
            #"{"text": "Card 4111 1111 1111 1111 and order 1234567890 are in the Ledger."}"#,
            #"{"text": "Comparing a < b and c > d is not HTML at all, Mister."}"#,
        ], ["--min-length", "10", "--audit-log", "audit.jsonl"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try outputTexts(dir), [
            "Write to [EMAIL_REMOVED] & call [PHONE_REMOVED] today.",
            "Card [CREDIT_CARD_REMOVED] and order 1234567890 are in the Ledger.",
            "Comparing a < b and c > d is not HTML at all, Mister.",
        ])
        // Row 1 differs from row 0 only in PII values: identical after masking, so an exact duplicate.
        let audit = try read(dir.appendingPathComponent("audit.jsonl"))
        XCTAssertTrue(audit.contains("\"row_index\": 1, \"stage\": \"exact_dedup\", \"reason\": \"exact_duplicate\", \"details\": null, \"duplicate_of\": 0"), audit)
    }

    func testChunksAreRowsLinkedToTheirParent() throws {
        let long = (0..<40).map { "Sentence number \($0) is here." }.joined(separator: " ")
        let (result, dir) = try run([#"{"id": 1, "text": "\#(long)"}"#, #"{"id": 2, "text": "A short text that stays whole."}"#],
                                    ["--min-length", "5", "--chunk-size", "200", "--chunk-overlap", "30", "--checkpoint-dir", "ck"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let records = try read(dir.appendingPathComponent("out.jsonl")).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let chunks = records.filter { $0["id"] as? Int == 1 }
        XCTAssertGreaterThan(chunks.count, 4)
        for (index, chunk) in chunks.enumerated() {
            let text = chunk["text"] as! String
            XCTAssertLessThanOrEqual(text.unicodeScalars.count, 200)
            XCTAssertTrue(long.contains(text.trimmingCharacters(in: .whitespaces)))
            let link = chunk["_chunk"] as! [String: Int]
            XCTAssertEqual(link["parent"], 0)
            XCTAssertEqual(link["index"], index)
        }
        XCTAssertTrue((records.last!["_chunk"]) is NSNull)
        let db = try Database(path: dir.appendingPathComponent("ck/entropyguard.sqlite").path)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM after_chunk WHERE parent_row = 0")?.int, chunks.count)
        XCTAssertEqual(try db.scalar("SELECT drop_reason FROM rows WHERE row_id = 0")?.string, "split_into_chunks")
    }

    func testAuditLogHasOneEntryPerDroppedRowMatchingTheSummary() throws {
        var lines = (0..<30).map { #"{"text": "Row \#($0 % 20) has some words so it is long enough to keep."}"# }
        lines += [#"{"text": null}"#, #"{"text": "   "}"#, #"{"text": "tiny"}"#, #"{"nope": 1}"#]
        for name in ["audit.json", "audit.jsonl"] {
            let (result, dir) = try run(lines, ["--min-length", "10", "--audit-log", name, "--json", "--quiet"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let summary = try JSONSerialization.jsonObject(with: result.stdout) as! [String: Any]
            let summed = (summary["stages"] as! [[String: Any]]).reduce(0) { $0 + ($1["dropped"] as! [String: Int]).values.reduce(0, +) }
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            let entries: [[String: Any]] = name.hasSuffix(".json")
                ? try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
                : try String(decoding: data, as: UTF8.self).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            XCTAssertEqual(entries.count, 14, name)
            XCTAssertEqual(entries.count, summed, name)
            XCTAssertEqual(summary["rows_in"] as? Int, 34)
            XCTAssertEqual(Set(entries.map { $0["row_index"] as! Int }).count, entries.count, "one entry per row")
        }
    }

    func testSettingsFilePrecedenceAndErrors() throws {
        let dir = try makeTemporaryDirectory()
        let lines = [#"{"text": "exactly twenty chars"}"#, #"{"text": "this one is a good deal longer than twenty characters"}"#]
        try write("min-length = 30\nno-pii = true\n", to: dir.appendingPathComponent(".entropyguardrc.toml"))
        let (fromFile, _) = try run(lines, [], in: dir)
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        XCTAssertEqual(try outputTexts(dir).count, 1, "min-length 30 from the discovered file")
        let (overridden, _) = try run(lines, ["--min-length", "5"], in: dir)
        XCTAssertEqual(overridden.status, 0, overridden.stderr)
        XCTAssertEqual(try outputTexts(dir).count, 2, "the command line wins over the file")

        try write(#"{"min-lenght": 3}"#, to: dir.appendingPathComponent("bad.json"))
        let (unknown, _) = try run(lines, ["--config", "bad.json"], in: dir)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("bad.json") && unknown.stderr.contains("min-lenght"), unknown.stderr)
        try write(#"{"min-length": "long"}"#, to: dir.appendingPathComponent("bad2.json"))
        let (badValue, _) = try run(lines, ["--config", "bad2.json"], in: dir)
        XCTAssertEqual(badValue.status, 64)
        XCTAssertTrue(badValue.stderr.contains("bad2.json") && badValue.stderr.contains("min-length"), badValue.stderr)
    }

    func testSettingsFileTakesPartInTheConfigHash() throws {
        let dir = try makeTemporaryDirectory()
        let lines = (0..<10).map { #"{"text": "Text number \#($0) with enough characters in it."}"# }
        XCTAssertEqual(try run(lines, ["--checkpoint-dir", "ck"], in: dir).0.status, 0)
        try write(#"{"min-length": 10}"#, to: dir.appendingPathComponent("cfg.json"))
        let (changed, _) = try run(lines, ["--checkpoint-dir", "ck", "--config", "cfg.json"], in: dir)
        XCTAssertEqual(changed.status, 0, changed.stderr)
        XCTAssertTrue(changed.stderr.contains("Resuming from checkpoint after_chunk"), changed.stderr)
    }

    func testDryRunWritesNothingAndReportsWhatWouldBeWritten() throws {
        let (result, dir) = try run([#"{"text": "A text long enough to survive the checks."}"#, #"{"text": "short"}"#],
                                    ["--min-length", "10", "--dry-run"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path))
        XCTAssertTrue(result.stderr.contains("1 rows would be written"), result.stderr)
        XCTAssertTrue(result.stderr.contains("below_min_length 1"), result.stderr)
    }

    func testRequiredColumnsAreCheckedBeforeAnythingRuns() throws {
        let (result, dir) = try run([#"{"id": 1, "text": "Some text that is long enough to pass."}"#], ["--required-columns", "id,label", "--checkpoint-dir", "ck"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("label") && result.stderr.contains("available columns: id, text"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ck/entropyguard.sqlite").path) &&
                       ((try? Database(path: dir.appendingPathComponent("ck/entropyguard.sqlite").path).scalar("SELECT count(*) FROM rows")?.int) ?? 0) > 0)
    }
}
