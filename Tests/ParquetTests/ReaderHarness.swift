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
    try program.write(to: scriptURL, atomically: true, encoding: .utf8)
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
