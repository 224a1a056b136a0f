@testable import EntropyGuard
import Foundation
import SplitMix
import XCTest

/// The semantic stage reads the next batch's vectors on a second, read-only connection
/// (`EmbeddingReader`): it must read exactly what the store's own connection reads, check the same
/// checksums, and see what the store's connection has committed.
final class EmbeddingReaderTests: XCTestCase {
    let dimension = 16
    let model = "test-model"

    func makeStore() throws -> WorkingStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eg-reader-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return try WorkingStore(directory: dir.path)
    }

    func randomVectors(_ count: Int, seed: UInt64) -> [Float] {
        var random = SplitMix64(seed: seed)
        return (0..<(count * dimension)).map { _ in Float(Int64(random.next() % 2_000_001) - 1_000_000) / 1e6 }
    }

    func hashes(_ range: Range<Int>) -> [[UInt8]] { range.map { XXH3.hash128("text \($0)").bytes } }

    func readOnStore(_ store: WorkingStore, _ hashes: [[UInt8]]) throws -> [Float] {
        var out = [Float](repeating: .nan, count: hashes.count * dimension)
        try out.withUnsafeMutableBufferPointer { try store.readEmbeddings(model: model, textHashes: hashes, dimension: dimension, into: $0.baseAddress!) }
        return out
    }

    /// Reads on a thread of its own, as the stage does, while `meanwhile` runs on this one.
    func readOnReader(_ reader: EmbeddingReader, _ hashes: [[UInt8]], meanwhile: () throws -> Void = {}) throws -> [Float] {
        let lookahead = Lookahead<[Float]>(label: "test.reader")
        lookahead.start {
            var out = [Float](repeating: .nan, count: hashes.count * self.dimension)
            try out.withUnsafeMutableBufferPointer {
                try reader.readEmbeddings(model: self.model, textHashes: hashes, dimension: self.dimension, into: $0.baseAddress!)
            }
            return out
        }
        defer { lookahead.drain() }
        try meanwhile()
        return try lookahead.wait()
    }

    func testReadsTheSameVectorsAsTheStoreWhileTheStoreWrites() throws {
        let store = try makeStore()
        let first = randomVectors(3_000, seed: 1)
        try store.storeEmbeddings(model: model, textHashes: hashes(0..<3_000), vectors: first, dimension: dimension)
        let reader = try EmbeddingReader(store: store)
        // Out of insertion order, with a repeat, as input order gives them.
        let wanted = hashes(0..<3_000).reversed() + hashes(10..<20)
        let later = randomVectors(2_000, seed: 2)
        let read = try readOnReader(reader, Array(wanted)) {
            // The store's connection commits other vectors meanwhile (WAL: the reader is not blocked).
            try store.storeEmbeddings(model: model, textHashes: hashes(3_000..<5_000), vectors: later, dimension: dimension)
        }
        XCTAssertEqual(read, try readOnStore(store, Array(wanted)))
        XCTAssertEqual(Array(read[0..<dimension]), Array(first[(2_999 * dimension)..<(3_000 * dimension)]))
        // What the store's connection committed is seen by the reader's next read.
        XCTAssertEqual(try readOnReader(reader, hashes(3_000..<5_000)), later)
        XCTAssertEqual(try readOnReader(reader, hashes(3_000..<5_000)), try readOnStore(store, hashes(3_000..<5_000)))
    }

    func testMissingOrDamagedVectorsFailOnBothConnections() throws {
        let store = try makeStore()
        try store.storeEmbeddings(model: model, textHashes: hashes(0..<10), vectors: randomVectors(10, seed: 3), dimension: dimension)
        let reader = try EmbeddingReader(store: store)
        // Another model's vectors are not this model's.
        XCTAssertThrowsError(try readOnReader(reader, hashes(10..<11))) { XCTAssertTrue($0 is StoreDamage, "\($0)") }
        XCTAssertThrowsError(try readOnStore(store, hashes(10..<11))) { XCTAssertTrue($0 is StoreDamage, "\($0)") }
        // One flipped bit in a stored vector.
        let victim = hashes(4..<5)[0]
        guard case .blob(var bytes)? = try store.database.scalar("SELECT vector FROM embeddings WHERE model = ? AND text_hash = ?",
                                                                 [.text(model), .blob(victim)]) else { return XCTFail("no stored vector") }
        bytes[7] ^= 0x10
        try store.database.run("UPDATE embeddings SET vector = ? WHERE model = ? AND text_hash = ?", [.blob(bytes), .text(model), .blob(victim)])
        XCTAssertThrowsError(try readOnReader(reader, hashes(0..<10))) { XCTAssertTrue($0 is StoreDamage, "\($0)") }
        XCTAssertThrowsError(try readOnStore(store, hashes(0..<10))) { XCTAssertTrue($0 is StoreDamage, "\($0)") }
        XCTAssertEqual(try readOnReader(reader, hashes(0..<4)), try readOnStore(store, hashes(0..<4)))
    }

    /// The embedding phase reads the next batch's texts on the reader while the store's connection
    /// stores vectors: the same texts as `text(ofRow:)` (the latest text, else the original, else "").
    func testReadsTheSameTextsAsTheStoreWhileTheStoreWrites() throws {
        let store = try makeStore()
        try store.database.transaction {
            for row in 0..<2_000 {
                let changed = row % 7 == 0 ? "changed \(row) é" : nil
                let original = row % 11 == 5 ? nil : "original \(row) ∑"
                try store.database.run("INSERT INTO row_content (row_id, text_original, text) VALUES (?, ?, ?)",
                                       [.integer(Int64(row)), original.map { .text($0) } ?? .null, changed.map { .text($0) } ?? .null])
            }
        }
        let reader = try EmbeddingReader(store: store)
        let rows = Array(stride(from: Int64(3), to: 2_000, by: 2)) + [2_500]   // one row that does not exist
        let lookahead = Lookahead<[String]>(label: "test.reader.texts")
        lookahead.start { try reader.texts(ofRows: rows[...]) }
        defer { lookahead.drain() }
        try store.storeEmbeddings(model: model, textHashes: hashes(0..<500), vectors: randomVectors(500, seed: 4), dimension: dimension)
        let read = try lookahead.wait()
        XCTAssertEqual(read, try rows.map { try store.text(ofRow: $0) })
        XCTAssertEqual(read[0], "original 3 ∑")
        XCTAssertEqual(read[2], "changed 7 é")
        XCTAssertEqual(read[rows.firstIndex(of: 137)!], "")   // 137 % 11 == 5: no text at all
        XCTAssertEqual(read.last, "")
    }
}
