-- Views for people inspecting a run with the sqlite3 shell. A row is in after_<stage> when it survived
-- that stage: generation >= the stage's ordinal (rewinding is UPDATE rows SET generation = G WHERE generation > G)
-- and it existed then: born <= the ordinal (chunk rows, born at chunk, are not in after_ingest/after_sanitize).
-- Views are re-created every time the store is opened, so a store made by an older version gets
-- the current definitions (views hold no data).
DROP VIEW IF EXISTS rows_full;
DROP VIEW IF EXISTS after_ingest;
DROP VIEW IF EXISTS after_sanitize;
DROP VIEW IF EXISTS after_chunk;
DROP VIEW IF EXISTS after_validate;
DROP VIEW IF EXISTS after_exact_dedup;
DROP VIEW IF EXISTS after_semantic_dedup;
DROP VIEW IF EXISTS dropped;

CREATE VIEW IF NOT EXISTS rows_full AS
    SELECT r.row_id, r.line, r.record_offset, r.record_length, r.generation, r.text_state, r.text_length, r.dedup_key,
           r.dropped_by, r.drop_reason, r.drop_details, r.duplicate_of, r.similarity,
           r.parent_row, r.chunk_index, r.born,
           c.text_original, coalesce(c.text, c.text_original) AS text
    FROM rows r JOIN row_content c USING (row_id);

CREATE VIEW IF NOT EXISTS after_ingest         AS SELECT * FROM rows_full WHERE generation >= 1 AND born <= 1;
CREATE VIEW IF NOT EXISTS after_sanitize       AS SELECT * FROM rows_full WHERE generation >= 2 AND born <= 2;
CREATE VIEW IF NOT EXISTS after_chunk          AS SELECT * FROM rows_full WHERE generation >= 3 AND born <= 3;
CREATE VIEW IF NOT EXISTS after_validate       AS SELECT * FROM rows_full WHERE generation >= 4 AND born <= 4;
CREATE VIEW IF NOT EXISTS after_exact_dedup    AS SELECT * FROM rows_full WHERE generation >= 5 AND born <= 5;
CREATE VIEW IF NOT EXISTS after_semantic_dedup AS SELECT * FROM rows_full WHERE generation >= 6 AND born <= 6;

-- Every dropped row with the stage and reason: the audit log, queryable.
CREATE VIEW IF NOT EXISTS dropped AS
    SELECT r.row_id, r.line, s.name AS stage, r.drop_reason AS reason, r.drop_details AS details,
           r.duplicate_of, r.similarity
    FROM rows r JOIN stages s ON s.generation = r.dropped_by
    WHERE r.dropped_by IS NOT NULL;
