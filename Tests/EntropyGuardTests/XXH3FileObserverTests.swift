@testable import EntropyGuard
import Foundation
import Parquet
import XCTest

/// The hash an `AtomicFile`'s observer takes while the file is written is the committed file's, and
/// the check of an old file while it is copied sees a change anywhere in it.
final class XXH3FileObserverTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("xxh3-observer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func oldFile(_ count: Int) throws -> (path: String, bytes: [UInt8]) {
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 2654435761) >> 11) }
        let path = directory.appendingPathComponent("old-\(count)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    /// Writes and copies mixed (copies of several 4 MiB reads, empty writes, an empty file): the
    /// observed length and hash are the committed file's, as `SnapshotCheck` reads it back.
    func testTheObservedHashIsTheCommittedFiles() throws {
        let old = try oldFile(5 << 20 + 12_345)
        let fd = open(old.path, O_RDONLY)
        defer { close(fd) }
        enum Step { case write([UInt8]), copy(Int64) }
        let mixes: [[Step]] = [
            [],
            [.write(Array("{\"a\": 1}\n".utf8))],
            [.copy(Int64(old.bytes.count))],
            [.write(Array("PAR1".utf8)), .copy(100), .write([]), .write(Array(repeating: 7, count: 1 << 20)), .copy(Int64(old.bytes.count - 1))],
            [.copy(3), .copy(4 << 20), .write(Array("\n]\n".utf8))],
        ]
        for (index, steps) in mixes.enumerated() {
            let path = directory.appendingPathComponent("new-\(index)").path
            let hash = XXH3FileObserver()
            let file = try AtomicFile(path: path, observer: hash)
            var expected: [UInt8] = []
            for step in steps {
                switch step {
                case .write(let bytes): try file.write(bytes); expected += bytes
                case .copy(let count): try file.copy(from: fd, count: count); expected += old.bytes.prefix(Int(count))
                }
            }
            try file.commit()
            XCTAssertEqual(hash.length, Int64(expected.count), "mix \(index)")
            XCTAssertEqual(hash.length, Int64(try Data(contentsOf: URL(fileURLWithPath: path)).count), "mix \(index)")
            XCTAssertEqual(hash.hex, SnapshotCheck.xxh3(ofFile: path), "mix \(index)")
            XCTAssertEqual(hash.hex, hex64(XXH3.hash64(expected)), "mix \(index)")
        }
    }

    /// `matches`: the bytes copied so far plus the old file's rest, on a copy of the state. True for
    /// the recorded file, false when it changed in its first or its last bytes (the part the copy
    /// did not read), and the observer's own hash goes on unchanged either way.
    func testMatchesChecksTheWholeOldFileAndLeavesTheHashAsItWas() throws {
        let old = try oldFile(6 << 20 + 99)
        let recorded = try XCTUnwrap(SnapshotCheck.xxh3(ofFile: old.path))
        let cut = Int64(5 << 20 + 3)
        let fd = open(old.path, O_RDWR)
        defer { close(fd) }
        let path = directory.appendingPathComponent("new").path
        let hash = XXH3FileObserver()
        let file = try AtomicFile(path: path, observer: hash)
        try file.copy(from: fd, count: cut)
        XCTAssertTrue(hash.matches(recorded, continuingWith: fd, from: cut))
        XCTAssertTrue(hash.matches(recorded, continuingWith: fd, from: cut), "the check leaves the state as it was")
        XCTAssertFalse(hash.matches(recorded, continuingWith: fd, from: cut - 1), "a byte counted twice")
        // The old file's last byte changed after the copy: only its rest shows it.
        var last = old.bytes.last! ^ 0x01
        XCTAssertEqual(pwrite(fd, &last, 1, off_t(old.bytes.count - 1)), 1)
        XCTAssertFalse(hash.matches(recorded, continuingWith: fd, from: cut))
        try file.write(Array("new rows\n".utf8))
        try file.commit()
        XCTAssertEqual(hash.hex, SnapshotCheck.xxh3(ofFile: path))
        // A copy of a file changed in its first bytes does not match either.
        let changed = XXH3FileObserver()
        let second = try AtomicFile(path: directory.appendingPathComponent("second").path, observer: changed)
        last = old.bytes.last!
        XCTAssertEqual(pwrite(fd, &last, 1, off_t(old.bytes.count - 1)), 1)
        var first = old.bytes[0] ^ 0x80
        XCTAssertEqual(pwrite(fd, &first, 1, 0), 1)
        try second.copy(from: fd, count: cut)
        XCTAssertFalse(changed.matches(recorded, continuingWith: fd, from: cut))
        second.discard()
    }

    /// A state copy hashes on alone: the original and the copy each give their own bytes' hash.
    func testAStreamCopyGoesOnAlone() {
        let a = XXH3Stream64()
        Array("hello ".utf8).withUnsafeBytes { a.update($0) }
        let b = a.copy()
        Array("world".utf8).withUnsafeBytes { a.update($0) }
        Array("there".utf8).withUnsafeBytes { b.update($0) }
        XCTAssertEqual(a.digest(), XXH3.hash64(Array("hello world".utf8)))
        XCTAssertEqual(b.digest(), XXH3.hash64(Array("hello there".utf8)))
    }
}
