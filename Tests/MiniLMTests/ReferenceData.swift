import Foundation
import MiniLM
import XCTest

/// The sentence-transformers ground truth copied into Fixtures (see ../shared/reference/minilm beside the project).
enum ReferenceData {
    struct Sentence: Decodable { let i: Int; let category: String; let text: String }
    struct Tokens: Decodable { let i: Int; let input_ids: [Int32] }

    static func fixture(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw NSError(domain: "fixtures", code: 1, userInfo: [NSLocalizedDescriptionKey: "fixture \(name) missing"])
        }
        return url
    }

    static func jsonLines<T: Decodable>(_ name: String, as type: T.Type) throws -> [T] {
        let text = try String(contentsOf: fixture(name), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    static func sentences() throws -> [String] {
        try jsonLines("sentences.jsonl", as: Sentence.self).sorted { $0.i < $1.i }.map(\.text)
    }

    static func tokenIDs() throws -> [[Int32]] {
        try jsonLines("token_ids.jsonl", as: Tokens.self).sorted { $0.i < $1.i }.map(\.input_ids)
    }

    /// Reads a little-endian float32 C-order .npy file: (shape, values).
    static func npy(_ name: String) throws -> (shape: [Int], values: [Float]) {
        let data = try Data(contentsOf: fixture(name))
        let bytes = [UInt8](data)
        guard bytes.count > 10, bytes[0] == 0x93, String(decoding: bytes[1...5], as: UTF8.self) == "NUMPY" else {
            throw NSError(domain: "npy", code: 1)
        }
        let major = bytes[6]
        let headerLength = major == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8
            : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        let headerStart = major == 1 ? 10 : 12
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '<f4'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")")
        else { throw NSError(domain: "npy", code: 2, userInfo: [NSLocalizedDescriptionKey: header]) }
        let shape = header[open.upperBound..<close].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let start = headerStart + headerLength
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0, from: start..<(start + count * 4)) }
        return (shape, values)
    }

    /// The installed all-MiniLM-L6-v2, found the way the library finds it.
    static func modelDirectory() throws -> URL {
        do {
            return try ModelLocator.resolve("all-MiniLM-L6-v2")
        } catch {
            XCTFail("all-MiniLM-L6-v2 is not installed (\(error)); run scripts/fetch-model (make test does)")
            throw error
        }
    }
}

/// Cosine similarity and max abs difference of two equally long vectors.
func compare(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> (cosine: Double, maxDifference: Float) {
    var dot = 0.0, na = 0.0, nb = 0.0
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y)
        worst = max(worst, abs(x - y))
    }
    return (dot / max((na * nb).squareRoot(), 1e-30), worst)
}
