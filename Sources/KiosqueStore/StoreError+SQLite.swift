import GRDB

/// SQLite (GRDB) failures mapped to store errors.
extension StoreError {
    /// Wraps any error thrown inside a database access, keeping store errors as they are.
    static func wrap(_ error: any Error, path: String, operation: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? SearchQueryError { return .invalidSearch(error) }
        guard let db = error as? DatabaseError else {
            return .sqlite(path: path, operation: operation, code: -1, message: String(describing: error))
        }
        let message = db.message ?? "\(db)"
        switch db.resultCode {
        case .SQLITE_NOTADB: return .notADatabase(path: path)
        case .SQLITE_CORRUPT: return .corrupt(path: path, detail: message)
        case .SQLITE_FULL: return .diskFull(path: path, operation: operation)
        case .SQLITE_READONLY: return .readOnly(path: path, operation: operation)
        case .SQLITE_CANTOPEN, .SQLITE_PERM: return .cannotOpen(path: path, detail: message)
        case .SQLITE_CONSTRAINT: return .conflict(what: operation, detail: message)
        default: return .sqlite(path: path, operation: operation, code: db.resultCode.rawValue, message: message)
        }
    }
}
