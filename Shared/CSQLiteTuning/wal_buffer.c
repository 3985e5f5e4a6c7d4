// A VFS over the platform's default that joins the writes of a WAL commit into a few.
//
// Why it is safe: SQLite's WAL is read by other connections only up to the last frame the
// wal-index header publishes. On a connection that asked for buffering (it must sync every
// commit: synchronous FULL or EXTRA, read back, on a device with power-safe overwrite, where a
// commit writes nothing after its sync), a commit's frames are all written before its xSync
// and published after it, through shared-memory calls on its database's file. The pending
// bytes are written out, with one pwrite per 128 KiB, before the WAL is synced, read, sized,
// truncated, closed or given a file control, and before every shared-memory call of its
// database, so whatever any connection can observe is what the platform VFS would have
// written. Buffering only delays a write, never reorders it against a sync. Should a commit
// ever reach publication with bytes still pending that cannot be written, the process stops
// (see bufferedShmBarrier). A connection's files are used by one thread at a time (SQLite's
// connection mutex); only the registry of open databases is shared, under a mutex.

#include "CSQLiteTuning.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/// The platform VFS writes at most 128 KiB - 1 bytes per call (its pwrite masks the length with
/// 0x1ffff, and a longer write comes back short and is reported as a full disk), so a run
/// longer than that is written as several.
enum { capacity = 0x1ffff };

typedef struct BufferedFile BufferedFile;
struct BufferedFile {
    sqlite3_file base;
    /// The platform VFS's file, allocated right after this struct.
    sqlite3_file *real;
    /// Main database: the name SQLite opened it by, which its WAL's name leads back to.
    const char *name;
    /// Main database: whether its connection asked for buffering (OMNIBUS_FCNTL_WAL_BUFFER) and
    /// has not changed `synchronous` since.
    int syncsEveryCommit;
    /// Main database: what its WALs were asked to write and what they wrote.
    omnibus_wal_write_counts walWrites;
    /// Main database: its WAL while open. WAL: its main database, if found at open.
    BufferedFile *wal;
    BufferedFile *database;
    /// The registry of open main databases.
    BufferedFile *nextDatabase;
    int isWal;
    unsigned char *pending;
    sqlite3_int64 pendingOffset;
    int pendingLength;
};

static sqlite3_vfs *platform;
static sqlite3_vfs bufferVfs;
static pthread_mutex_t registryLock = PTHREAD_MUTEX_INITIALIZER;
static BufferedFile *openDatabases;

/// Writes the pending run. On failure the bytes are dropped, as a failed pwrite's would be:
/// SQLite treats the error as it treats the platform VFS's (the transaction fails).
static int flushPending(BufferedFile *file) {
    if (file->pendingLength == 0) return SQLITE_OK;
    int length = file->pendingLength;
    file->pendingLength = 0;
    int rc = file->real->pMethods->xWrite(file->real, file->pending, length, file->pendingOffset);
    if (rc == SQLITE_OK && file->database) file->database->walWrites.issued += 1;
    return rc;
}

static int flushWalOf(BufferedFile *database) {
    return database->wal ? flushPending(database->wal) : SQLITE_OK;
}

/// Appends to or overwrites inside the pending run when it can; 0 when the write must go
/// to the file (after the pending run is flushed).
static int buffered(BufferedFile *file, const void *data, int amount, sqlite3_int64 offset) {
    if (file->pendingLength > 0) {
        sqlite3_int64 end = file->pendingOffset + file->pendingLength;
        if (offset >= file->pendingOffset && offset + amount <= end) {
            memcpy(file->pending + (offset - file->pendingOffset), data, (size_t)amount);
            return 1;
        }
        if (offset != end) return 0;
    }
    int needed = file->pendingLength + amount;
    if (needed > capacity) return 0;
    if (file->pending == NULL && (file->pending = malloc(capacity)) == NULL) return 0;
    if (file->pendingLength == 0) file->pendingOffset = offset;
    memcpy(file->pending + file->pendingLength, data, (size_t)amount);
    file->pendingLength = needed;
    return 1;
}

// MARK: File methods

static int bufferedClose(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    int flushed = flushPending(file);
    pthread_mutex_lock(&registryLock);
    if (file->isWal && file->database) file->database->wal = NULL;
    if (!file->isWal) {
        if (file->wal) file->wal->database = NULL;
        for (BufferedFile **link = &openDatabases; *link; link = &(*link)->nextDatabase) {
            if (*link == file) { *link = file->nextDatabase; break; }
        }
    }
    pthread_mutex_unlock(&registryLock);
    free(file->pending);
    int closed = file->real->pMethods->xClose(file->real);
    return flushed != SQLITE_OK ? flushed : closed;
}

