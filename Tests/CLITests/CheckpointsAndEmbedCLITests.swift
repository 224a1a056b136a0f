import EntropyGuard
import Foundation
import XCTest

/// `entropyguard checkpoints list|clean` and `entropyguard embed`.
final class CheckpointsAndEmbedCLITests: XCTestCase {
    func testListShowsEveryStageAndCleanKeepsOrRemovesThem() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        try write(makeDataset(rows: 300), to: input)
        let ck = dir.appendingPathComponent("ck").path
        let args = ["--input", input.path, "--output", dir.appendingPathComponent("out.jsonl").path, "--text-column", "text",
                    "--checkpoint-dir", ck, "--no-semantic-dedup", "--min-length", "20", "--snapshots", "none"]
        XCTAssertEqual(try CLI.run(args).status, 0)

        let list = try CLI.run(["checkpoints", "list", "--checkpoint-dir", ck, "--input", input.path])
        XCTAssertEqual(list.status, 0, list.stderr)
        let lines = list.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.count, StageRegistry.standard.ids.count, list.stdoutText)
        XCTAssertTrue(lines.allSatisfy { $0.hasSuffix("valid") && !$0.contains("invalid") }, list.stdoutText)
        XCTAssertTrue(lines[4].hasPrefix("after_exact_dedup"), String(lines[4]))

        let other = dir.appendingPathComponent("other.jsonl")
        try write(makeDataset(rows: 10, seed: 3), to: other)
        let againstOther = try CLI.run(["checkpoints", "list", "--checkpoint-dir", ck, "--input", other.path, "--json"])
        let objects = againstOther.stdoutText.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(objects.first?["valid"] as? Bool, false)
        XCTAssertEqual(objects.first?["problem"] as? String, "input changed")

        let keep = try CLI.run(["checkpoints", "clean", "--checkpoint-dir", ck, "--keep-latest"])
        XCTAssertEqual(keep.status, 0, keep.stderr)
        let afterKeep = try CLI.run(["checkpoints", "list", "--checkpoint-dir", ck])
        XCTAssertEqual(afterKeep.stdoutText.split(separator: "\n").count, 1)
        let resumed = try CLI.run(args)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("Resuming from checkpoint after_semantic_dedup"), resumed.stderr)

        XCTAssertEqual(try CLI.run(["checkpoints", "clean", "--checkpoint-dir", ck]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: (ck as NSString).appendingPathComponent("entropyguard.sqlite")))
        XCTAssertEqual(try CLI.run(["checkpoints", "list", "--checkpoint-dir", ck]).status, 66)
    }

    func testEmbedWritesOneNormalizedVectorPerRecordInInputOrder() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("data.jsonl")
        try write(#"""
        {"text": "The first sentence to embed."}
        {"text": null}
        {"text": "A second, different sentence."}
        """# + "\n", to: input)
        let npy = dir.appendingPathComponent("v.npy"), jsonl = dir.appendingPathComponent("v.jsonl")
        XCTAssertEqual(try CLI.run(["embed", "--input", input.path, "--text-column", "text", "--output", npy.path, "--quiet"]).status, 0)
        XCTAssertEqual(try CLI.run(["embed", "--input", input.path, "--text-column", "text", "--output", jsonl.path, "--quiet"]).status, 0)

        // .npy: magic, version 1.0, header with the shape, then row-major little-endian float32.
        let data = try Data(contentsOf: npy)
        XCTAssertEqual(Array(data.prefix(8)), [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (3, 384)"), header)
        let floats: [Float] = data.dropFirst(10 + headerLength).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(floats.count, 3 * 384)
        func norm(_ row: Int) -> Float { floats[(row * 384)..<((row + 1) * 384)].reduce(0) { $0 + $1 * $1 }.squareRoot() }
        XCTAssertEqual(norm(0), 1, accuracy: 1e-5)
        XCTAssertEqual(norm(1), 0, "a record without text gets a zero vector")
        XCTAssertEqual(norm(2), 1, accuracy: 1e-5)

        let rows = try read(jsonl).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(rows.map { $0["row"] as? Int }, [0, 1, 2])
        XCTAssertTrue(rows[1]["embedding"] is NSNull)
        let first = (rows[0]["embedding"] as! [Double]).map(Float.init)
        XCTAssertEqual(first.count, 384)
        for (a, b) in zip(first, floats.prefix(384)) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }
}
