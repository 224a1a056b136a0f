import EntropyGuard

/// A toy stage, added from outside the library through the registry alone: it drops every text that
/// contains `marker` (case-sensitive), reason `contains_marker`. It uses the library's public API only
/// (no @testable import) and the store's named operations only (scripts/check-sql checks this file).
struct MarkerStage: PipelineStage {
    /// The stage's one registry entry. Its option is the marker, held by the definition; it is part of
    /// the stage's settings, so changing it redoes this stage and the later ones.
    static func definition(marker: String) -> StageDefinition {
        StageDefinition(name: "drop_marked") { _ in MarkerStage(marker: marker) }
    }

    let marker: String

    var settings: String { "marker=\(marker)" }

    func run(_ context: StageContext) throws -> StageReport {
        let store = context.store
        var batches = store.aliveTextBatches(before: context.stage, batchSize: context.options.batchSize)
        var marked = 0
        while let batch = try batches.next() {
            try Interrupt.check()
            try store.transaction {
                for (row, text) in batch where text.contains(marker) {
                    try store.drop(row: row, by: context.stage, reason: "contains_marker", details: marker)
                    marked += 1
                }
            }
        }
        return StageReport(notes: ["marked": marked])
    }
}
