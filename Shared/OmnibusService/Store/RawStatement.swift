import Foundation
import GRDB
import GRDBSQLite

/// Binds and steps a statement GRDB prepared (and caches) through SQLite's C API.
///
/// Only for the per-event hot paths — the outbox insert, the relay's read, the subscriber's
/// offset — where building `StatementArguments` and `Row` values cost several times what
/// SQLite itself spends. GRDB still prepares the statement (so its authorizer and
/// transaction tracking see it); this only skips GRDB's boxing. Use it on the connection
/// that owns the statement, inside the same `read`/`write` block.
struct RawStatement {
    private let handle: OpaquePointer

    /// Resets the statement and clears its bindings, ready to bind and step.
    init(_ statement: Statement) {
        handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds parameter `index` (1-based) to an integer.
    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds parameter `index` to text, or NULL when nil.
    func bind(_ index: Int32, _ value: String?) throws {
        guard var value else { return try check(sqlite3_bind_null(handle, index)) }
        try value.withUTF8 { utf8 in
            try check(sqlite3_bind_text(handle, index, utf8.baseAddress, Int32(utf8.count), sqliteTransient))
        }
    }

    /// Binds parameter `index` to a blob.
    func bind(_ index: Int32, _ value: Data) throws {
        try value.withUnsafeBytes { bytes in
            // A nil base address would bind NULL; an empty blob needs a valid pointer.
            let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)
            try check(sqlite3_bind_blob(handle, index, base, Int32(bytes.count), sqliteTransient))
        }
    }

    /// Steps once: true when a row is ready to read, false when the statement is done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw error(code)
        }
    }

    /// Runs a statement that returns no rows.
    func execute() throws {
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Ends reading early and releases what the statement holds.
    func finish() { sqlite3_reset(handle) }

    /// Column `index` (0-based) of the current row as an integer.
    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` of the current row as bytes, valid until the next step or reset.
    func bytes(_ index: Int32) -> UnsafeRawBufferPointer {
        // sqlite3_column_blob must be called before sqlite3_column_bytes (SQLite's rule).
        let base = sqlite3_column_blob(handle, index)
        return UnsafeRawBufferPointer(start: base, count: Int(sqlite3_column_bytes(handle, index)))
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    private func error(_ code: Int32) -> DatabaseError {
        let message = sqlite3_db_handle(handle).map { String(cString: sqlite3_errmsg($0)) }
        // Read only on failure: GRDB's `Statement.sql` trims a copy of the text each time.
        let sql = sqlite3_sql(handle).map { String(cString: $0) }
        sqlite3_reset(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
}

/// SQLite copies the value before the bind call returns.
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
