#include <sqlite3.h>
#include "sqlite_support.h"

int eg_sqlite_configure_multi_thread(void) {
    int rc = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
