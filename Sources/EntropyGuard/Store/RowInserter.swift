/// Inserts parsed rows into `rows` and `row_content`, `chunkSize` rows per statement: SQLite's cost
/// per statement execution (and our bind/step/reset calls) is shared by the whole chunk.
///
/// `INSERT OR FAIL`: a statement that writes several rows and may stop at a constraint (the default,
/// ABORT, undoes the statement's own rows) needs a statement journal inside a transaction: SQLite
/// copied the 64 KiB pages each statement touched (the tables' last leaves) into a temporary file
/// before changing them: 25.8 MB of writes for the 10k rows of an append (strace); ingesting the 1M-row
/// benchmark made 92k pwrite calls, 14k without (system time 0.52-0.67 s, 0.39-0.48 s; 3 runs each,
/// --stop-after ingest). FAIL keeps the statement's earlier rows instead, which changes nothing here:
/// an error ends the batch's transaction, which is rolled back (IngestStage), and a constraint failing
/// is our bug.
struct RowInserter {
    static let chunkSize = 64
    private let database: Database
    /// Generation the rows are written at (and bad records dropped by): the input stage's.
    private let stage: StageID
    private let rowsMany: Statement, rowsOne: Statement, contentMany: Statement, contentOne: Statement

    init(store: WorkingStore, stage: StageID) throws {
        database = store.database
        self.stage = stage
        func rowsSQL(_ n: Int) -> String {
            "INSERT OR FAIL INTO rows (row_id, line, record_offset, record_length, generation, text_state, text_length, dedup_key, "
                + "dropped_by, drop_reason, drop_details, born) VALUES "
                + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(stage.generation))", count: n).joined(separator: ", ")
        }
        func contentSQL(_ n: Int) -> String {
            "INSERT OR FAIL INTO row_content (row_id, text_original) VALUES " + Array(repeating: "(?, ?)", count: n).joined(separator: ", ")
        }
        rowsMany = try database.cachedStatement(rowsSQL(Self.chunkSize))
        rowsOne = try database.cachedStatement(rowsSQL(1))
        contentMany = try database.cachedStatement(contentSQL(Self.chunkSize))
        contentOne = try database.cachedStatement(contentSQL(1))
    }

    func insert(_ batch: ParsedBatch) throws {
        // The texts are bound straight from the batch's arena (no copy): it outlives every statement run here.
        try batch.texts.withUnsafeBytes { texts in
            try batch.rows.withUnsafeBufferPointer { rows in
                var start = 0
                while start < rows.count {
                    let count = min(Self.chunkSize, rows.count - start)
                    if count == Self.chunkSize {
                        try write(rows, start..<(start + count), batch, texts, rows: rowsMany, content: contentMany)
                    } else {
                        for index in start..<(start + count) {
                            try write(rows, index..<(index + 1), batch, texts, rows: rowsOne, content: contentOne)
                        }
                    }
                    start += count
                }
            }
        }
    }

    private func write(_ parsed: UnsafeBufferPointer<ParsedRow>, _ range: Range<Int>, _ batch: ParsedBatch,
                       _ texts: UnsafeRawBufferPointer, rows statement: Statement, content: Statement) throws {
        statement.reset()
        content.reset()
        for (i, index) in range.enumerated() {
            let row = parsed[index]
            let base = Int32(i * 11)
            let problem = row.state == .badRecord ? batch.problems[index] : nil
            try statement.bind(row.row, at: base + 1)
            try statement.bind(row.line, at: base + 2)
            try statement.bind(row.offset, at: base + 3)
            try statement.bind(row.length, at: base + 4)
            try statement.bind(problem == nil ? stage.generation : 0, at: base + 5)
            try statement.bind(row.state.sqlText, at: base + 6)
            if row.state == .ok {
                try statement.bind(row.textLength, at: base + 7)
                try statement.bind(row.key, at: base + 8)
            }
            if let problem {
                try statement.bind(stage.generation, at: base + 9)
                try statement.bind("bad_record", at: base + 10)
                try statement.bind(problem, at: base + 11)
            }
            try content.bind(row.row, at: Int32(i * 2 + 1))
            if row.state == .ok {
                try content.bindTextNoCopy(UnsafeRawBufferPointer(rebasing: texts[row.textStart..<(row.textStart + row.textCount)]),
                                           at: Int32(i * 2 + 2))
            }
        }
        try statement.runToCompletion()
        try content.runToCompletion()
    }
}
