/// The part of the schema that follows the stage list, generated from a `StageRegistry` when the store
/// is opened: the `stages` rows (the store's record of the list it is made with) and one view
/// `after_<stage>` per stage. `schema/stages.sql` is this SQL for `StageRegistry.standard`, kept
/// readable next to tables.sql and views.sql; a test keeps it equal to what the binary runs.
enum StageSchemaSQL {
    /// The `stages` rows of `stages`. Names are SQL-safe: the registry checks them.
    static func stageRows(_ stages: StageRegistry) -> String {
        let values = stages.ids.map { "(\($0.generation), '\($0.name)')" }.joined(separator: ", ")
        return "INSERT INTO stages (generation, name) VALUES\n    \(values);\n"
    }

    /// The `after_<stage>` views of `stages`.
    static func views(_ stages: StageRegistry) -> String {
        let width = stages.ids.map(\.checkpointName.count).max() ?? 0
        return stages.ids.map { stage in
            let name = stage.checkpointName.padding(toLength: width, withPad: " ", startingAt: 0)
            return "CREATE VIEW IF NOT EXISTS \(name) AS SELECT * FROM rows_full WHERE generation >= \(stage.generation) AND born <= \(stage.generation);\n"
        }.joined()
    }

    /// schema/stages.sql: the two parts above, explained.
    static func file(_ stages: StageRegistry) -> String {
        """
        -- Generated from StageRegistry.standard (Sources/EntropyGuard/Pipeline/StageRegistry.swift) by
        -- Store/StageSchemaSQL.swift, which runs this SQL for the registry of the run each time a store is
        -- opened. Do not edit: StageListTests keeps this copy equal to what the binary runs.

        -- The store's stage list, written when the store is made. A row's generation is the ordinal of the
        -- last stage it survived; a store made with another list is reset when opened (generations would
        -- mean other stages).
        \(stageRows(stages))
        -- A row is in after_<stage> when it survived that stage: generation >= the stage's ordinal
        -- (rewinding is UPDATE rows SET generation = G WHERE generation > G), and it existed then:
        -- born <= the ordinal (chunk rows, born at chunk, are not in after_ingest/after_sanitize).
        -- Views hold no data: every open drops the after_* views and makes these.
        \(views(stages))
        """
    }

    /// Drops every `after_*` view, including those of stages the registry no longer has.
    static func dropStageViews(in database: Database) throws {
        let names = try database.rows("SELECT name FROM sqlite_schema WHERE type = 'view' AND name LIKE 'after\\_%' ESCAPE '\\'")
            .compactMap { $0[0].string }
        for name in names {
            try database.execute("DROP VIEW IF EXISTS \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"")
        }
    }
}
