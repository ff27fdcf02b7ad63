import PostgresNIO

/// Why the PostgreSQL store failed; `description` is a message for the administrator's log.
public enum PostgresStoreError: Error, Sendable, CustomStringConvertible {
    /// The database refused or failed a statement while doing `what`.
    case database(what: String, message: String, sqlState: String?)
    /// The database holds migrations this version of Kiosque does not know: a newer Kiosque migrated it.
    case schemaTooNew(unknown: [String])
    /// A value read back did not have the expected type.
    case unexpected(what: String)

    public var description: String {
        switch self {
        case .database(let what, let message, let state):
            return "PostgreSQL failed while \(what): \(message)" + (state.map { " (SQLSTATE \($0))" } ?? "")
        case .schemaTooNew(let unknown):
            return "The database was migrated by a newer Kiosque (unknown migrations: \(unknown.joined(separator: ", "))). "
                + "Upgrade this instance to the version the other instances run; it will not start on a schema it does not know."
        case .unexpected(let what):
            return "PostgreSQL returned an unexpected value while \(what)"
        }
    }

    /// The SQLSTATE of a database error (e.g. "23505" for a unique violation).
    public var sqlState: String? {
        if case .database(_, _, let state) = self { return state }
        return nil
    }

    /// Wraps any error of postgres-nio, keeping the server's message and SQLSTATE, never its types.
    static func wrap(_ error: any Error, _ what: String) -> PostgresStoreError {
        if let mine = error as? PostgresStoreError { return mine }
        if let psql = error as? PSQLError {
            if let info = psql.serverInfo {
                return .database(what: what, message: info[.message] ?? "error", sqlState: info[.sqlState])
            }
            return .database(what: what, message: String(describing: psql.code)
                              + (psql.underlying.map { ": \($0)" } ?? ""), sqlState: nil)
        }
        return .database(what: what, message: String(describing: error), sqlState: nil)
    }
}
