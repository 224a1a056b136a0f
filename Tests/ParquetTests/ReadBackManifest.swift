import Foundation
import XCTest
@testable import Parquet

/// A file written by a test together with what the readers must find in it.
struct ExpectedFile {
    var path: String
    var columns: [ParquetColumn]
    var rows: [[ParquetValue]]
    var codec: String
    var rowGroups: Int
    var createdBy: String
    /// Column name → "plain" | "dictionary" | "fallback": the data page encodings of every chunk.
    var dataPages: [String: String] = [:]
    /// Upper bound for every row group's total (uncompressed) byte size, when the test sets one.
    var maxRowGroupBytes: Int?
}

/// Writes `rows` with a fresh writer and returns the expectation for the read-back check.
func writeFile(_ path: String, _ columns: [ParquetColumn], _ rows: [[ParquetValue]],
               options: ParquetWriterOptions = .init(), columnar: Bool = false,
               dataPages: [String: String] = [:]) throws -> ExpectedFile {
    let writer = try ParquetWriter(path: path, columns: columns, options: options)
    if columnar {
        let batch = columns.indices.map { c in rows.map { $0[c] } }
        try writer.append(columns: batch)
    } else {
        for row in rows { try writer.append(row) }
    }
    XCTAssertEqual(writer.rowCount, rows.count)
    try writer.close()
    let codec: String
    switch options.compression {
    case .uncompressed: codec = "UNCOMPRESSED"
    case .zstd: codec = "ZSTD"
    case .snappy: codec = "SNAPPY"
    }
    return ExpectedFile(path: path, columns: columns, rows: rows, codec: codec,
                        rowGroups: writer.rowGroupCount, createdBy: options.createdBy, dataPages: dataPages)
}

/// Runs the embedded Python read-back check over `files`; fails the test with its report on mismatch.
func assertReadBack(_ files: [ExpectedFile], in directory: URL, file: StaticString = #filePath, line: UInt = #line) throws {
    let manifest: [String: Any] = ["files": files.map(manifestEntry)]
    let manifestURL = directory.appendingPathComponent("manifest.json")
    try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
    let scriptURL = directory.appendingPathComponent("read_back.py")
    try readBackScript.write(to: scriptURL, atomically: false, encoding: .utf8)

    let python = try pythonExecutable()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [scriptURL.path, manifestURL.path]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "read-back check failed:\n\(text)", file: file, line: line)
    XCTAssertTrue(text.contains("checked \(files.count) files"), text, file: file, line: line)
}

/// The read-back check cannot run (no Python with the readers): the test fails with this.
struct ReadBackSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// ENTROPYGUARD_PYTHON, else the package's .venv python; throws (failing the test) if neither exists.
func pythonExecutable() throws -> String {
    if let fromEnvironment = ProcessInfo.processInfo.environment["ENTROPYGUARD_PYTHON"], !fromEnvironment.isEmpty {
        guard FileManager.default.isExecutableFile(atPath: fromEnvironment) else {
            throw ReadBackSetupError("ENTROPYGUARD_PYTHON=\(fromEnvironment) is not an executable")
        }
        return fromEnvironment
    }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let venvPython = packageRoot.appendingPathComponent(".venv/bin/python").path
    guard FileManager.default.isExecutableFile(atPath: venvPython) else {
        throw ReadBackSetupError("no Python with pyarrow/duckdb/polars: run scripts/setup-venv (or set ENTROPYGUARD_PYTHON)")
    }
    return venvPython
}

/// A fresh empty directory for one test's files.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("parquet-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private func manifestEntry(_ file: ExpectedFile) -> [String: Any] {
    [
        "path": file.path,
        "columns": file.columns.map { ["name": $0.name, "type": typeName($0.type), "optional": $0.optional] },
        "values": file.columns.indices.map { c in file.rows.map { manifestValue($0[c]) } },
        "codec": file.codec,
        "row_groups": file.rowGroups,
        "created_by": file.createdBy,
        "data_pages": file.dataPages,
        "max_row_group_bytes": file.maxRowGroupBytes.map { $0 as Any } ?? NSNull(),
    ]
}

private func typeName(_ type: ParquetType) -> String {
    switch type {
    case .boolean: return "boolean"
    case .int64: return "int64"
    case .double: return "double"
    case .string: return "string"
    default: preconditionFailure("the manifest's files use the four ParquetValue types (TypedWriterTests covers the others)")
    }
}

/// Exact JSON forms: integers as decimal strings, doubles as their bit pattern, strings as UTF-8 hex.
private func manifestValue(_ value: ParquetValue) -> Any {
    switch value {
    case .null: return NSNull()
    case .bool(let b): return b
    case .int64(let i): return String(i)
    case .double(let d):
        var bits = d.bitPattern.littleEndian
        return withUnsafeBytes(of: &bits) { hex($0) }
    case .string(let s): return hex(Array(s.utf8))
    case .bytes(let b): return hex(b)
    }
}

private func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}
