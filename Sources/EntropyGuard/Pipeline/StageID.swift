/// A stage of a `StageRegistry`: its name and its generation, which is its position in the registry
/// (1-based). A row's `generation` is the generation of the last stage it survived (see
/// schema/tables.sql, table `stages`). IDs come from a registry (`StageRegistry.standard["chunk"]`),
/// never from a literal: inserting a stage renumbers the ones after it.
public struct StageID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The name used in views, checkpoints, snapshots and the summary (`after_<name>`).
    public let name: String
    public let generation: Int

    init(name: String, generation: Int) {
        self.name = name
        self.generation = generation
    }

    /// `after_<name>`: the stage's view, checkpoint and snapshot file.
    public var checkpointName: String { "after_\(name)" }

    public var description: String { name }

    public static func < (lhs: StageID, rhs: StageID) -> Bool { lhs.generation < rhs.generation }
}
