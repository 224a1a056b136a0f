-- Views for people inspecting a run with the sqlite3 shell. Views are re-created every time the store
-- is opened, so a store made by an older version gets the current definitions (views hold no data).
-- The view per stage, after_<stage>, follows the stage list: see stages.sql.
DROP VIEW IF EXISTS rows_full;
DROP VIEW IF EXISTS dropped;

CREATE VIEW IF NOT EXISTS rows_full AS
    SELECT r.row_id, r.line, r.record_offset, r.record_length, r.generation, r.text_state, r.text_length, r.dedup_key,
           r.dropped_by, r.drop_reason, r.drop_details, r.duplicate_of, r.similarity,
           r.parent_row, r.chunk_index, r.born,
           c.text_original, coalesce(t.text, c.text, c.text_original) AS text
    FROM rows r JOIN row_content c USING (row_id) LEFT JOIN sanitized_text t USING (row_id);

-- Every dropped row with the stage and reason: the audit log, queryable.
CREATE VIEW IF NOT EXISTS dropped AS
    SELECT r.row_id, r.line, s.name AS stage, r.drop_reason AS reason, r.drop_details AS details,
           r.duplicate_of, r.similarity
    FROM rows r JOIN stages s ON s.generation = r.dropped_by
    WHERE r.dropped_by IS NOT NULL;
