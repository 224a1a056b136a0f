/// What the store knows of the output files its last run wrote (the cleaned output, the audit log),
/// so that an append (`InputAppend`) can copy their old rows' bytes instead of encoding them again
/// (`OutputPrefix`). Kept in meta `output_file.<role>`; a record is only a claim, checked against the
/// file (length and XXH3) before any byte of it is trusted.
extension WorkingStore {
    struct OutputFileRecord: Equatable {
        /// What made the file, besides the rows: the last stage's chained config hash and the output
        /// options (format, annotation, …). Never a path.
        var settings: String
        /// The input rows the store held when the file was written (rows below it are in the file).
        var inputRows: Int64
        /// Entries in the file (records or audit entries), and of those the kept rows (annotated output).
        var entries: Int
        var kept: Int
        var length: Int64
        /// XXH3-64 of the file's bytes, 16 hex digits (as the snapshots' `SnapshotCheck.xxh3`).
        var xxh3: String
    }

    private static func outputFileKey(_ role: String) -> String { "output_file." + role }

    func outputFileRecord(_ role: String) throws -> OutputFileRecord? {
        guard let value = try meta(Self.outputFileKey(role)) else { return nil }
        let parts = value.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, let rows = Int64(parts[1]), let entries = Int(parts[2]), let kept = Int(parts[3]),
              let length = Int64(parts[4]) else { return nil }
        return OutputFileRecord(settings: parts[0], inputRows: rows, entries: entries, kept: kept, length: length, xxh3: parts[5])
    }

    /// Records the file `role` just written, or (nil) forgets it.
    func setOutputFileRecord(_ role: String, _ record: OutputFileRecord?) throws {
        guard let record else { return try removeMeta(prefix: Self.outputFileKey(role)) }
        try setMeta(Self.outputFileKey(role), [record.settings, String(record.inputRows), String(record.entries), String(record.kept),
                                               String(record.length), record.xxh3].joined(separator: "\t"))
    }
}
