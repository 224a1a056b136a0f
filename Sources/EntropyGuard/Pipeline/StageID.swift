/// The pipeline's stages in their fixed order. The raw value is the stage's generation: a row's
/// `generation` is the ordinal of the last stage it survived (see schema/tables.sql, table `stages`).
public enum StageID: Int, CaseIterable, Comparable, Sendable {
    case ingest = 1
    case sanitize = 2
    case chunk = 3
    case validate = 4
    case exactDedup = 5
    case semanticDedup = 6

    public var generation: Int { rawValue }

    /// The name used in views, checkpoints and files (`after_<name>`).
    public var name: String {
        switch self {
        case .ingest: return "ingest"
        case .sanitize: return "sanitize"
        case .chunk: return "chunk"
        case .validate: return "validate"
        case .exactDedup: return "exact_dedup"
        case .semanticDedup: return "semantic_dedup"
        }
    }

    public var checkpointName: String { "after_\(name)" }

    public init?(name: String) {
        let bare = name.hasPrefix("after_") ? String(name.dropFirst(6)) : name
        guard let stage = StageID.allCases.first(where: { $0.name == bare }) else { return nil }
        self = stage
    }

    public static func < (lhs: StageID, rhs: StageID) -> Bool { lhs.rawValue < rhs.rawValue }
}
