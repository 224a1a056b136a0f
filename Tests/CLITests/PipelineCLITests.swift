import EntropyGuard
import Foundation
import XCTest

/// End-to-end behaviour of the main command: output, resume, invalidation.
final class PipelineCLITests: XCTestCase {
    /// What the output must be, computed independently: keep-first exact dedup on lowercased,
    /// whitespace-collapsed text, after dropping null and short texts.
    func expectedOutput(_ dataset: String, minLength: Int) -> String {
        var seen = Set<String>()
        var kept: [String] = []
        for line in dataset.split(separator: "\n") {
            let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            guard let text = object["text"] as? String else { continue }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.count >= minLength else { continue }
            let key = trimmed.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            guard seen.insert(key).inserted else { continue }
            // Sanitize collapses runs of spaces and tabs and trims; the record keeps everything else.
            let cleaned = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            if cleaned == text {
                kept.append(String(line))
            } else {
                let escape = { (s: String) in s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\t", with: "\\t") }
                kept.append(line.replacingOccurrences(of: "\"text\": \"\(escape(text))\"", with: "\"text\": \"\(escape(cleaned))\""))
            }
        }
        return kept.map { $0 + "\n" }.joined()
    }

    func testCleansJSONLKeepingOtherFieldsByteForByte() throws {
        let dir = try makeTemporaryDirectory()
        let dataset = makeDataset(rows: 2000)
        try write(dataset, to: dir.appendingPathComponent("data.jsonl"))
        let result = try CLI.run(["--input", dir.appendingPathComponent("data.jsonl").path, "--output", dir.appendingPathComponent("out.jsonl").path,
                                  "--text-column", "text", "--checkpoint-dir", dir.appendingPathComponent("ck").path, "--no-semantic-dedup",
                                  "--min-length", "20"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let output = try read(dir.appendingPathComponent("out.jsonl"))
        XCTAssertEqual(output, expectedOutput(dataset, minLength: 20))
        XCTAssertTrue(result.stderr.contains("exact_duplicate"), result.stderr)
        XCTAssertTrue(result.stdout.isEmpty, "data goes to the output file, nothing on stdout")
    }

    func testRepeatedRunResumesAndWritesIdenticalOutput() throws {
        let dir = try makeTemporaryDirectory()
        try write(makeDataset(rows: 3000), to: dir.appendingPathComponent("data.jsonl"))
        let args = ["--input", dir.appendingPathComponent("data.jsonl").path, "--text-column", "text",
                    "--checkpoint-dir", dir.appendingPathComponent("ck").path, "--no-semantic-dedup", "--min-length", "20"]
        let first = try CLI.run(args + ["--output", dir.appendingPathComponent("a.jsonl").path])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertFalse(first.stderr.contains("Resuming"))
        // A changed --output and a moved input keep every checkpoint.
        try FileManager.default.moveItem(at: dir.appendingPathComponent("data.jsonl"), to: dir.appendingPathComponent("moved.jsonl"))
        var movedArgs = args
        movedArgs[1] = dir.appendingPathComponent("moved.jsonl").path
        let second = try CLI.run(movedArgs + ["--output", dir.appendingPathComponent("b.jsonl").path])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("Resuming from checkpoint after_semantic_dedup (generation \(StageRegistry.standard["semantic_dedup"]!.generation),"), second.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("a.jsonl")), try Data(contentsOf: dir.appendingPathComponent("b.jsonl")))
        XCTAssertFalse(second.stderr.contains("ingest          ran"), "a finished run must not ingest again:\n\(second.stderr)")
    }

    func testChangedStageSettingInvalidatesFromThatStageOnly() throws {
        let dir = try makeTemporaryDirectory()
        try write(makeDataset(rows: 1500), to: dir.appendingPathComponent("data.jsonl"))
        let base = ["--input", dir.appendingPathComponent("data.jsonl").path, "--text-column", "text", "--output",
                    dir.appendingPathComponent("out.jsonl").path, "--checkpoint-dir", dir.appendingPathComponent("ck").path, "--no-semantic-dedup"]
        XCTAssertEqual(try CLI.run(base + ["--min-length", "20"]).status, 0)
        let changed = try CLI.run(base + ["--min-length", "30"])
        XCTAssertEqual(changed.status, 0, changed.stderr)
        XCTAssertTrue(changed.stderr.contains("Resuming from checkpoint after_chunk (generation \(StageRegistry.standard["chunk"]!.generation),"), changed.stderr)
        XCTAssertTrue(changed.stderr.contains("validate        ran"), changed.stderr)
        let dataset = try read(dir.appendingPathComponent("data.jsonl"))
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")), expectedOutput(dataset, minLength: 30))
    }

    func testChangedInputContentInvalidatesEverything() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        try write(makeDataset(rows: 500), to: input)
        let args = ["--input", input.path, "--text-column", "text", "--output", dir.appendingPathComponent("out.jsonl").path,
                    "--checkpoint-dir", dir.appendingPathComponent("ck").path, "--no-semantic-dedup", "--min-length", "20"]
        XCTAssertEqual(try CLI.run(args).status, 0)
        let changedDataset = makeDataset(rows: 500, seed: 7)
        try write(changedDataset, to: input)
        let result = try CLI.run(args + ["--resume"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("Checkpoint invalid or not found: input changed"), result.stderr)
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")), expectedOutput(changedDataset, minLength: 20))
    }

    func testNoAutoResumeResetsTheStore() throws {
        let dir = try makeTemporaryDirectory()
        try write(makeDataset(rows: 300), to: dir.appendingPathComponent("data.jsonl"))
        let args = ["--input", dir.appendingPathComponent("data.jsonl").path, "--text-column", "text", "--output", dir.appendingPathComponent("out.jsonl").path,
                    "--checkpoint-dir", dir.appendingPathComponent("ck").path, "--no-semantic-dedup"]
        XCTAssertEqual(try CLI.run(args).status, 0)
        let again = try CLI.run(args + ["--no-auto-resume"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("the store in"), again.stderr)
        XCTAssertFalse(again.stderr.contains("Resuming"), again.stderr)
        XCTAssertTrue(again.stderr.contains("ingest          ran"), again.stderr)
    }

    func testResumeFromRedoesThatStageAndLater() throws {
        let dir = try makeTemporaryDirectory()
        try write(makeDataset(rows: 300), to: dir.appendingPathComponent("data.jsonl"))
        let args = ["--input", dir.appendingPathComponent("data.jsonl").path, "--text-column", "text", "--output", dir.appendingPathComponent("out.jsonl").path,
                    "--checkpoint-dir", dir.appendingPathComponent("ck").path, "--no-semantic-dedup"]
        XCTAssertEqual(try CLI.run(args).status, 0)
        let again = try CLI.run(args + ["--resume-from", "exact_dedup"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("Resuming from checkpoint after_validate (generation \(StageRegistry.standard["validate"]!.generation),"), again.stderr)
        XCTAssertTrue(again.stderr.contains("exact_dedup     ran"), again.stderr)
    }

    func testStdinToStdout() throws {
        let dataset = makeDataset(rows: 400)
        let result = try CLI.run(["--text-column", "text", "--no-semantic-dedup", "--min-length", "20"], stdin: Data(dataset.utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutText, expectedOutput(dataset, minLength: 20))
    }

    func testJSONSummaryGoesToStderrWhenDataIsOnStdout() throws {
        let result = try CLI.run(["--text-column", "text", "--no-semantic-dedup", "--json", "--quiet"], stdin: Data(makeDataset(rows: 50).utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        let summaryLine = try XCTUnwrap(result.stderr.split(separator: "\n").last)
        let summary = try JSONSerialization.jsonObject(with: Data(summaryLine.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["rows_in"] as? Int, 50)
        XCTAssertEqual(summary?["rows_out"] as? Int, result.stdoutText.split(separator: "\n").count)
    }

    func testTextColumnIsDetectedWhenOmitted() throws {
        let lines = (0..<20).map { "{\"id\": \"r\($0)\", \"body\": \"a long enough body text number \($0) to be the text column here\", \"tag\": \"x\"}" }
        let result = try CLI.run(["--no-semantic-dedup", "--min-length", "5"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("Using text column 'body'"), result.stderr)
        XCTAssertEqual(result.stdoutText.split(separator: "\n").count, 20)
    }

    func testCSVInputToCSVAndJSONLOutput() throws {
        let dir = try makeTemporaryDirectory()
        let csv = "id,text,note\r\n1,\"Hello, world, this is a long enough line\",a\r\n2,\"Multi\nline \"\"quoted\"\" text that is long\",\r\n3,\"hello,   WORLD, this is a long enough line\",c\r\n"
        try write(csv, to: dir.appendingPathComponent("data.csv"))
        let toCSV = try CLI.run(["--input", dir.appendingPathComponent("data.csv").path, "--output", dir.appendingPathComponent("out.csv").path,
                                 "--text-column", "text", "--no-semantic-dedup", "--min-length", "10"])
        XCTAssertEqual(toCSV.status, 0, toCSV.stderr)
        XCTAssertEqual(try read(dir.appendingPathComponent("out.csv")),
                       "id,text,note\r\n1,\"Hello, world, this is a long enough line\",a\r\n2,\"Multi\nline \"\"quoted\"\" text that is long\",\r\n")
        let toJSONL = try CLI.run(["--input", dir.appendingPathComponent("data.csv").path, "--text-column", "text", "--no-semantic-dedup", "--min-length", "10"])
        XCTAssertEqual(toJSONL.status, 0, toJSONL.stderr)
        let objects = toJSONL.stdoutText.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: String] }
        XCTAssertEqual(objects.count, 2)
        XCTAssertEqual(objects[1]["text"], "Multi\nline \"quoted\" text that is long")
    }
}
