-- EntropyGuard working store (schema version 2).
-- One database per checkpoint directory: <dir>/entropyguard.sqlite. Inspect it with the sqlite3 shell:
--   sqlite3 ck/entropyguard.sqlite 'select count(*) from after_exact_dedup'

-- Key/value facts about the store: schema version, the input it holds, ingest progress, and the
-- progress of a sanitize or chunk run not finished yet (<stage>.next_row, <stage>.config_hash).
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The pipeline's stages in order, as the store was made with them. A row's generation is the ordinal
-- of the last stage it survived. Written from the stage registry when the store is made (see
-- stages.sql); a store made with another list is reset when opened.
CREATE TABLE IF NOT EXISTS stages (
    generation INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE
);

-- One row per input record (and per chunk once chunking runs). Kept narrow on purpose: every stage
-- rewrites `generation` for all its survivors and SQLite rewrites a whole record on update, so the
-- texts live in row_content. The record's original bytes are not copied: the input is identified by
-- its XXH3-128 hash, so (record_offset, record_length) in that exact input is the record; the output
-- reads them from there. The view rows_full joins the two tables. Parquet input (one file or several,
-- hashed as one): a record is (file, row group, row), kept in the same two columns (Ingest/ParquetRecordID.swift):
-- record_offset = file index << 32 | row group, record_length = row in the group, line = record number.
CREATE TABLE IF NOT EXISTS rows (
    row_id        INTEGER PRIMARY KEY,  -- input order, 0-based (chunks: numbered after the input rows)
    line          INTEGER NOT NULL,     -- 1-based line of the input where the record starts
    record_offset INTEGER NOT NULL,     -- byte offset of the record in the input
    record_length INTEGER NOT NULL,     -- its length in bytes, without the line terminator
    generation    INTEGER NOT NULL,     -- last stage survived (stages.generation); 0 = rejected at ingest
    text_state    TEXT NOT NULL DEFAULT 'ok'
                  -- 'ok' is tested first on its own: SQLite builds a temporary b-tree for an IN list each
                  -- time an INSERT statement runs, which was a third of ingest (0.75 s per 1M rows).
                  CHECK (text_state = 'ok' OR text_state IN ('missing', 'null', 'not_string', 'bad_record')),
    text_length   INTEGER,              -- code points of the current text, trimmed of whitespace
    dedup_key     INTEGER,              -- exact-dedup key: XXH3-64 of the normalized current text
    dropped_by    INTEGER,              -- generation of the stage that dropped the row, NULL while alive
    drop_reason   TEXT,                 -- exact_duplicate, semantic_duplicate, below_min_length, ...
    drop_details  TEXT,
    duplicate_of  INTEGER,              -- the surviving row this one duplicates
    similarity    REAL,                 -- cosine similarity for semantic duplicates
    parent_row    INTEGER,              -- chunks: the row they were cut from
    chunk_index   INTEGER,              -- chunks: 0-based position in the parent
    born          INTEGER NOT NULL DEFAULT 1   -- generation of the stage that created the row
);

-- Finds chunk rows without scanning (only chunks are in this partial index).
CREATE INDEX IF NOT EXISTS rows_chunks ON rows (parent_row, chunk_index) WHERE parent_row IS NOT NULL;

-- The dropped rows only: counting drops per stage and reason, and the rows still alive (all rows minus
-- these), reads this small index instead of scanning every row (7 such scans were ~0.4 s of a 1M-row run).
CREATE INDEX IF NOT EXISTS rows_dropped ON rows (dropped_by, drop_reason) WHERE dropped_by IS NOT NULL;

-- The wide part of a row: its texts. A row's current text is coalesce(sanitized_text.text,
-- row_content.text, text_original) (the view rows_full).
CREATE TABLE IF NOT EXISTS row_content (
    row_id        INTEGER PRIMARY KEY,
    text_original TEXT,                 -- the text field as read, NULL when missing/null/not a string
    text          TEXT                  -- a chunk's text (chunk rows have no original); in stores made
                                        -- before sanitized_text, also the texts sanitize rewrote
);

-- The rows whose text a stage changed: lets the output skip reading row_content when there are none.
CREATE INDEX IF NOT EXISTS row_content_changed ON row_content (row_id) WHERE text IS NOT NULL;

-- The texts sanitize rewrote (the stage that rewrites texts, StageDefinition.rewritesTexts), with the
-- values derived from them. Appended a batch at a time in row-id order, in the transaction that commits
-- the batch's progress; the rows' dedup_key and text_length take these values in the transaction that
-- commits the stage's checkpoint (with the survivors' generation), so until then rows holds the
-- ingested values, as after_ingest shows them. Rewriting row_content.text in place instead (a few % of
-- the texts, on every leaf page) sent the whole table through the WAL: 0.9 s of SQLite per 1M rows.
CREATE TABLE IF NOT EXISTS sanitized_text (
    row_id      INTEGER PRIMARY KEY,
    text        TEXT NOT NULL,
    dedup_key   INTEGER NOT NULL,       -- the exact-dedup key of the text (rows.dedup_key)
    text_length INTEGER NOT NULL        -- code points of the trimmed text (rows.text_length)
);

