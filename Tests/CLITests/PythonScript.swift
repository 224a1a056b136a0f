import Foundation

/// Runs `script` with the venv's Python (`snapshotCheckPython`), saved as `name` in `directory`;
/// returns its exit status and its stdout and stderr together (read before waiting, so a full pipe
/// never blocks it).
func runPythonScript(_ script: String, named name: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    let path = directory.appendingPathComponent(name)
    try Data(script.utf8).write(to: path)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try snapshotCheckPython())
    process.arguments = [path.path] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}
