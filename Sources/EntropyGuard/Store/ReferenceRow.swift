/// A row of the reference corpus (`--reference`) as `rows.duplicate_of` holds it and as the dedup
/// stages pass it around: -1 - its row id in the reference's store. The input's own rows keep their
/// ids (>= 0), so a reference row is never taken for one, and no column is added to `rows` (every
/// stage rewrites its rows; a column costs every run). Shown as `ref:<row>` (audit log, --annotate,
/// explain), where <row> is the row id `explain --checkpoint-dir <reference store>` takes.
public enum ReferenceRow {
    /// The id standing for row `referenceRow` of the reference.
    static func id(_ referenceRow: Int64) -> Int64 { -1 - referenceRow }

    /// Whether `id` stands for a reference row.
    static func isReference(_ id: Int64) -> Bool { id < 0 }

    /// The reference's row id when `id` stands for a reference row; nil for the input's own rows.
    static func referenceRow(of id: Int64) -> Int64? { id < 0 ? -1 - id : nil }

    /// `ref:<row>` for a reference row, the plain number otherwise.
    static func label(_ id: Int64) -> String { referenceRow(of: id).map { "ref:\($0)" } ?? String(id) }
}
