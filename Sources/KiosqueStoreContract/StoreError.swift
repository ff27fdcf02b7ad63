import Foundation

/// Everything that can go wrong in the store, each case naming the file or the record involved.
public enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file exists but is not an SQLite database (garbage, or another format).
    case notADatabase(path: String)
    /// The file is an SQLite database that belongs to another application.
    case foreignDatabase(path: String, detail: String)
    /// The database was written by a newer Kiosque (unknown migrations).
    case newerSchema(path: String)
    /// SQLite found damaged pages.
    case corrupt(path: String, detail: String)
    /// The file or its folder cannot be opened or created.
    case cannotOpen(path: String, detail: String)
    /// The disk (or the configured size limit) is full: the operation was rolled back.
    case diskFull(path: String, operation: String)
    /// The file or its folder is read-only: the operation was rolled back.
    case readOnly(path: String, operation: String)
    /// No record of that kind with that identifier.
    case notFound(what: String, id: String)
    /// A uniqueness or reference rule refused the change (duplicate login, unknown channel…).
    case conflict(what: String, detail: String)
    /// The search text could not be understood.
    case invalidSearch(SearchQueryError)
    /// The agent may see the record but not make this change (announcements: not a writer of its department).
    case forbidden(what: String, id: String)
    /// Any other SQLite failure, with its code and message.
    case sqlite(path: String, operation: String, code: Int32, message: String)
    /// Any other failure of a database server (PostgreSQL), with its message; `location` has no password.
    case database(location: String, operation: String, message: String)
    /// Too many requests of this kind are already waiting their turn (searches under overload): nothing
    /// was done, the same request can be made again in a moment.
    case busy(operation: String)

    /// A message for logs and the command line.
    public var description: String {
        switch self {
        case .notADatabase(let path):
            return "\(path) is not a Kiosque database (not an SQLite file); it was left untouched"
        case .foreignDatabase(let path, let detail):
            return "\(path) is an SQLite database of another application (\(detail)); it was left untouched"
        case .newerSchema(let path):
            return "\(path) was written by a newer version of Kiosque; upgrade Kiosque to open it"
        case .corrupt(let path, let detail):
            return "\(path) is damaged (\(detail)); restore it from a backup"
        case .cannotOpen(let path, let detail):
            return "cannot open database \(path): \(detail)"
        case .diskFull(let path, let operation):
            return "disk full while \(operation) in \(path); nothing was changed"
        case .readOnly(let path, let operation):
            return "database \(path) is read-only while \(operation); nothing was changed"
        case .notFound(let what, let id):
            return "no \(what) with id \(id)"
        case .conflict(let what, let detail):
            return "\(what): \(detail)"
        case .invalidSearch(let error):
            return error.description
        case .forbidden(let what, let id):
            return "not allowed to change \(what) \(id)"
        case .sqlite(let path, let operation, let code, let message):
            return "SQLite error \(code) while \(operation) in \(path): \(message)"
        case .database(let location, let operation, let message):
            return "database error while \(operation) in \(location): \(message)"
        case .busy(let operation):
            return "too many requests are waiting while \(operation); try again in a moment"
        }
    }
}
