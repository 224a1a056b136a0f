/// `reference_parts` (schema/tables.sql): what runs against this store as their `--reference` persist
/// in it to reuse (ReferenceCorpus). A set of parts has a name and the store identity it was made for;
/// it is replaced whole, in one transaction, and each part is checked (ChecksummedBlob) when read.
extension WorkingStore {
    /// What reading a part found.
    enum ReferencePart {
        /// The part's bytes (without the checksum), valid during the call that gets them.
        case valid(UnsafeRawBufferPointer)
        /// No such part, or one made for another identity of the store: to be made (again).
        case missing
        /// Present for this identity but failing its checksum: never used, made again.
        case damaged
    }

    /// The checksum key of a part: name, identity and place, so a part read under another one fails.
    private static func partKey(name: String, identity: String, part: Int) -> [UInt8] {
        XXH3.hash128(Array("\(name)\u{0}\(identity)\u{0}\(part)".utf8)).bytes
    }

    /// Replaces the parts named `name` with `count` new ones made for `identity`, `make(i)` giving part
    /// i, in one transaction: a run killed meanwhile leaves the old set (or none) or the whole new one.
    func replaceReferenceParts(name: String, identity: String, count: Int, make: (Int) throws -> [UInt8]) throws {
        let insert = try database.cachedStatement("INSERT INTO reference_parts (name, part, identity, data) VALUES (?, ?, ?, ?)")
        var sealed: [UInt8] = []
        try database.transaction {
            try database.run("DELETE FROM reference_parts WHERE name = ?", [.text(name)])
            for part in 0..<count {
                let value = try make(part)
                value.withUnsafeBytes { ChecksummedBlob.seal($0, key: Self.partKey(name: name, identity: identity, part: part), into: &sealed) }
                try insert.bind(name, at: 1)
                try insert.bind(part, at: 2)
                try insert.bind(identity, at: 3)
                try insert.bindBlob(sealed, at: 4)
                try insert.runToCompletion()
                insert.reset()
                sealed = []
            }
        }
    }

    /// Calls `body` with part `part` of the set `name` as made for `identity`, checked.
    func withReferencePart<T>(name: String, identity: String, part: Int, _ body: (ReferencePart) throws -> T) throws -> T {
        let read = try database.cachedStatement("SELECT identity, data FROM reference_parts WHERE name = ? AND part = ?")
        defer { read.reset() }
        try read.bind(name, at: 1)
        try read.bind(part, at: 2)
        guard try read.step(), read.string(0) == identity else { return try body(.missing) }
        return try read.withBytes(1) { stored in
            guard let value = ChecksummedBlob.open(stored, key: Self.partKey(name: name, identity: identity, part: part)) else {
                return try body(.damaged)
            }
            return try body(.valid(value))
        }
    }
}
