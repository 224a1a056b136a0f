-- Connection settings, applied every time the store is opened.
-- WAL: readers never block the writer, and a crash or SIGKILL at any instant leaves the last committed
-- transaction intact. synchronous=NORMAL is safe in WAL mode (a power loss may lose the last commits,
-- never consistency); every stage records its progress in the same transaction as its rows.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = OFF;
PRAGMA temp_store = FILE;
PRAGMA cache_size = -65536;          -- 64 MiB page cache: memory is bounded by this, not by the input
PRAGMA wal_autocheckpoint = 4000;
