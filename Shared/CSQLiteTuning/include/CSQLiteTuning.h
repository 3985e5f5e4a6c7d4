#ifndef OMNIBUS_CSQLITE_TUNING_H
#define OMNIBUS_CSQLITE_TUNING_H

#include <sqlite3.h>

/// Turns off SQLite's memory statistics, which take a process-wide mutex on every
/// allocation: the writer, the relay's and the replay server's readers contend on it.
/// Must run before SQLite initializes (the first connection); later it does nothing and
/// returns SQLITE_MISUSE. A wrapper because sqlite3_config is variadic, which Swift cannot call.
int omnibus_sqlite_disable_memory_statistics(void);

/// The name of the VFS that `omnibus_wal_buffer_register` installs.
#define OMNIBUS_WAL_BUFFER_VFS "omnibus-wal-buffer"

/// Registers, as the process's default, a VFS over the platform's default ("unix") that can
/// join the writes a commit makes to a WAL file: SQLite writes each WAL frame as two writes
/// (its 24-byte header, then the page), so a commit of 70 frames costs 140 system calls; with
/// the buffer, one per 128 KiB. Only on a connection that asks (OMNIBUS_FCNTL_WAL_BUFFER) after
/// setting synchronous to FULL or EXTRA and reading it back; the pending bytes are written
/// before anything can observe them (the WAL's sync, read, size, truncate, close, and every
/// shared-memory call of its database). Idempotent; returns SQLITE_OK or SQLite's error.
int omnibus_wal_buffer_register(void);

/// A file-control operation (`sqlite3_file_control(db, "main", OMNIBUS_FCNTL_WAL_BUFFER, &on)`,
/// `int on`) that turns the WAL buffer on (1) or off (0) for the connection. Turn it on only
/// after `PRAGMA synchronous` reads back 2 or 3: every commit must sync before it is published.
/// Returns SQLITE_NOTFOUND, leaving it off, where the device lacks power-safe overwrite (a FULL
/// commit there writes padding after its sync). Any later `PRAGMA synchronous = …` turns it off.
#define OMNIBUS_FCNTL_WAL_BUFFER 0x4f4d0002

/// A file-control operation (`sqlite3_file_control(db, "main", OMNIBUS_FCNTL_WAL_WRITES, &counts)`)
/// that reads how many writes the connection's WAL was asked for and how many reached the file.
#define OMNIBUS_FCNTL_WAL_WRITES 0x4f4d0001

/// What ``OMNIBUS_FCNTL_WAL_WRITES`` reports, since the connection opened.
typedef struct {
    /// Writes SQLite asked of the WAL file.
    sqlite3_int64 requested;
    /// Writes that reached the file system.
    sqlite3_int64 issued;
} omnibus_wal_write_counts;

#endif
