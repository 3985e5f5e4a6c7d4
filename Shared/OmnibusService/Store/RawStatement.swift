import Foundation
import GRDB
import GRDBSQLite

/// Binds and steps a statement GRDB prepared (and caches) through SQLite's C API.
///
/// Only for the per-command and per-event hot paths — the outbox, the relay's read, stored
/// replies, the customer lookups, a cart command's reads and writes — where building
/// `StatementArguments` and `Row` values and GRDB's per-execution bookkeeping cost more than
/// SQLite itself spends. GRDB still prepares the statement (so its authorizer sees it) and
/// owns the transaction, but skips its per-statement hooks: a `TransactionObserver` or
/// `ValueObservation` watching these tables would not see these writes (services use none).
/// Not for `SAVEPOINT`, `BEGIN` or anything else whose effect GRDB tracks. Use it on the
/// connection that owns the statement, inside the same `read`/`write` block, and finish one
/// use before starting another of the same SQL (each use resets the shared statement).
package struct RawStatement {
    /// Held so that GRDB, dropping the statement from its cache meanwhile, cannot finalize it under us.
    private let statement: Statement
    private let handle: OpaquePointer

    /// Resets the statement and clears its bindings, ready to bind and step.
    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
        // A use of the same SQL still stepping (a nested call) would be reset under its reader.
        assert(sqlite3_stmt_busy(handle) == 0, "a RawStatement of this SQL is still in use")
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds parameter `index` (1-based) to an integer.
    package func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds parameter `index` (1-based) to an integer.
    package func bind(_ index: Int32, _ value: Int) throws {
        try bind(index, Int64(value))
    }

    /// Binds parameter `index` to text, or NULL when nil.
    package func bind(_ index: Int32, _ value: String?) throws {
        guard var value else { return try check(sqlite3_bind_null(handle, index)) }
        try value.withUTF8 { utf8 in
            try check(sqlite3_bind_text(handle, index, utf8.baseAddress, Int32(utf8.count), sqliteTransient))
        }
    }

    /// Binds parameter `index` to a blob.
    package func bind(_ index: Int32, _ value: Data) throws {
        try value.withUnsafeBytes { bytes in
            // A nil base address would bind NULL; an empty blob needs a valid pointer.
            let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)
            try check(sqlite3_bind_blob(handle, index, base, Int32(bytes.count), sqliteTransient))
        }
    }

    /// Steps once: true when a row is ready to read, false when the statement is done.
    package func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw error(code)
        }
    }

    /// Runs a statement that returns no rows.
    package func execute() throws {
        while try step() {}
        sqlite3_reset(handle)
    }

    /// The first row read by `row`, or nil when there is none; the statement is reset after.
    package func one<Value>(_ row: (RawStatement) throws -> Value) throws -> Value? {
        defer { finish() }
        return try step() ? row(self) : nil
    }

    /// Every row, each read by `row`; the statement is reset after.
    package func all<Value>(_ row: (RawStatement) throws -> Value) throws -> [Value] {
        defer { finish() }
        var values: [Value] = []
        while try step() { values.append(try row(self)) }
        return values
    }

    /// Ends reading early and releases what the statement holds.
    package func finish() { sqlite3_reset(handle) }

    /// Whether column `index` (0-based) of the current row is NULL.
    package func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` (0-based) of the current row as an integer (0 for NULL).
    package func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` of the current row as an integer (0 for NULL).
    package func int(_ index: Int32) -> Int { Int(sqlite3_column_int64(handle, index)) }

    /// Column `index` of the current row as text ("" for NULL).
    package func text(_ index: Int32) -> String {
        String(decoding: bytes(index), as: UTF8.self)
    }

    /// Column `index` of the current row as text, nil for NULL.
    package func optionalText(_ index: Int32) -> String? {
        isNull(index) ? nil : text(index)
    }

    /// Column `index` of the current row as a copy of its bytes.
    package func data(_ index: Int32) -> Data { Data(bytes(index)) }

    /// Column `index` of the current row as bytes, valid until the next step or reset.
    package func bytes(_ index: Int32) -> UnsafeRawBufferPointer {
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

extension Database {
    /// The cached statement for `sql`, to bind and step through ``RawStatement``.
    package func raw(_ sql: String) throws -> RawStatement {
        RawStatement(try cachedStatement(sql: sql))
    }
}

/// SQLite copies the value before the bind call returns.
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
