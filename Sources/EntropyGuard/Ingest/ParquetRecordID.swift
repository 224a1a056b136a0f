/// Where a Parquet input's record is: (file, row group, row), stored in the columns that hold a JSONL or
/// CSV record's byte range (`rows.record_offset`, `rows.record_length`; see schema/tables.sql), so the
/// rows table keeps one layout for every input format.
struct ParquetRecordID: Equatable {
    /// Index in `InputSource.parquetFiles`.
    var file: Int
    var rowGroup: Int
    /// Row within the row group.
    var row: Int

    /// record_offset: the file in the high 32 bits, the row group in the low 32 (a footer's row-group
    /// count is an i32, so it fits).
    var offset: Int64 { Int64(file) << 32 | Int64(rowGroup) }
    /// record_length: the row within its row group.
    var length: Int { row }

    init(file: Int, rowGroup: Int, row: Int) {
        self.file = file
        self.rowGroup = rowGroup
        self.row = row
    }

    init(offset: Int64, length: Int) {
        file = Int(offset >> 32)
        rowGroup = Int(offset & 0xFFFF_FFFF)
        row = length
    }
}