-- One row per completed stage: what it was computed from, so a later run can trust it.
CREATE TABLE IF NOT EXISTS checkpoints (
    generation    INTEGER PRIMARY KEY,
    stage         TEXT NOT NULL,
    input_hash    TEXT NOT NULL,        -- XXH3-128 of the input bytes (hex)
    config_hash   TEXT NOT NULL,        -- chained: this stage's settings + the previous stage's hash
    row_count     INTEGER NOT NULL,     -- rows alive after the stage
    created_at    TEXT NOT NULL,        -- ISO 8601, UTC
    dropped       TEXT,                 -- rows the stage dropped, per reason (JSON object)
    snapshot_path TEXT,                 -- after_<stage>.parquet, relative to the checkpoint dir
    snapshot_xxh3 TEXT                  -- XXH3-64 of the snapshot file (hex)
);

-- The settings each checkpoint's stage ran with (StageDefinition settings: the text its config hash is
-- made from), for people and for `report`. Apart from `checkpoints` so that stores made before it still
-- open; written and removed with the checkpoint.
CREATE TABLE IF NOT EXISTS checkpoint_settings (
    generation INTEGER PRIMARY KEY,
    settings   TEXT NOT NULL
);

-- Dedup stages (semantic_dedup, fuzzy_dedup): for each row the stage KEPT whose best similarity to an
-- earlier kept row came within NearMissWindow.width below the threshold, that score and row. With the
-- dropped rows' rows.similarity these are every score near the threshold the stage measured: `report`
-- draws them and counts what another threshold would drop without rerunning. Written in the same
-- transaction as the batch's drops, so a crash keeps the two consistent; rewinding removes a stage's
-- rows with its drops.
CREATE TABLE IF NOT EXISTS near_misses (
    generation  INTEGER NOT NULL,       -- the stage
    row_id      INTEGER NOT NULL,       -- the kept row
    nearest_row INTEGER NOT NULL,       -- its most similar earlier kept row (that the stage compared it with)
    similarity  REAL NOT NULL,
    PRIMARY KEY (generation, row_id)
) WITHOUT ROWID;

-- One row per invocation.
CREATE TABLE IF NOT EXISTS runs (
    run_id      INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running',   -- running, ok, failed, interrupted
    arguments   TEXT NOT NULL,
    input_path  TEXT,
    input_hash  TEXT,
    rows_in     INTEGER,
    rows_out    INTEGER,
    summary     TEXT                                -- the run summary as JSON
);

-- Sentence embeddings, keyed by model and the hash of the embedded text, so identical texts are
-- embedded once and a re-run (another threshold, --resume-from semantic_dedup) embeds nothing.
-- A rowid table with a unique index rather than a WITHOUT ROWID table keyed by the hash: vectors are
-- appended in order and only the small index takes random inserts, which keeps each commit's WAL
-- writes small.
CREATE TABLE IF NOT EXISTS embeddings (
    embedding_id INTEGER PRIMARY KEY,
    model        TEXT NOT NULL,
    text_hash    BLOB NOT NULL,         -- XXH3-128 of the text's UTF-8 bytes
    vector       BLOB NOT NULL          -- float32 little-endian, L2-normalized, then an 8-byte checksum
                                        -- (ChecksummedBlob; a vector failing it is embedded again)
);
CREATE UNIQUE INDEX IF NOT EXISTS embeddings_by_text ON embeddings (model, text_hash);

-- MinHash signatures for fuzzy dedup, a cache like embeddings: keyed by how they were made and the hash
-- of the signed text, valid for any input and kept when the store is reset. The stage commits them a
-- batch at a time, so a crash inside it loses at most one batch; identical texts are signed once; a
-- re-run with another --fuzzy-threshold (which changes only the LSH banding and the selection) signs
-- nothing. How they were made (MinHasher.cacheKey: shingle setting with its normalisation's version,
-- permutations, seed; ~140 bytes) is stored once in minhash_settings, and each signature refers to it.
CREATE TABLE IF NOT EXISTS minhash_settings (
    setting_id INTEGER PRIMARY KEY,
    cache_key  TEXT NOT NULL UNIQUE
);

