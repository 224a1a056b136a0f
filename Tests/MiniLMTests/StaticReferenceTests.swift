import Foundation
@testable import MiniLM
import XCTest

/// The static model `scripts/fetch-model` distils (run by `make test`), checked against an
/// independent reimplementation: NumPy reads our model.safetensors and pools the rows of the token
/// ids sentence-transformers' own tokenizer gave for the 204 reference sentences (Fixtures).
final class StaticReferenceTests: XCTestCase {
    static let script = """
    import json, struct, sys
    import numpy as np
    model, tokens, ours, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    raw = open(model, "rb").read()
    (length,) = struct.unpack("<Q", raw[:8])
    entry = json.loads(raw[8:8 + length])["embeddings"]
    begin, end = entry["data_offsets"]
    table = np.frombuffer(raw[8 + length + begin:8 + length + end], dtype="<f4").reshape(entry["shape"])
    got = np.fromfile(ours, dtype="<f4").reshape(count, table.shape[1])
    rows = [json.loads(line) for line in open(tokens)]
    rows.sort(key=lambda r: r["i"])
    checked, zero, worst = 0, 0, 0.0
    for row in rows:
        if row["truncated"]:
            continue  # the reference ids stop at 256 word pieces; a static model reads 512
        ids = [t for t in row["input_ids"][1:-1] if t != 100]  # no [CLS]/[SEP], [UNK] left out
        expected = np.zeros(table.shape[1], dtype=np.float32)
        if ids:
            mean = table[ids].mean(axis=0)
            expected = mean / (np.linalg.norm(mean) + 1e-32)
        else:
            zero += 1
        worst = max(worst, float(np.abs(expected - got[row["i"]]).max()))
        checked += 1
    print(json.dumps({"checked": checked, "zero": zero, "worst": worst}))
    """

    func testEmbeddingsOfReferenceSentencesMatchNumPy() throws {
        let folder: URL
        do {
            folder = try ModelLocator.resolve("all-MiniLM-L6-v2-static")
        } catch {
            return XCTFail("all-MiniLM-L6-v2-static is not installed (\(error)); run scripts/fetch-model (make test does)")
        }
        let embedder = try StaticEmbedder(modelDirectory: folder)
        let sentences = try ReferenceData.sentences()
        let vectors = embedder.embed(sentences)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("static-ref-\(UUID().uuidString).f32")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try vectors.withUnsafeBytes { try Data($0).write(to: scratch) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        process.arguments = ["-c", Self.script, folder.appendingPathComponent("model.safetensors").path,
                             try ReferenceData.fixture("token_ids.jsonl").path, scratch.path, String(sentences.count)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
        XCTAssertEqual(result["checked"] as? Int, 185, "every untruncated sentence")
        XCTAssertGreaterThan(result["zero"] as? Int ?? 0, 0, "empty-ish sentences have no word piece: zero vectors")
        XCTAssertLessThan(result["worst"] as? Double ?? 1, 1e-6)
    }

    /// ENTROPYGUARD_PYTHON, else the package's .venv (NumPy is in both).
    private func python() throws -> String {
        let configured = ProcessInfo.processInfo.environment["ENTROPYGUARD_PYTHON"] ?? ""
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = configured.isEmpty ? root.appendingPathComponent(".venv/bin/python").path : configured
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NSError(domain: "python", code: 1, userInfo: [NSLocalizedDescriptionKey: "no Python at \(path): run scripts/setup-venv"])
        }
        return path
    }
}
