import SplitMix
import EntropyGuard
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest

/// Runs the built `entropyguard` binary, as users do.
struct CLIResult {
    let status: Int32
    let stdout: Data
    let stderr: String
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The debug build, or ENTROPYGUARD_BINARY (to run these tests against another build, e.g. to see
    /// a new test fail on the code before a fix).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["ENTROPYGUARD_BINARY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return packageRoot.appendingPathComponent(".build/debug/entropyguard")
    }

    /// SIGKILLs a process `start` began, waits for it, and returns its stderr (stdout drained).
    static func kill(_ process: Process, out: Pipe, err: Pipe) -> String {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        _ = out.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Starts the binary; the caller waits (or kills).
    static func start(_ arguments: [String], stdin: Data? = nil, currentDirectory: URL? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            DispatchQueue.global().async {
                input.fileHandleForWriting.write(stdin)
                try? input.fileHandleForWriting.close()
            }
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        return (process, out, err)
    }

    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, currentDirectory: URL? = nil) throws -> CLIResult {
        let (process, out, err) = try start(arguments, stdin: stdin, currentDirectory: currentDirectory)
        // Read both pipes concurrently so a full pipe never blocks the child.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        process.waitUntilExit()
        group.wait()
        return CLIResult(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
    }
}


/// Deterministic JSONL with exact and near-exact duplicates, short and null texts, and extra fields.
func makeDataset(rows: Int, seed: UInt64 = 42) -> String {
    var generator = SplitMix64(seed: seed)
    let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
                 "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
    var texts: [String] = []
    var lines: [String] = []
    for i in 0..<rows {
        let r = generator.next() % 100
        var text: String
        if !texts.isEmpty && r < 10 {
            text = texts[Int(generator.next() % UInt64(texts.count))]
        } else if !texts.isEmpty && r < 15 {
            text = "  " + texts[Int(generator.next() % UInt64(texts.count))].uppercased().replacingOccurrences(of: " ", with: "\t ") + " "
        } else {
            text = (0..<12).map { _ in words[Int(generator.next() % UInt64(words.count))] }.joined(separator: " ") + " #\(i)"
            texts.append(text)
        }
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\t", with: "\\t")
        if r == 97 {
            lines.append("{\"id\": \(i), \"text\": null, \"score\": 0.5}")
        } else if r == 98 {
            lines.append("{\"id\": \(i), \"text\": \"too short\", \"score\": 1}")
        } else {
            lines.append("{\"id\": \(i), \"text\": \"\(escaped)\", \"meta\": {\"n\": [\(i), null]}, \"score\": \(Double(i) / 8)}")
        }
    }
    return lines.joined(separator: "\n") + "\n"
}

extension XCTestCase {
    /// A fresh temporary directory for this test, removed when the test ends.
    func makeTemporaryDirectory(_ name: String = #function) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("eg-test-\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    func read(_ url: URL) throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }
}

extension XCTestCase {
    /// Runs `script` (Python with the venv's pyarrow) with `arguments`, failing the test on a non-zero
    /// exit; returns what it printed.
    @discardableResult
    func python(_ script: String, _ arguments: [String], in directory: URL, file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let (status, stdout, stderr) = try runPython(script, named: "helper.py", arguments, in: directory)
        XCTAssertEqual(status, 0, String(decoding: stderr, as: UTF8.self), file: file, line: line)
        return stdout
    }
}
