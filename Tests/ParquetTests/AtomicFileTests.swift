import Foundation
import Parquet
import XCTest

/// The one atomic-write helper: the final name shows the old content until commit, then the new
/// content whole; nothing but the final file remains.
final class AtomicFileTests: XCTestCase {
    func testFinalNameChangesOnlyAtCommit() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.jsonl").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
        let file = try AtomicFile(path: path)
        try file.write(Array(repeating: UInt8(ascii: "x"), count: 20 << 20))   // past one writeback step
        try file.write(Array("HEAD".utf8), at: 0)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.temporaryPath))
        try file.commit()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(data.count, 20 << 20)
        XCTAssertEqual(Array(data.prefix(5)), Array("HEADx".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.jsonl"])
    }

    /// copy(from:count:): the source's first bytes, then whatever is written after them; a source
    /// shorter than asked is an error (its file is then discarded by the caller).
    func testCopyTakesTheSourcesFirstBytes() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("old.jsonl").path
        try Data("0123456789abcdefghij".utf8).write(to: URL(fileURLWithPath: source))
        let fd = open(source, O_RDONLY)
        defer { close(fd) }
        let file = try AtomicFile(path: dir.appendingPathComponent("new.jsonl").path)
        try file.copy(from: fd, count: 10)
        XCTAssertEqual(file.offset, 10)
        try file.write(Array("XY".utf8))
        try file.commit()
        XCTAssertEqual(try String(contentsOfFile: dir.appendingPathComponent("new.jsonl").path, encoding: .utf8), "0123456789XY")
        let short = try AtomicFile(path: dir.appendingPathComponent("short.jsonl").path)
        XCTAssertThrowsError(try short.copy(from: fd, count: 30))
        short.discard()
    }

    /// An observer sees the file's bytes in order: those written and those copied (read back in
    /// many steps here), exactly as the committed file holds them.
    func testAnObserverSeesEveryByteInOrder() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("old.jsonl").path
        let old = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        try Data(old).write(to: URL(fileURLWithPath: source))
        let fd = open(source, O_RDONLY)
        defer { close(fd) }
        let seen = CollectingObserver()
        let path = dir.appendingPathComponent("new.jsonl").path
        let file = try AtomicFile(path: path, observer: seen)
        try file.write(Array("ab".utf8))
        try file.copy(from: fd, count: Int64(old.count - 5))
        try file.write(Array(repeating: UInt8(ascii: "z"), count: 1 << 20))
        try file.copy(from: fd, count: 3)
        XCTAssertEqual(Int64(seen.bytes.count), file.offset)
        try file.commit()
        let written = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(written.count, 2 + old.count - 5 + (1 << 20) + 3)
        XCTAssertEqual(written, Array("ab".utf8) + old.dropLast(5) + Array(repeating: UInt8(ascii: "z"), count: 1 << 20) + old.prefix(3))
        XCTAssertTrue(seen.bytes == written)
    }

    /// Patching an observed file is refused (its observer saw the old bytes); the file is unchanged.
    func testAnObservedFileCannotBePatched() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.npy").path
        let seen = CollectingObserver()
        let file = try AtomicFile(path: path, observer: seen)
        try file.write(Array("header body".utf8))
        XCTAssertThrowsError(try file.write(Array("HEADER".utf8), at: 0)) { error in
            guard case ParquetError.invalidArgument = error else { return XCTFail("\(error)") }
        }
        try file.commit()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "header body")
        XCTAssertEqual(String(decoding: seen.bytes, as: UTF8.self), "header body")
    }

    func testDiscardAndDeinitLeaveNothing() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.parquet").path
        do {
            let file = try AtomicFile(path: path)
            try file.write(Array("partial".utf8))
        }
        let discarded = try AtomicFile(path: path)
        try discarded.write(Array("partial".utf8))
        discarded.discard()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
        try AtomicFile.write(Array("whole".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "whole")
    }

    func testCreateFailureIsAnIOError() {
        XCTAssertThrowsError(try AtomicFile(path: "/nonexistent-\(getpid())/x")) { error in
            guard case ParquetError.io(operation: .create, _, ENOENT) = error else { return XCTFail("\(error)") }
        }
    }
}

/// Keeps every byte it is shown.
private final class CollectingObserver: AtomicFileObserver {
    var bytes: [UInt8] = []
    func observe(_ bytes: UnsafeRawBufferPointer) { self.bytes += bytes }
}
