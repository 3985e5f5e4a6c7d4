#include <sqlite3.h>

/// Turns off SQLite's memory statistics, which take a process-wide mutex on every
/// allocation: the writer, the relay's and the replay server's readers contend on it.
/// Must run before SQLite initializes (the first connection); later it does nothing and
/// returns SQLITE_MISUSE. A wrapper because sqlite3_config is variadic, which Swift cannot call.
static inline int omnibus_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
