import Foundation
import SplitMix
import XCTest

/// `entropyguard report` and `--report` through the binary, on a store made by a real run with every
/// stage on (the real MiniLM model): the page's numbers against the store (recomputed in Python), its
/// validity (html5lib, strict), no URL, and a render in headless Chromium.
final class ReportCLITests: XCTestCase {
    /// The paraphrase fixture (semantic duplicates and near misses), then near-copies of long texts for
    /// fuzzy dedup (1 to 4 words changed), PII and HTML for sanitize, short texts and exact copies.
    static func lines() throws -> [String] {
        var lines = try String(contentsOf: SemanticCLITests.fixture, encoding: .utf8).split(separator: "\n").map(String.init)
        var random = SplitMix64(seed: 17)
        let vocabulary = (0..<500).map { "w\($0)" }
        for cluster in 0..<4 {
            let base = (0..<100).map { _ in vocabulary[Int(random.next() % 500)] }
            lines.append(#"{"text": "cluster \#(cluster) \#(base.joined(separator: " "))"}"#)
            for changes in 1...4 {
                var words = base
                for _ in 0..<changes { words[Int(random.next() % 100)] = "x\(random.next() % 1000)" }
                lines.append(#"{"text": "cluster \#(cluster) \#(words.joined(separator: " "))"}"#)
            }
        }
        lines += [
            #"{"text": "<p>Write to <b>jane.roe@example.org</b> or call 555-123-4567 for the museum's group visits.</p>"}"#,
            #"{"text": "The server at 192.168.10.20 logged a visit from john@example.com during the night shift."}"#,
            #"{"text": "<div>Plain markup around a sentence that is long enough to be kept by validate.</div>"}"#,
            #"{"text": "tiny"}"#, #"{"text": "   "}"#, #"{"text": null}"#,
            #"{"text": "The library closes at six o'clock on weekdays and at noon on Saturdays."}"#,
            #"{"text": "the library closes at six o'clock on weekdays and at noon on saturdays."}"#,
        ]
        return lines
    }

    /// Runs the pipeline with --report into `dir/ck`.
    private func makeStore(_ dir: URL) throws -> (ck: URL, stderr: String) {
        let input = dir.appendingPathComponent("in.jsonl")
        try write(try Self.lines().joined(separator: "\n") + "\n", to: input)
        let ck = dir.appendingPathComponent("ck")
        let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path, "--text-column", "text",
                                  "--checkpoint-dir", ck.path, "--min-length", "20", "--dedup-threshold", "0.92", "--report", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return (ck, result.stderr)
    }

    private func check(_ arguments: [String], in dir: URL, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let (status, output) = try runPythonScript(reportCheckScript, named: "check_report.py", arguments, in: dir)
        XCTAssertEqual(status, 0, output, file: file, line: line)
        return output
    }

    func testPageNumbersEqualTheStoreAndThePageIsValidAndSelfContained() throws {
        let dir = try makeTemporaryDirectory()
        let (ck, stderr) = try makeStore(dir)
        let page = ck.appendingPathComponent("report.html")
        XCTAssertTrue(stderr.contains("report: \(page.path) ("), stderr)
        let html = try read(page)
        // Every section is there, with data in the threshold sections.
        for id in ["summary", "fuzzy_dedup", "semantic_dedup", "groups", "sanitize", "validate", "checkpoints"] {
            XCTAssertTrue(html.contains("<section id=\"\(id)\">"), id)
        }
        XCTAssertFalse(html.contains("jane.roe@example.org"), "PII never shows")
        XCTAssertTrue(html.contains("&lt;email&gt;"))
        XCTAssertTrue(html.contains("<del>"), "pairs show their differing words")
        let output = try check(["page", page.path, ck.path], in: dir)
        XCTAssertTrue(output.hasPrefix("ok "), output)

        // The store must hold what the page is about: near misses of both stages, fuzzy and semantic drops.
        let facts = Int(output.split(separator: " ")[1]) ?? 0
        XCTAssertGreaterThan(facts, 60)
        for stage in ["fuzzy_dedup", "semantic_dedup"] {
            XCTAssertTrue(html.contains("data-fact=\"dropped.\(stage)\""), stage)
            XCTAssertFalse(html.contains("data-fact=\"dropped.\(stage)\" data-value=\"0\""), "\(stage) dropped rows")
        }

        // `report --output` writes elsewhere and prints the path on stdout; the same store gives the
        // same page except for its time stamp.
        let other = dir.appendingPathComponent("other.html")
        let again = try CLI.run(["report", "--checkpoint-dir", ck.path, "--output", other.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stdoutText, other.path + "\n")
        let stamp = try NSRegularExpression(pattern: "report made [0-9TZ:.-]+")
        func unstamped(_ text: String) -> String {
            stamp.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
        }
        XCTAssertEqual(unstamped(try read(other)), unstamped(html))
    }

    func testNearMissesAreKeptRowsBelowTheThresholdAndGoWithARewind() throws {
        let dir = try makeTemporaryDirectory()
        let (ck, _) = try makeStore(dir)
        let db = ck.appendingPathComponent("entropyguard.sqlite").path
        func sql(_ query: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = [db, query]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Both stages recorded near misses: kept rows (alive after the stage), below the threshold, within 0.05.
        for (stage, threshold) in [("fuzzy_dedup", 0.8), ("semantic_dedup", 0.92)] {
            let count = Int(try sql("SELECT count(*) FROM near_misses m JOIN stages s USING (generation) WHERE s.name = '\(stage)'")) ?? 0
            XCTAssertGreaterThan(count, 0, stage)
            XCTAssertEqual(try sql("""
                SELECT count(*) FROM near_misses m JOIN stages s USING (generation) JOIN rows r USING (row_id)
                WHERE s.name = '\(stage)' AND (r.dropped_by IS NOT NULL AND r.dropped_by <= m.generation
                       OR m.similarity >= \(threshold) OR m.similarity < \(threshold - 0.05) - 1e-6)
                """), "0", stage)
        }
        // Another threshold redoes semantic_dedup only: its near misses are replaced, fuzzy's stay.
        let fuzzyBefore = try sql("SELECT count(*) FROM near_misses WHERE generation = (SELECT generation FROM stages WHERE name = 'fuzzy_dedup')")
        let input = dir.appendingPathComponent("in.jsonl")
        let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out2.jsonl").path, "--text-column", "text",
                                  "--checkpoint-dir", ck.path, "--min-length", "20", "--dedup-threshold", "0.99", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try sql("SELECT count(*) FROM near_misses WHERE generation = (SELECT generation FROM stages WHERE name = 'fuzzy_dedup')"), fuzzyBefore)
        XCTAssertEqual(try sql("SELECT count(*) FROM near_misses WHERE generation = (SELECT generation FROM stages WHERE name = 'semantic_dedup') AND (similarity >= 0.99 OR similarity < 0.94 - 1e-6)"), "0")
        XCTAssertEqual(try sql("SELECT settings LIKE '%threshold=0.99;%' FROM checkpoint_settings WHERE generation = (SELECT generation FROM stages WHERE name = 'semantic_dedup')"), "1")
    }

    /// The page rendered by Chromium from Debian (scripts/install-deps installs it): a screenshot of
    /// the requested size that is not blank.
    func testPageRendersInHeadlessChromium() throws {
        let chromium = try XCTUnwrap(["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                     "no chromium: run scripts/install-deps")
        let dir = try makeTemporaryDirectory()
        let (ck, _) = try makeStore(dir)
        let shot = dir.appendingPathComponent("shot.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        // As root Chromium needs --no-sandbox; its own profile dir keeps it away from the user's.
        process.arguments = ["--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--user-data-dir=\(dir.appendingPathComponent("profile").path)"]
            + (geteuid() == 0 ? ["--no-sandbox"] : [])
            + ["--window-size=1000,1400", "--screenshot=\(shot.path)", ck.appendingPathComponent("report.html").absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let output = try check(["png", shot.path, "1000", "1400"], in: dir)
        XCTAssertTrue(output.hasPrefix("ok "), output)
    }

    func testErrorsHaveTheirExitCodes() throws {
        let dir = try makeTemporaryDirectory()
        let missing = try CLI.run(["report", "--checkpoint-dir", dir.appendingPathComponent("none").path])
        XCTAssertEqual(missing.status, 66, missing.stderr)
        let noDir = try CLI.run(["--input", "-", "--report"], stdin: Data())
        XCTAssertEqual(noDir.status, 64, noDir.stderr)
        XCTAssertTrue(noDir.stderr.contains("--report needs --checkpoint-dir"), noDir.stderr)
    }
}
