import Foundation

/// What a run did, stage by stage: printed on stderr at the end, or as one JSON object with --json.
public struct RunSummary: Codable, Sendable {
    public struct Stage: Codable, Sendable {
        public var name: String
        /// ran, resumed (taken from a checkpoint), or off.
        public var status: String
        public var rowsIn: Int
        public var rowsOut: Int
        public var dropped: [String: Int]
        public var seconds: Double?
        public var rowsPerSecond: Double?
        public var notes: [String: Int]
    }

    public var version = EntropyGuardVersion.string
    public var input: String
    public var output: String?
    public var checkpointDir: String?
    public var resumedFrom: String?
    public var rowsIn: Int
    public var rowsOut: Int
    public var stages: [Stage]
    public var seconds: Double
    public var dryRun: Bool
    /// Set when the input grew and the run appended (`InputAppend`).
    public var appended: Appended? = nil

    public struct Appended: Codable, Sendable {
        /// Rows of the input the store held, whose decisions were kept.
        public var oldRows: Int
        /// Rows read and decided by this run.
        public var newRows: Int
    }

    /// The human-readable form.
    public var text: String {
        var lines: [String] = []
        lines.append("EntropyGuard \(version): \(rowsIn) rows in, \(rowsOut) rows \(dryRun ? "would be written" : "out") (\(rowsIn - rowsOut) dropped) in \(String(format: "%.2f", seconds)) s")
        for stage in stages {
            var line = "  \(stage.name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(stage.status.padding(toLength: 8, withPad: " ", startingAt: 0))"
            line += " \(stage.rowsIn) -> \(stage.rowsOut)"
            if let seconds = stage.seconds {
                line += String(format: "  %.2f s", seconds)
                if let rate = stage.rowsPerSecond { line += String(format: ", %.0f rows/s", rate) }
            }
            let drops = stage.dropped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            if !drops.isEmpty { line += "  dropped: " + drops.joined(separator: ", ") }
            let notes = stage.notes.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            if !notes.isEmpty { line += "  (" + notes.joined(separator: ", ") + ")" }
            lines.append(line)
        }
        if let appended { lines.append("  input grew: \(appended.oldRows) old rows kept, \(appended.newRows) new rows processed") }
        if let output { lines.append("  output: \(output)") }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
