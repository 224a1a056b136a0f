import Foundation

/// Runs `script` with the venv's Python (`snapshotCheckPython`), saved as `name` in `directory`;
/// returns its exit status, stdout and stderr (both read while it runs, so a full pipe never blocks it).
func runPython(_ script: String, named name: String, _ arguments: [String], in directory: URL) throws
    -> (status: Int32, stdout: Data, stderr: Data) {
    let path = directory.appendingPathComponent(name)
    try Data(script.utf8).write(to: path)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try snapshotCheckPython())
    process.arguments = [path.path] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    final class Collected: @unchecked Sendable { var data = Data() }  // written before group.leave(), read after wait()
    let errors = Collected()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errors.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, outData, errors.data)
}

/// `runPython` with stdout and stderr as one text (for a failure message).
func runPythonScript(_ script: String, named name: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    let (status, stdout, stderr) = try runPython(script, named: name, arguments, in: directory)
    return (status, String(decoding: stdout + stderr, as: UTF8.self))
}
