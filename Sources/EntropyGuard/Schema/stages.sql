-- Generated from StageRegistry.standard (Sources/EntropyGuard/Pipeline/StageRegistry.swift) by
-- Store/StageSchemaSQL.swift, which runs this SQL for the registry of the run each time a store is
-- opened. Do not edit: StageListTests keeps this copy equal to what the binary runs.

-- The store's stage list, written when the store is made. A row's generation is the ordinal of the
-- last stage it survived; a store made with another list is reset when opened (generations would
-- mean other stages).
INSERT INTO stages (generation, name) VALUES
    (1, 'ingest'), (2, 'sanitize'), (3, 'chunk'), (4, 'validate'), (5, 'exact_dedup'), (6, 'fuzzy_dedup'), (7, 'semantic_dedup');

-- A row is in after_<stage> when it survived that stage: generation >= the stage's ordinal
-- (rewinding is UPDATE rows SET generation = G WHERE generation > G), and it existed then:
-- born <= the ordinal (chunk rows, born at chunk, are not in after_ingest/after_sanitize).
-- Views hold no data: every open drops the after_* views and makes these.
CREATE VIEW IF NOT EXISTS after_ingest         AS SELECT * FROM rows_full WHERE generation >= 1 AND born <= 1;
CREATE VIEW IF NOT EXISTS after_sanitize       AS SELECT * FROM rows_full WHERE generation >= 2 AND born <= 2;
CREATE VIEW IF NOT EXISTS after_chunk          AS SELECT * FROM rows_full WHERE generation >= 3 AND born <= 3;
CREATE VIEW IF NOT EXISTS after_validate       AS SELECT * FROM rows_full WHERE generation >= 4 AND born <= 4;
CREATE VIEW IF NOT EXISTS after_exact_dedup    AS SELECT * FROM rows_full WHERE generation >= 5 AND born <= 5;
CREATE VIEW IF NOT EXISTS after_fuzzy_dedup    AS SELECT * FROM rows_full WHERE generation >= 6 AND born <= 6;
CREATE VIEW IF NOT EXISTS after_semantic_dedup AS SELECT * FROM rows_full WHERE generation >= 7 AND born <= 7;
