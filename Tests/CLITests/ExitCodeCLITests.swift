import EntropyGuard
import Foundation
import XCTest

/// Inputs and situations that once ended in the wrong exit code or an unhelpful message: each now gets
/// its documented code and one plain line.
final class ExitCodeCLITests: XCTestCase {
    let longText = "A perfectly ordinary line of text, long enough to be kept."

    func testCSVQuoteOpenAtEndOfFileIsABadRecord() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("u.csv")
        try write("id,text\n1,\"\(longText)\"\n2,\"an open quote\nthat never closes\n", to: input)
        let args = ["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path, "--text-column", "text",
                    "--no-semantic-dedup", "--audit-log", dir.appendingPathComponent("audit.jsonl").path]

        let strict = try CLI.run(args)
        XCTAssertEqual(strict.status, 65, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("u.csv:3: invalid CSV: unterminated quoted field"), strict.stderr)
        XCTAssertTrue(strict.stderr.contains("--skip-bad-lines"), strict.stderr)
        XCTAssertFalse(strict.stderr.contains("internal error"), strict.stderr)

        let skipping = try CLI.run(args + ["--skip-bad-lines"])
        XCTAssertEqual(skipping.status, 0, skipping.stderr)
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")), "{\"id\":\"1\",\"text\":\"\(longText)\"}\n")
        let audit = try read(dir.appendingPathComponent("audit.jsonl"))
        XCTAssertTrue(audit.contains("\"row_index\": 1, \"stage\": \"ingest\", \"reason\": \"bad_record\""), audit)
        XCTAssertTrue(audit.contains("unterminated quoted field"), audit)
    }
}
