@testable import EntropyGuard
import Foundation
import SplitMix
import XCTest

/// What an append reads of its input and its store: the prefix hash made in the same read as the
/// whole input's (`InputSource.prefixHash`), the store's recorded length read before it is opened
/// (`WorkingStore.recordedInputLength`), and the galloping lookup of wanted keys in sorted parts
/// (`AppendLookup.forEachMatch`).
final class AppendInputTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eg-appendinput-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Random bytes, a newline every so often (the content does not matter to the hash).
    private func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let value = UInt8(truncatingIfNeeded: random.next())
            return value < 8 ? UInt8(ascii: "\n") : value
        }
    }

    /// The XXH3-128 of `data`, as a file of its own hashed alone.
    private func separateHash(_ data: ArraySlice<UInt8>, in directory: String) throws -> XXH3Digest128 {
        let path = (directory as NSString).appendingPathComponent("separate-\(data.count)")
        try Data(data).write(to: URL(fileURLWithPath: path))
        return try InputSource.hashOnly(path: path)
    }

    /// The prefix hash and the whole hash from one read equal the hashes of the two byte ranges read
    /// separately, at lengths around the 4 MiB read block's boundaries and at the ends; a length the
    /// input does not reach gives no prefix hash.
    func testOnePassPrefixHashEqualsSeparateHashes() throws {
        let directory = try temporaryDirectory()
        let block = 4 << 20
        let data = bytes(2 * block + 1234, seed: 7)
        let path = (directory as NSString).appendingPathComponent("input.jsonl")
        try Data(data).write(to: URL(fileURLWithPath: path))
        let whole = try separateHash(data[...], in: directory)
        for length in [1, 1000, block - 1, block, block + 1, 2 * block, data.count - 1, data.count] {
            let input = try InputSource.open(path: path, spoolDirectory: directory, prefixLength: Int64(length))
            XCTAssertEqual(input.hash, whole, "whole hash with a prefix of \(length)")
            XCTAssertEqual(input.byteCount, Int64(data.count))
            XCTAssertEqual(input.prefixHash?.length, Int64(length))
            XCTAssertEqual(input.prefixHash?.hash, try separateHash(data[..<length], in: directory), "prefix of \(length)")
        }
        for length: Int64? in [nil, 0, Int64(data.count) + 1] {
            let input = try InputSource.open(path: path, spoolDirectory: directory, prefixLength: length)
            XCTAssertEqual(input.hash, whole)
            XCTAssertNil(input.prefixHash, "prefix length \(String(describing: length))")
        }
    }

    /// The length a store recorded is read before the store is opened; nothing without a readable store.
    func testRecordedInputLengthIsTheStoresOrNil() throws {
        let directory = try temporaryDirectory()
        XCTAssertNil(WorkingStore.recordedInputLength(in: directory), "no store")
        do {
            let store = try WorkingStore(directory: directory)
            XCTAssertNil(WorkingStore.recordedInputLength(in: directory), "no input recorded")
            try store.setMeta("ingest.input_length", "123456")
        }
        XCTAssertEqual(WorkingStore.recordedInputLength(in: directory), 123456)
        let other = try temporaryDirectory()
        try Data("not a database, only text long enough to have a header's length or more of it, really".utf8)
            .write(to: URL(fileURLWithPath: WorkingStore.path(in: other)))
        XCTAssertNil(WorkingStore.recordedInputLength(in: other), "not an SQLite file")
    }

    /// The galloping lookup finds exactly what filtering each part entry by entry finds, for both
    /// layouts, on random sorted parts with runs of equal keys, empty parts, and wanted lists that are
    /// empty, sparse, dense, or past the part's keys.
    func testGallopingLookupMatchesAFilterOfEachPart() throws {
        var random = SplitMix64(seed: 15)
        for layout in [AppendLookup.Layout.exact, .fuzzy] {
            for trial in 0..<200 {
                let count = trial % 10 == 0 ? 0 : Int(random.next() % 3000)
                let keySpace = UInt64(1 + random.next() % (trial % 3 == 0 ? 50 : 1 << 32))
                var entries: [(key: UInt64, row: Int64)] = (0..<count).map { _ in
                    (key: layout.stored(layout == .exact ? random.next() % keySpace : (random.next() % keySpace) << 32),
                     row: Int64(random.next() % 1_000_000))
                }
                entries.sort { ($0.key, $0.row) < ($1.key, $1.row) }
                var bytes: [UInt8] = []
                for entry in entries {
                    switch layout {
                    case .exact:
                        withUnsafeBytes(of: entry.key.littleEndian) { bytes.append(contentsOf: $0) }
                        withUnsafeBytes(of: entry.row.littleEndian) { bytes.append(contentsOf: $0) }
                    case .fuzzy:
                        withUnsafeBytes(of: UInt32(entry.key).littleEndian) { bytes.append(contentsOf: $0) }
                        withUnsafeBytes(of: UInt32(entry.row).littleEndian) { bytes.append(contentsOf: $0) }
                    }
                }
                let wantedCount = [0, 1, 5, 200, 5000][trial % 5]
                var wantedSet = Set((0..<wantedCount).map { _ in layout.stored(layout == .exact ? random.next() % (keySpace + 10)
                                                                               : (random.next() % (keySpace + 10)) << 32) })
                if let last = entries.last, trial % 4 == 0 { wantedSet.insert(last.key) }
                if let first = entries.first, trial % 4 == 1 { wantedSet.insert(first.key) }
                let wanted = wantedSet.sorted()
                var found: [(UInt64, Int64)] = []
                try bytes.withUnsafeBytes { part in
                    try AppendLookup.forEachMatch(in: part, layout: layout, wanted: wanted) { found.append(($0, $1)) }
                }
                let expected = entries.filter { wantedSet.contains($0.key) }
                XCTAssertEqual(found.map(\.0), expected.map(\.key), "\(layout) trial \(trial)")
                XCTAssertEqual(found.map(\.1), expected.map(\.row), "\(layout) trial \(trial)")
            }
        }
    }

    /// A part that is not whole entries is damage.
    func testAPartOfBrokenEntriesIsDamage() {
        let part = [UInt8](repeating: 0, count: 12)
        XCTAssertThrowsError(try part.withUnsafeBytes {
            try AppendLookup.forEachMatch(in: $0, layout: .exact, wanted: [0]) { _, _ in }
        }) { XCTAssertNotNil($0 as? StoreDamage) }
    }
}