-- The signatures, one row per batch of the stage (its alive rows in input order, --batch-size of
-- them): those it computed for the batch (all of them unless some came from the store), committed
-- with the batch and keyed by their texts in order. A resumed run or one with another
-- --fuzzy-threshold reads the same batches again and finds each whole with one seek. A row per
-- signature with a lookup by text filled at the end of the stage cost ~3 CPU-s per 1M rows of SQLite
-- (two inserts a signature, then a sorted bulk fill of the lookup: 1.58 CPU-s); see the README's
-- Benchmarks for what a row per batch saves.
CREATE TABLE IF NOT EXISTS minhash_batches (
    batch_id     INTEGER PRIMARY KEY,
    setting_id   INTEGER NOT NULL,      -- minhash_settings.setting_id
    batch_key    BLOB NOT NULL,         -- XXH3-128 of text_hashes
    row_count    INTEGER NOT NULL,
    text_hashes  BLOB NOT NULL,         -- row_count x 16 bytes: XXH3-128 of each text's UTF-8 bytes, in order
    signatures   BLOB NOT NULL,         -- row_count x (each signature's entries, UInt32 little-endian
                                        -- (MinHashSignatures), then an 8-byte checksum (ChecksummedBlob, WorkingStore.verifiedSignature))
    indexed      INTEGER NOT NULL DEFAULT 0  -- 1 once its texts are in minhash_text_lookup
);
CREATE UNIQUE INDEX IF NOT EXISTS minhash_batches_by_key ON minhash_batches (setting_id, batch_key);

-- The lookup by text, for a batch not found whole (other --batch-size, a row more or less upstream):
-- filled, sorted by hash, only then, from the batches not yet in it. Never batch by batch: each
-- batch's hashes fall all over it, so a unique index on the signatures rewrote nearly all its 64 KiB
-- pages at every commit, a cost growing with the square of the rows (9.9 s of a 34 s stage at 1M rows
-- on a loaded machine).
CREATE TABLE IF NOT EXISTS minhash_text_lookup (
    setting_id   INTEGER NOT NULL,
    text_hash    BLOB NOT NULL,         -- XXH3-128 of the text's UTF-8 bytes
    batch_id     INTEGER NOT NULL,      -- minhash_batches.batch_id
    position     INTEGER NOT NULL,      -- the signature's place in that batch
    PRIMARY KEY (setting_id, text_hash)
) WITHOUT ROWID;

-- The layout before (a row per signature, 2026-11-30): its signatures are computed again.
DROP TABLE IF EXISTS minhash_signatures;
DROP TABLE IF EXISTS minhash_lookup;
DROP TABLE IF EXISTS minhash_pending;

-- Append (InputAppend): what the dedup stages of a later append look the new rows up in, so that they
-- read neither the old rows' keys nor their signatures again. `name` is the stage; a segment holds the
-- entries of the rows [first_row, end_row) (the full run's rows, then one segment per append), in
-- parts of at most 1M entries, each sorted by key: exact dedup (key, first row) of each distinct dedup key,
-- fuzzy dedup (band key's high 32 bits, row) of each band of each row it kept (its selector's sorted
-- runs as they are, not merged: with them merged, and exact's keys sorted by Swift's sort, a 1M-row
-- full run cost 0.71 CPU-s more than without the lookups; now 0.19). Written in the
-- transaction of the stage's last drops, replacing the segments from first_row on, and used only while
-- `identity` is the stage's chained config hash and the segments cover exactly the old rows; each part
-- ends with a ChecksummedBlob checksum keyed by name, identity, segment and part (StoreDamage when it
-- fails). The alternative, a scan of every old row's key (exact) and a selection over every old
-- row's signature (fuzzy), was 2.2 s and 22 s wall of a 1%-of-1M append (see README, Append).
CREATE TABLE IF NOT EXISTS append_lookups (
    name      TEXT NOT NULL,
    first_row INTEGER NOT NULL,
    part      INTEGER NOT NULL,    -- 0..<parts
    parts     INTEGER NOT NULL,
    end_row   INTEGER NOT NULL,
    identity  TEXT NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (name, first_row, part)
);

-- --reference: what runs that take this store as their reference reuse instead of recomputing it each
-- time (ReferenceCorpus), made from its kept rows by the first such run. `name` says what a set of
-- parts is (its kind, model and settings); `identity` is the store's identity when they were made (its
-- input's hash and its last checkpoint's chained config hash), so parts made before the store's run
-- was redone are never used: they are made again. All parts of a name are replaced in one transaction
-- (a run killed meanwhile leaves the old set or the new one), each ends with a ChecksummedBlob
-- checksum keyed by name, identity and part: a damaged part is found and the set made again. Kept
-- apart from the caches above: a 1M-row reference's semantic index (IVF centroids, and its kept rows'
-- bfloat16 vectors in list order) saves each run ~1M vector lookups and as many centroid rankings.
CREATE TABLE IF NOT EXISTS reference_parts (
    part_id  INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    part     INTEGER NOT NULL,      -- 0..<parts, in order
    identity TEXT NOT NULL,
    data     BLOB NOT NULL          -- the part, then an 8-byte checksum (ChecksummedBlob)
);
CREATE UNIQUE INDEX IF NOT EXISTS reference_parts_by_name ON reference_parts (name, part);
