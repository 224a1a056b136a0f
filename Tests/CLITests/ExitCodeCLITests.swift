import SplitMix
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

    /// A directory on a read-only filesystem: a read-only tmpfs mounted for the test (the tests run as
    /// root, for whom permissions alone would not stop a write).
    func readOnlyDirectory() throws -> URL {
        let dir = try makeTemporaryDirectory().appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", dir.path]
        try mount.run()
        mount.waitUntilExit()
        XCTAssertEqual(mount.terminationStatus, 0, "mounting a read-only tmpfs needs root (CAP_SYS_ADMIN)")
        addTeardownBlock {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [dir.path]
            try? umount.run()
            umount.waitUntilExit()
        }
        return dir
    }

    func testNewCheckpointDirOnAReadOnlyFilesystemIsExit73() throws {
        let readOnly = try readOnlyDirectory()
        XCTAssertFalse(FileManager.default.createFile(atPath: readOnly.appendingPathComponent("probe").path, contents: nil),
                       "the mount is read-only")
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        try write("{\"text\": \"\(longText)\"}\n", to: input)
        for checkpointDir in [readOnly.appendingPathComponent("ck"), readOnly.appendingPathComponent("a/b/ck"),
                              input.appendingPathComponent("ck")] {
            let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path,
                                      "--text-column", "text", "--no-semantic-dedup", "--checkpoint-dir", checkpointDir.path])
            XCTAssertEqual(result.status, 73, result.stderr)
            let reason = checkpointDir.path.hasPrefix(readOnly.path) ? "Read-only file system" : "Not a directory"
            XCTAssertEqual(result.stderr, "entropyguard: error: \(checkpointDir.path): cannot create the checkpoint directory: \(reason)\n")
        }
    }

    /// No byte of the input reaches the terminal raw: stderr is printable text, on few and short lines.
    func assertPrintable(_ stderr: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(stderr.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || $0 == "\u{FFFD}" },
                       "raw bytes in: \(stderr.debugDescription)", file: file, line: line)
        XCTAssertLessThan(stderr.count, 600, stderr, file: file, line: line)
    }

    func testParquetInputIsRecognisedByExtensionOrMagic() throws {
        let dir = try makeTemporaryDirectory()
        let jsonl = dir.appendingPathComponent("in.jsonl")
        try write("{\"text\": \"\(longText)\"}\n", to: jsonl)
        let parquet = dir.appendingPathComponent("in.parquet")
        let made = try CLI.run(["--input", jsonl.path, "--output", parquet.path, "--text-column", "text", "--no-semantic-dedup", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        // By its magic bytes, whatever the name says.
        let misnamed = dir.appendingPathComponent("in.csv")
        try FileManager.default.copyItem(at: parquet, to: misnamed)
        for input in [parquet, misnamed] {
            for text in [["--text-column", "text"], []] {
                let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path,
                                          "--no-semantic-dedup"] + text)
                XCTAssertEqual(result.status, 0, result.stderr)
                XCTAssertEqual(try read(dir.appendingPathComponent("out.jsonl")), "{\"text\":\"\(longText)\"}\n")
            }
        }
    }

    func testBinaryInputIsQuotedEscapedAndShort() throws {
        let dir = try makeTemporaryDirectory()
        var generator = SplitMix64(seed: 7)
        let bytes = (0..<200_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }.filter { $0 != 0x0A }
        for name in ["blob.csv", "blob.jsonl"] {
            let input = dir.appendingPathComponent(name)
            try Data([0x1B, 0x5B, 0x32, 0x4A] + bytes).write(to: input)   // starts with ESC [ 2 J (clear screen)
            let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path,
                                      "--no-semantic-dedup", "--text-column", "text"])
            XCTAssertEqual(result.status, 65, result.stderr)
            XCTAssertTrue(result.stderr.contains("\(name):1: "), result.stderr)
            XCTAssertTrue(result.stderr.contains(#"\x1B[2J"#), result.stderr)
            assertPrintable(result.stderr)
        }
    }

    func testJSONLTextColumnThatNoRecordHasIsAUsageError() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("a.jsonl")
        try write("{\"id\": 1, \"text\": \"\(longText)\"}\n{\"text\": \"\(longText) Two.\", \"lang\": \"en\"}\n", to: input)
        let output = dir.appendingPathComponent("out.jsonl")
        let result = try CLI.run(["--input", input.path, "--output", output.path, "--text-column", "body", "--no-semantic-dedup"])
        XCTAssertEqual(result.status, 64, result.stderr)
        XCTAssertEqual(result.stderr, "entropyguard: error: --text-column body: none of the first 2 records of \(input.path) has this field; fields seen: id, text, lang\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        // As for CSV.
        let csv = dir.appendingPathComponent("a.csv")
        try write("id,text\n1,\"\(longText)\"\n", to: csv)
        let csvResult = try CLI.run(["--input", csv.path, "--output", output.path, "--text-column", "body", "--no-semantic-dedup"])
        XCTAssertEqual(csvResult.status, 64, csvResult.stderr)
        // A field that only some records have is not a mistake: the others are dropped with a reason.
        try write("{\"id\": 1}\n{\"body\": \"\(longText)\"}\n", to: input)
        let partial = try CLI.run(["--input", input.path, "--output", output.path, "--text-column", "body", "--no-semantic-dedup"])
        XCTAssertEqual(partial.status, 0, partial.stderr)
        XCTAssertEqual(try read(output), "{\"body\": \"\(longText)\"}\n")
    }

    func testEmptyInputWarnsAndExits0WithAnEmptyOutput() throws {
        let dir = try makeTemporaryDirectory()
        // (input, its content, output, the output's content): no records, and a CSV output keeps a header only when there is one.
        let cases = [("empty.jsonl", "", "out.jsonl", ""), ("blank.jsonl", "  \n\n\t\r\n", "out.jsonl", ""),
                     ("blank.jsonl", "  \n\n\t\r\n", "out.csv", ""), ("header.csv", "id,text\r\n", "out.jsonl", ""),
                     ("header.csv", "id,text\r\n", "out.csv", "id,text\r\n"), ("empty.csv", "", "out.csv", "")]
        for (name, content, output, expected) in cases {
            let input = dir.appendingPathComponent(name)
            try write(content, to: input)
            let out = dir.appendingPathComponent(output)
            let result = try CLI.run(["--input", input.path, "--output", out.path, "--text-column", "text",
                                      "--no-semantic-dedup", "--quiet", "--checkpoint-dir", dir.appendingPathComponent("ck-\(name)").path])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stderr, "warning: \(input.path) has no records; the output is empty\n", "\(name) -> \(output)")
            XCTAssertEqual(try read(out), expected, "\(name) -> \(output)")
        }
        // From stdin, and without --text-column: nothing to detect a column from, said as such.
        let stdin = try CLI.run(["--text-column", "text", "--no-semantic-dedup"], stdin: Data())
        XCTAssertEqual(stdin.status, 0, stdin.stderr)
        XCTAssertTrue(stdin.stderr.hasPrefix("warning: <stdin> has no records; the output is empty\n"), stdin.stderr)
        XCTAssertEqual(stdin.stdout.count, 0)
        let undetected = try CLI.run(["--input", dir.appendingPathComponent("empty.jsonl").path, "--no-semantic-dedup"])
        XCTAssertEqual(undetected.status, 64, undetected.stderr)
        XCTAssertTrue(undetected.stderr.contains("has no records, so there is no text column to detect"), undetected.stderr)
    }

    /// The pid of a process that has ended.
    func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    func testStaleTemporaryFilesOfDeadRunsAreRemoved() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.jsonl")
        try write("{\"text\": \"\(longText)\"}\n", to: input)
        let ck = dir.appendingPathComponent("ck")
        try FileManager.default.createDirectory(at: ck, withIntermediateDirectories: true)
        let dead = try deadPID(), live = getpid()
        func plant(_ names: [String], in folder: URL) throws {
            for name in names { try Data("partial".utf8).write(to: folder.appendingPathComponent(name)) }
        }
        let stale = [".out.parquet.tmp-\(dead)-5", ".out.jsonl.tmp-\(dead)", ".out.jsonl.tmp-\(dead)-77", ".audit.jsonl.tmp-\(dead)-1"]
        let staleInStore = [".after_validate.parquet.tmp-\(dead)-3", ".checkpoint_metadata.json.tmp-\(dead)", ".out.jsonl.tmp-\(dead)-2"]
        // A live writer's file, another file's, and names that only look alike: all kept.
        let kept = [".out.parquet.tmp-\(live)-9", ".other.jsonl.tmp-\(dead)", ".out.jsonl.tmp-\(dead)-x", "out.jsonl.tmp-\(dead)", ".out.jsonl.tmp-"]
        try plant(stale + kept, in: dir)
        try plant(staleInStore + [".after_ingest.parquet.tmp-\(live)-4"], in: ck)
        func names(_ folder: URL) throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") })
        }

        // Even a run that stops early (here: a usage error) clears them.
        let failed = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.parquet").path,
                                  "--audit-log", dir.appendingPathComponent("audit.jsonl").path, "--text-column", "body",
                                  "--checkpoint-dir", ck.path, "--no-semantic-dedup"])
        XCTAssertEqual(failed.status, 64, failed.stderr)
        XCTAssertEqual(try names(dir), Set(kept + [".out.jsonl.tmp-\(dead)", ".out.jsonl.tmp-\(dead)-77"]))
        XCTAssertEqual(try names(ck), [".after_ingest.parquet.tmp-\(live)-4"])

        let result = try CLI.run(["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path,
                                  "--text-column", "text", "--no-semantic-dedup"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try names(dir), Set(kept))
    }
}
