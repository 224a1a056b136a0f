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

    /// Parts made a few at a time, each batch in a transaction of its own, for a set too large to hold
    /// at once (the fuzzy stage's reference signatures): they go under a staging name no reader asks
    /// for, and `publishStagedReferenceParts` renames them in one transaction, replacing the old set.
    /// A run killed meanwhile leaves staged parts that are never read; the next build deletes them.
    static func stagingName(_ name: String) -> String { "staging:" + name }

    /// Deletes what an earlier build of `name` left staged.
    func clearStagedReferenceParts(name: String) throws {
        try database.transaction { try database.run("DELETE FROM reference_parts WHERE name = ?", [.text(Self.stagingName(name))]) }
    }

    /// Stages part `part` of `name` (checksummed for `name`, as it will be read once published).
    func stageReferencePart(name: String, identity: String, part: Int, value: [UInt8]) throws {
        var sealed: [UInt8] = []
        value.withUnsafeBytes { ChecksummedBlob.seal($0, key: Self.partKey(name: name, identity: identity, part: part), into: &sealed) }
        try database.transaction {
            try database.run("INSERT INTO reference_parts (name, part, identity, data) VALUES (?, ?, ?, ?)",
                             [.text(Self.stagingName(name)), .integer(Int64(part)), .text(identity), .blob(sealed)])
        }
    }

    /// Makes the staged parts of `name` its set, replacing the old one, in one transaction.
    func publishStagedReferenceParts(name: String) throws {
        try database.transaction {
            try database.run("DELETE FROM reference_parts WHERE name = ?", [.text(name)])
            try database.run("UPDATE reference_parts SET name = ?1 WHERE name = ?2", [.text(name), .text(Self.stagingName(name))])
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
