import Foundation
import XCTest
import Parquet

/// Runs the embedded reader script (`readerScript`) with `arguments`; returns its exit status and output.
func runReaderScript(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    try runPythonProgram(readerScript, named: "reader_check.py", arguments, in: directory)
}

/// Writes `program` to `directory/name` and runs it with the venv's Python; returns its exit status and
/// its stdout and stderr together.
func runPythonProgram(_ program: String, named name: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    let scriptURL = directory.appendingPathComponent(name)
    try program.write(to: scriptURL, atomically: false, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try pythonExecutable())
    process.arguments = [scriptURL.path] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

/// The file names the script listed in `directory/manifest.json`.
func manifestFiles(in directory: URL) throws -> [String] {
    let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    return object?["files"] as? [String] ?? []
}

/// Reads `path` with `ParquetFileReader` and writes each row as one JSON object per line to
/// `path.ours.jsonl` (what the script's `compare` checks against pyarrow). Returns the rows read.
@discardableResult
func dumpRowsAsJSONLines(_ path: String, options: ParquetReaderOptions = .init()) throws -> Int {
    let reader = try ParquetFileReader(path: path, options: options)
    let names = reader.schema.fieldNames
    var text = ""
    var rows = 0
    try reader.forEachRow { row in
        let record = ParquetFieldValue.record(zip(names, row).map { ParquetRecordField(name: $0, value: $1) })
        record.appendJSON(to: &text)
        text += "\n"
        rows += 1
    }
    XCTAssertEqual(Int64(rows), reader.rowCount, path)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path + ".ours.jsonl"))
    return rows
}

/// Reads every file of the manifest with our reader, then has pyarrow compare; fails on any mismatch.
func assertReaderMatchesPyarrow(in directory: URL, expectFiles minimum: Int, file: StaticString = #filePath, line: UInt = #line) throws {
    let files = try manifestFiles(in: directory)
    XCTAssertGreaterThanOrEqual(files.count, minimum, file: file, line: line)
    for name in files {
        do {
            try dumpRowsAsJSONLines(directory.appendingPathComponent(name).path)
        } catch {
            XCTFail("\(name): \(error)", file: file, line: line)
        }
    }
    let (status, output) = try runReaderScript(["compare", directory.path], in: directory)
    XCTAssertEqual(status, 0, "comparison with pyarrow failed:\n\(output)", file: file, line: line)
    XCTAssertTrue(output.contains("compared \(files.count) files"), output, file: file, line: line)
}

/// Copies every file of the manifest with our writer: each column `ParquetColumn(copying:)` of the
/// field our reader sees, each row given to `append(fields:)` as our reader returns it, in small row
/// groups and pages (so nested columns' pages and row groups end at every kind of place). Each copy
/// must read back with our reader exactly as the original does, and pyarrow must read the copy as
/// our reader reads the original (which the caller has compared with pyarrow's reading of it): so
/// every type, value and null survives the writer.
func assertWriterCopiesReadAsOriginals(in directory: URL, file: StaticString = #filePath, line: UInt = #line) throws {
    let files = try manifestFiles(in: directory)
    let copies = directory.appendingPathComponent("copies")
    try FileManager.default.createDirectory(at: copies, withIntermediateDirectories: true)
    for (index, name) in files.enumerated() {
        let original = directory.appendingPathComponent(name).path
        let copy = copies.appendingPathComponent(name).path
        do {
            let reader = try ParquetFileReader(path: original)
            let options = ParquetWriterOptions(rowGroupByteLimit: index % 2 == 0 ? 48 << 10 : 128 << 20, pageByteLimit: index % 3 == 0 ? 1 << 10 : 1 << 20,
                                               useDictionary: index % 4 != 1, compression: index % 2 == 0 ? .snappy : .zstd(level: 3))
            let writer = try ParquetWriter(path: copy, columns: reader.schema.fields.map { ParquetColumn(copying: $0) }, options: options)
            try reader.forEachRow { try writer.append(fields: $0) }
            try writer.close()
            try dumpRowsAsJSONLines(copy)
            let ours = try String(contentsOfFile: original + ".ours.jsonl", encoding: .utf8)
            let back = try String(contentsOfFile: copy + ".ours.jsonl", encoding: .utf8)
            XCTAssertTrue(ours == back, "\(name): our reader reads the copy differently", file: file, line: line)
            // pyarrow's reading of the copy is compared with our reader's of the original.
            try Data(ours.utf8).write(to: URL(fileURLWithPath: copy + ".ours.jsonl"))
        } catch {
            XCTFail("\(name): \(error)", file: file, line: line)
        }
    }
    try JSONSerialization.data(withJSONObject: ["files": files]).write(to: copies.appendingPathComponent("manifest.json"))
    let (status, output) = try runReaderScript(["compare", copies.path], in: copies)
    XCTAssertEqual(status, 0, "pyarrow reads our copies differently:\n\(output)", file: file, line: line)
    XCTAssertTrue(output.contains("compared \(files.count) files"), output, file: file, line: line)
}
