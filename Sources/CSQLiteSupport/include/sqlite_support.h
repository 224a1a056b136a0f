#ifndef ENTROPYGUARD_SQLITE_SUPPORT_H
#define ENTROPYGUARD_SQLITE_SUPPORT_H

/// Configures SQLite for connections that are each used from one thread at a time (several
/// connections may run on different threads): no per-connection mutexes, no memory statistics.
/// sqlite3_config is variadic, so Swift cannot call it directly. Must run before SQLite is first
/// used in the process; returns SQLITE_OK, or SQLITE_MISUSE when it was already initialized.
int eg_sqlite_configure_multi_thread(void);

#endif