static int bufferedRead(sqlite3_file *handle, void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushPending(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xRead(file->real, data, amount, offset);
}

static int bufferedWrite(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *file = (BufferedFile *)handle;
    BufferedFile *database = file->database;
    if (file->isWal && database) {
        database->walWrites.requested += 1;
        if (database->syncsEveryCommit && buffered(file, data, amount, offset)) return SQLITE_OK;
        int rc = flushPending(file);
        if (rc != SQLITE_OK) return rc;
        // A run that did not fit starts a new one.
        if (database->syncsEveryCommit && buffered(file, data, amount, offset)) return SQLITE_OK;
        rc = file->real->pMethods->xWrite(file->real, data, amount, offset);
        if (rc == SQLITE_OK) database->walWrites.issued += 1;
        return rc;
    }
    return file->real->pMethods->xWrite(file->real, data, amount, offset);
}

static int bufferedTruncate(sqlite3_file *handle, sqlite3_int64 size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushPending(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xTruncate(file->real, size);
}

static int bufferedSync(sqlite3_file *handle, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushPending(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xSync(file->real, flags);
}

static int bufferedFileSize(sqlite3_file *handle, sqlite3_int64 *size) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushPending(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xFileSize(file->real, size);
}

static int bufferedLock(sqlite3_file *handle, int level) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xLock(file->real, level);
}

static int bufferedUnlock(sqlite3_file *handle, int level) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xUnlock(file->real, level);
}

static int bufferedCheckReservedLock(sqlite3_file *handle, int *reserved) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xCheckReservedLock(file->real, reserved);
}

static int bufferedFileControl(sqlite3_file *handle, int operation, void *argument) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushPending(file);
    if (rc != SQLITE_OK) return rc;
    if (operation == OMNIBUS_FCNTL_WAL_WRITES) {
        *(omnibus_wal_write_counts *)argument = file->walWrites;
        return SQLITE_OK;
    }
    if (operation == OMNIBUS_FCNTL_WAL_BUFFER && !file->isWal) {
        int characteristics = file->real->pMethods->xDeviceCharacteristics(file->real);
        // Without power-safe overwrite a FULL commit pads its last frame after its sync.
        if (*(int *)argument && !(characteristics & SQLITE_IOCAP_POWERSAFE_OVERWRITE)) return SQLITE_NOTFOUND;
        rc = flushWalOf(file);
        if (rc != SQLITE_OK) return rc;
        file->syncsEveryCommit = *(int *)argument != 0;
        return SQLITE_OK;
    }
    if (operation == SQLITE_FCNTL_PRAGMA && !file->isWal) {
        char **words = (char **)argument;
        if (words[1] && strcasecmp(words[1], "synchronous") == 0 && words[2]) {
            // Sent before SQLite checks the new level (it may yet refuse it): any change turns
            // buffering off until the connection reads its level back and asks again.
            rc = flushWalOf(file);
            if (rc != SQLITE_OK) return rc;
            file->syncsEveryCommit = 0;
        }
    }
    return file->real->pMethods->xFileControl(file->real, operation, argument);
}

static int bufferedSectorSize(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xSectorSize(file->real);
}

static int bufferedDeviceCharacteristics(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

// The shared-memory calls belong to the main database's file; each flushes its WAL first,
// so a commit is in the file before the wal-index header names it and before the write lock
// is released (a rolled-back transaction's frames included: the next writer overwrites them).

static int bufferedShmMap(sqlite3_file *handle, int region, int size, int extend, void volatile **memory) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushWalOf(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xShmMap(file->real, region, size, extend, memory);
}

static int bufferedShmLock(sqlite3_file *handle, int offset, int count, int flags) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushWalOf(file);
    // An unlock always goes through (SQLite ignores its result): a failed flush must not
    // leave the write lock held. Bytes pending then belong to no published commit.
    if (rc != SQLITE_OK && !(flags & SQLITE_SHM_UNLOCK)) return rc;
    int locked = file->real->pMethods->xShmLock(file->real, offset, count, flags);
    return rc != SQLITE_OK ? rc : locked;
}

static void bufferedShmBarrier(sqlite3_file *handle) {
    BufferedFile *file = (BufferedFile *)handle;
    if (file->wal && file->wal->pendingLength > 0) {
        // A commit is being published that its sync did not cover: never on a connection
        // that asked for buffering as ServiceDatabase does. Buffer no more; and if the bytes
        // cannot be written, stop before the commit returns — at restart it is simply absent,
        // where publishing it would let every reader see frames the file does not hold.
        file->syncsEveryCommit = 0;
        if (flushPending(file->wal) != SQLITE_OK) {
            sqlite3_log(SQLITE_IOERR, "omnibus-wal-buffer: a commit's WAL frames could not be written; stopping");
            abort();
        }
    }
    file->real->pMethods->xShmBarrier(file->real);
}

static int bufferedShmUnmap(sqlite3_file *handle, int deleteFlag) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushWalOf(file);
    int unmapped = file->real->pMethods->xShmUnmap(file->real, deleteFlag);
    return rc != SQLITE_OK ? rc : unmapped;
}

