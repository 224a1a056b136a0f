/// `append_lookups` (schema/tables.sql): the dedup stages' sorted entries of the rows they decided,
/// which an append looks its new rows up in (`AppendLookup`). Segments are replaced from a first row
/// on (`removeAppendLookup`, then `insertAppendLookupPart`) inside the caller's transaction (the one
/// that writes the stage's last drops), and read back
/// checked: every part present and passing its checksum.
extension WorkingStore {
    /// The checksum key of a part: its name, identity, segment and place, so a part read under another
    /// one fails.
    private static func appendLookupKey(name: String, identity: String, firstRow: Int64, endRow: Int64, part: Int, parts: Int) -> [UInt8] {
        XXH3.hash128(Array("\(name)\u{0}\(identity)\u{0}\(firstRow)\u{0}\(endRow)\u{0}\(part)\u{0}\(parts)".utf8)).bytes
    }

    /// Adds part `part` of `parts` of the segment of `name` for the rows [firstRow, endRow). Call inside
    /// the transaction that removed the segments from `firstRow` on (`removeAppendLookup`).
    func insertAppendLookupPart(name: String, identity: String, firstRow: Int64, endRow: Int64, part: Int, parts: Int, data: [UInt8]) throws {
        let insert = try database.cachedStatement("""
            INSERT INTO append_lookups (name, first_row, part, parts, end_row, identity, data) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        defer { insert.reset() }
        var sealed: [UInt8] = []
        let key = Self.appendLookupKey(name: name, identity: identity, firstRow: firstRow, endRow: endRow, part: part, parts: parts)
        data.withUnsafeBytes { ChecksummedBlob.seal($0, key: key, into: &sealed) }
        try insert.setArguments([.text(name), .integer(firstRow), .integer(Int64(part)), .integer(Int64(parts)),
                                 .integer(endRow), .text(identity), .blob(sealed)])
        try insert.runToCompletion()
    }

    /// Removes the segments of `name` from `fromRow` on (all of them from 0). Call inside a transaction.
    func removeAppendLookup(name: String, fromRow: Int64 = 0) throws {
        try database.run("DELETE FROM append_lookups WHERE name = ? AND first_row >= ?", [.text(name), .integer(fromRow)])
    }

    /// Calls `body` with each part (checked, without its checksum; valid during the call) of the
    /// segments of `name` made for `identity` that cover exactly the rows before `endRow` (segments
    /// from `endRow` on, left by an append that did not finish, are ignored). False, having called
    /// nothing, when they do not (none, another identity, a gap): the stage then reads the old rows.
    /// StoreDamage when a part is missing or fails its checksum.
    func forEachAppendLookupPart(name: String, identity: String, rowsBefore endRow: Int64,
                                 _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        struct Segment { var first: Int64, end: Int64, parts: Int, identity: String }
        var segments: [Segment] = []
        for row in try database.rows("""
            SELECT first_row, end_row, parts, identity, count(*) FROM append_lookups WHERE name = ? AND first_row < ?
            GROUP BY first_row ORDER BY first_row
            """, [.text(name), .integer(endRow)]) {
            let segment = Segment(first: row[0].int64 ?? -1, end: row[1].int64 ?? -1, parts: row[2].int ?? -1, identity: row[3].string ?? "")
            guard row[4].int == segment.parts else { throw StoreDamage("append_lookups: a segment of \(name) lacks parts") }
            segments.append(segment)
        }
        var covered: Int64 = 0
        for segment in segments {
            guard segment.first == covered, segment.identity == identity else { return false }
            covered = segment.end
        }
        guard covered == endRow, !segments.isEmpty else { return false }
        let read = try database.cachedStatement("""
            SELECT part, data FROM append_lookups WHERE name = ? AND first_row = ? ORDER BY part
            """)
        for segment in segments {
            defer { read.reset() }
            try read.bind(name, at: 1)
            try read.bind(segment.first, at: 2)
            var expected = 0
            while try read.step() {
                guard read.int(0) == expected else { throw StoreDamage("append_lookups: part \(expected) of a segment of \(name) is missing") }
                let key = Self.appendLookupKey(name: name, identity: identity, firstRow: segment.first, endRow: segment.end,
                                               part: expected, parts: segment.parts)
                try read.withBytes(1) { stored in
                    guard let value = ChecksummedBlob.open(stored, key: key) else {
                        throw StoreDamage("append_lookups: part \(expected) of \(name)'s rows \(segment.first)..<\(segment.end) fails its checksum")
                    }
                    try body(value)
                }
                expected += 1
            }
            read.reset()
        }
        return true
    }

    /// The input rows ingested (meta `ingest.next_row`): the end of the rows a stage's segment covers
    /// (nil in a store not filled by ingest, as tests make: no segment then).
    func inputRowCount() throws -> Int64? {
        try meta("ingest.next_row").flatMap(Int64.init)
    }
}
