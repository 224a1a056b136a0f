import Foundation
import XCTest

/// Each bad-input case gives its documented result: exit code, message naming file:line, nothing lost.
final class BadInputCLITests: XCTestCase {
    let good1 = "{\"text\": \"The first perfectly ordinary line of text in this file.\"}"
    let good2 = "{\"text\": \"The second perfectly ordinary line of text in this file.\"}"

    func run(_ content: Data, extra: [String] = [], name: String = "data.jsonl") throws -> (CLIResult, URL) {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent(name)
        try content.write(to: input)
        let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path,
                                  "--text-column", "text", "--no-semantic-dedup", "--min-length", "10",
                                  "--audit-log", dir.appendingPathComponent("audit.jsonl").path] + extra)
        return (result, dir)
    }

    func testBadJSONLineStopsWithExit65NamingFileAndLine() throws {
        let (result, dir) = try run(Data("\(good1)\n\(good2)\n{\"text\": \"broken\n".utf8))
        XCTAssertEqual(result.status, 65, result.stderr)
        XCTAssertTrue(result.stderr.contains("data.jsonl:3:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("{\"text\": \"broken"), "snippet of the line: \(result.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path), "no partial output")
    }

    func testLineThatIsNotAnObject() throws {
        let (result, _) = try run(Data("\(good1)\n[1, 2, 3]\n".utf8))
        XCTAssertEqual(result.status, 65, result.stderr)
        XCTAssertTrue(result.stderr.contains(":2:"), result.stderr)
        XCTAssertTrue(result.stderr.lowercased().contains("not a json object"), result.stderr)
    }

    func testInvalidUTF8() throws {
        var bytes = Data("\(good1)\n{\"text\": \"caf".utf8)
        bytes.append(contentsOf: [0xC3, 0x28])
        bytes.append(Data(" is not valid utf-8 at all here\"}\n".utf8))
        let (result, _) = try run(bytes)
        XCTAssertEqual(result.status, 65, result.stderr)
        XCTAssertTrue(result.stderr.contains(":2:") && result.stderr.contains("UTF-8"), result.stderr)
    }

    func testSkipBadLinesRecordsThemAndGoesOn() throws {
        let (result, dir) = try run(Data("\(good1)\nnot json at all\n\(good2)\n".utf8), extra: ["--skip-bad-lines"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")), "\(good1)\n\(good2)\n")
        let audit = try read(dir.appendingPathComponent("audit.jsonl"))
        XCTAssertTrue(audit.contains("\"row_index\": 1, \"stage\": \"ingest\", \"reason\": \"bad_record\""), audit)
    }

    func testBOMAndCRLFAndBlankLines() throws {
        let content = "\u{FEFF}\(good1)\r\n\r\n   \n\(good2)\r\n"
        let (result, dir) = try run(Data(content.utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")), "\(good1)\n\(good2)\n")
    }

    func testEmptyFileGivesEmptyOutput() throws {
        let (result, dir) = try run(Data())
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.jsonl")).count, 0)
    }

    func testMissingNullAndNumberTextsAreDroppedWithAReason() throws {
        let content = "\(good1)\n{\"other\": 1}\n{\"text\": null}\n{\"text\": 12345}\n\(good2)\n"
        let (result, dir) = try run(Data(content.utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")), "\(good1)\n\(good2)\n")
        let audit = try read(dir.appendingPathComponent("audit.jsonl")).split(separator: "\n")
        XCTAssertEqual(audit.count, 3)
        XCTAssertTrue(audit[0].contains("\"reason\": \"empty_or_null\", \"details\": \"text field missing\""), String(audit[0]))
        XCTAssertTrue(audit[1].contains("\"details\": \"text is null\""), String(audit[1]))
        XCTAssertTrue(audit[2].contains("\"details\": \"text is not a string\""), String(audit[2]))
    }

    func testTenMegabyteLine() throws {
        let big = String(repeating: "lorem ipsum dolor sit amet ", count: 400_000) + "end"
        let content = "\(good1)\n{\"id\": 2, \"text\": \"\(big)\"}\n"
        let (result, dir) = try run(Data(content.utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out.jsonl")), Data(content.utf8))
    }

    func testMissingInputIsExit66() throws {
        let result = try CLI.run(["--input", "/nonexistent/data.jsonl", "--output", "-", "--text-column", "text"])
        XCTAssertEqual(result.status, 66, result.stderr)
        XCTAssertTrue(result.stderr.contains("/nonexistent/data.jsonl"), result.stderr)
    }

    /// With a store in the checkpoint dir, the input is opened on a worker while the store is opened and
    /// checked (`PendingInput`): a missing input is still exit 66 before the store is touched, an input
    /// that fails only once opened (a directory without Parquet files) fails the run with its own error,
    /// and either way the store is left as it was: the next run with the input resumes from it.
    func testAMissingOrBadInputLeavesAnExistingStoreAsItWas() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl"), ck = dir.appendingPathComponent("ck")
        try write("\(good1)\n\(good2)\n", to: input)
        let args = ["--output", dir.appendingPathComponent("out.jsonl").path, "--text-column", "text", "--no-semantic-dedup",
                    "--checkpoint-dir", ck.path, "--json"]
        XCTAssertEqual(try CLI.run(["--input", input.path] + args).status, 0)
        /// The store's content (`.dump`: opening it rewrites its views, so its header bytes change).
        func dump() throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = [ck.appendingPathComponent("entropyguard.sqlite").path, ".dump"]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text
        }
        let before = try dump()
        XCTAssertTrue(before.contains("INSERT INTO checkpoints"), before)

        let missing = try CLI.run(["--input", dir.appendingPathComponent("gone.jsonl").path] + args)
        XCTAssertEqual(missing.status, 66, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("gone.jsonl: input file not found"), missing.stderr)
        let empty = dir.appendingPathComponent("empty-dir")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let bad = try CLI.run(["--input", empty.path] + args)
        XCTAssertEqual(bad.status, 66, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("empty-dir"), bad.stderr)
        XCTAssertEqual(try dump(), before)

        let again = try CLI.run(["--input", input.path] + args)
        XCTAssertEqual(again.status, 0, again.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: again.stdout) as? [String: Any])
        let stages = (summary["stages"] as? [[String: Any]] ?? []).filter { $0["name"] as? String != "output" }
        XCTAssertEqual(Set(stages.compactMap { $0["status"] as? String }), ["resumed"], "\(stages)")
    }

    func testOutputThatCannotBeCreatedIsExit73() throws {
        let dir = try makeTemporaryDirectory()
        try write("\(good1)\n", to: dir.appendingPathComponent("data.jsonl"))
        let result = try CLI.run(["--input", dir.appendingPathComponent("data.jsonl").path, "--output", "/nonexistent/dir/out.jsonl",
                                  "--text-column", "text", "--no-semantic-dedup"])
        XCTAssertEqual(result.status, 73, result.stderr)
    }

    func testUsageErrorsAreExit64() throws {
        XCTAssertEqual(try CLI.run(["--resume", "--input", "x.jsonl"]).status, 64)
        XCTAssertEqual(try CLI.run(["--dedup-threshold", "1.5"]).status, 64)
        XCTAssertEqual(try CLI.run(["--min-length", "-1"]).status, 64)
        XCTAssertEqual(try CLI.run(["--resume-from", "nowhere", "--checkpoint-dir", "/tmp/x"]).status, 64)
        let unknownColumn = try CLI.run(["--text-column", "nope", "--no-semantic-dedup"], stdin: Data("a,b\n1,2\n".utf8))
        XCTAssertEqual(unknownColumn.status, 64, unknownColumn.stderr)
    }
}
