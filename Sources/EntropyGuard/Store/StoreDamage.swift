/// The working store was damaged from outside (a flipped byte on disk, a truncated copy, another file
/// under its name): nothing in it can be trusted. A run sets it aside and starts from scratch
/// (`Pipeline.run`); the CLI reports it as exit 74 where it cannot. Never a bug of ours (exit 70).
public struct StoreDamage: Error, CustomStringConvertible {
    /// What was found, for a message: "database disk image is malformed", "the file is 3571712 bytes, ...".
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    /// The damage an error reveals: a StoreDamage, or SQLite's SQLITE_CORRUPT / SQLITE_NOTADB from any
    /// statement anywhere in a run. Nil for every other error.
    public init?(_ error: Error) {
        if let damage = error as? StoreDamage {
            self = damage
        } else if let error = error as? SQLiteError, error.isCorruption {
            reason = "\(error.message) (SQLite error \(error.extendedResultCode))"
        } else {
            return nil
        }
    }

    /// A scan of the store gave another number of rows than the checkpoint it resumed from recorded.
    static func rowCount(_ found: Int, expected: Int, in what: String) -> StoreDamage {
        StoreDamage("\(what) has \(found) rows where the checkpoint recorded \(expected)")
    }

    public var description: String { "the working store is damaged: \(reason)" }
}
