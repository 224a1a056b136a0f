/// Quality gates, run before dedup so a row that wins a dedup group is never removed afterwards:
/// null/missing/non-string text (empty_or_null), empty after sanitize (empty_after_strip), fewer than
/// `minLength` code points (below_min_length). A null in any other field never drops a row.
/// One UPDATE on the narrow rows table (`WorkingStore.dropInvalidTexts`).
struct ValidateStage: PipelineStage {
    static let definition = StageDefinition(name: "validate", optionKeys: ["min-length"]) { setup in
        ValidateStage(minLength: setup.options.minLength)
    }

    let minLength: Int

    var settings: String { "min_length=\(minLength)" }

    func run(_ context: StageContext) throws -> StageReport {
        try Interrupt.check()
        // An append's old rows passed it already.
        try context.store.dropInvalidTexts(by: context.stage, minLength: minLength, fromRow: context.appendFrom ?? 0)
        return StageReport()
    }
}
