@testable import EntropyGuard

/// The standard registry's stages by name, so tests read `.validate` (never a generation literal).
extension StageID {
    static var allCases: [StageID] { StageRegistry.standard.ids }
    static let ingest = StageRegistry.standard["ingest"]!
    static let sanitize = StageRegistry.standard["sanitize"]!
    static let chunk = StageRegistry.standard["chunk"]!
    static let validate = StageRegistry.standard["validate"]!
    static let exactDedup = StageRegistry.standard["exact_dedup"]!
    static let fuzzyDedup = StageRegistry.standard["fuzzy_dedup"]!
    static let semanticDedup = StageRegistry.standard["semantic_dedup"]!
}