static int bufferedFetch(sqlite3_file *handle, sqlite3_int64 offset, int amount, void **page) {
    BufferedFile *file = (BufferedFile *)handle;
    int rc = flushPending(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xFetch(file->real, offset, amount, page);
}

static int bufferedUnfetch(sqlite3_file *handle, sqlite3_int64 offset, void *page) {
    BufferedFile *file = (BufferedFile *)handle;
    return file->real->pMethods->xUnfetch(file->real, offset, page);
}

static const sqlite3_io_methods bufferedMethods = {
    3,
    bufferedClose,
    bufferedRead,
    bufferedWrite,
    bufferedTruncate,
    bufferedSync,
    bufferedFileSize,
    bufferedLock,
    bufferedUnlock,
    bufferedCheckReservedLock,
    bufferedFileControl,
    bufferedSectorSize,
    bufferedDeviceCharacteristics,
    bufferedShmMap,
    bufferedShmLock,
    bufferedShmBarrier,
    bufferedShmUnmap,
    bufferedFetch,
    bufferedUnfetch,
};

/// The same for a file without shared memory or memory mapping, which must not appear to have them.
static sqlite3_io_methods bufferedMethodsWithoutSharedMemory;

// MARK: VFS methods

static int bufferedOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *handle, int flags, int *outFlags) {
    (void)vfs;
    BufferedFile *file = (BufferedFile *)handle;
    memset(file, 0, sizeof *file);
    file->real = (sqlite3_file *)(file + 1);
    int rc = platform->xOpen(platform, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK || file->real->pMethods == NULL) {
        // SQLite calls xClose only on a file whose methods are set.
        if (file->real->pMethods) file->real->pMethods->xClose(file->real);
        file->base.pMethods = NULL;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    file->base.pMethods = file->real->pMethods->iVersion >= 3 ? &bufferedMethods : &bufferedMethodsWithoutSharedMemory;
    file->name = name;
    if (name == NULL || file->real->pMethods->iVersion < 3) return SQLITE_OK;
    if (flags & SQLITE_OPEN_MAIN_DB) {
        pthread_mutex_lock(&registryLock);
        file->nextDatabase = openDatabases;
        openDatabases = file;
        pthread_mutex_unlock(&registryLock);
    } else if (flags & SQLITE_OPEN_WAL) {
        file->isWal = 1;
        const char *databaseName = sqlite3_filename_database(name);
        pthread_mutex_lock(&registryLock);
        for (BufferedFile *database = openDatabases; database; database = database->nextDatabase) {
            if (database->name == databaseName && database->wal == NULL) {
                database->wal = file;
                file->database = database;
                break;
            }
        }
        pthread_mutex_unlock(&registryLock);
    }
    return SQLITE_OK;
}

static int forwardDelete(sqlite3_vfs *vfs, const char *name, int syncDirectory) {
    (void)vfs;
    return platform->xDelete(platform, name, syncDirectory);
}

static int forwardAccess(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return platform->xAccess(platform, name, flags, result);
}

static int forwardFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *output) {
    (void)vfs;
    return platform->xFullPathname(platform, name, size, output);
}

static int forwardRandomness(sqlite3_vfs *vfs, int size, char *output) {
    (void)vfs;
    return platform->xRandomness(platform, size, output);
}

static int forwardSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return platform->xSleep(platform, microseconds);
}

static int forwardCurrentTime(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return platform->xCurrentTime(platform, now);
}

static int forwardGetLastError(sqlite3_vfs *vfs, int size, char *output) {
    (void)vfs;
    return platform->xGetLastError(platform, size, output);
}

static int forwardCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return platform->xCurrentTimeInt64(platform, now);
}

int omnibus_wal_buffer_register(void) {
    static pthread_mutex_t registration = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&registration);
    int rc = SQLITE_OK;
    if (platform == NULL) {
        sqlite3_vfs *found = sqlite3_vfs_find(NULL);
        if (found == NULL) {
            rc = SQLITE_ERROR;
        } else {
            // The dynamic-loading and system-call hooks ignore their VFS argument: shared as is.
            bufferVfs = *found;
            bufferVfs.pNext = NULL;
            bufferVfs.zName = OMNIBUS_WAL_BUFFER_VFS;
            bufferVfs.szOsFile = (int)sizeof(BufferedFile) + found->szOsFile;
            bufferVfs.pAppData = NULL;
            bufferVfs.xOpen = bufferedOpen;
            bufferVfs.xDelete = forwardDelete;
            bufferVfs.xAccess = forwardAccess;
            bufferVfs.xFullPathname = forwardFullPathname;
            bufferVfs.xRandomness = forwardRandomness;
            bufferVfs.xSleep = forwardSleep;
            bufferVfs.xCurrentTime = forwardCurrentTime;
            bufferVfs.xGetLastError = forwardGetLastError;
            bufferVfs.xCurrentTimeInt64 = forwardCurrentTimeInt64;
            bufferedMethodsWithoutSharedMemory = bufferedMethods;
            bufferedMethodsWithoutSharedMemory.iVersion = 1;
            platform = found;
            rc = sqlite3_vfs_register(&bufferVfs, 1);
            if (rc != SQLITE_OK) platform = NULL;
        }
    }
    pthread_mutex_unlock(&registration);
    return rc;
}
