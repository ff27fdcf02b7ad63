import Foundation
import GRDB

extension AppDatabase {
    /// This database as the source of a copy into another store (`kiosque migrate-store`): every
    /// read of the returned source sees the state of the database at this call (a WAL snapshot),
    /// whatever is written meanwhile.
    public func copySource() throws(StoreError) -> any StoreCopySource {
        do {
            return SQLiteCopySource(location: path, snapshot: try pool.makeSnapshot())
        } catch {
            throw StoreError.wrap(error, path: path, operation: "taking a snapshot to copy")
        }
    }
}

/// Reads an SQLite database's tables in the order of their key: the rowid, or the primary key of
/// a WITHOUT ROWID table, so that a copy reads each row once in batches, without OFFSET.
final class SQLiteCopySource: StoreCopySource {
    let location: String
    private let snapshot: DatabaseSnapshot

    init(location: String, snapshot: DatabaseSnapshot) {
        self.location = location
        self.snapshot = snapshot
    }

    func copyMigrations() async throws(StoreError) -> [String] {
        try await read("reading the applied migrations") { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        }
    }

    func copyTables() async throws(StoreError) -> [CopiedTable] {
        try await read("listing the tables") { db in
            let names = try Self.dataTables(db)
            return try names.map { name in
                CopiedTable(name: name, columns: try Row.fetchAll(db, sql: "PRAGMA table_info(\(Self.quoted(name)))").map { $0["name"] })
            }
        }
    }

    func copyRows(of table: String, columns: [String], after position: [CopiedValue]?, limit: Int) async throws(StoreError) -> CopiedBatch {
        try await read("reading \(table)") { db in
            let key = try Self.orderKey(db, table: table)
            let keyList = key.map(Self.quoted).joined(separator: ", ")
            var sql = "SELECT \(keyList), \(columns.map(Self.quoted).joined(separator: ", ")) FROM \(Self.quoted(table))"
            var arguments = StatementArguments()
            if let position {
                guard position.count == key.count else { throw StoreError.conflict(what: "copy position of \(table)", detail: "does not match its key") }
                sql += " WHERE (\(keyList)) > (\(Array(repeating: "?", count: key.count).joined(separator: ", ")))"
                arguments = StatementArguments(position.map(Self.databaseValue))
            }
            sql += " ORDER BY \(keyList) LIMIT \(max(1, limit))"
            var rows: [[CopiedValue]] = []
            var last: [CopiedValue]?
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() {
                let values = (0..<row.count).map { Self.copied(row[$0] as DatabaseValue) }
                last = Array(values.prefix(key.count))
                rows.append(Array(values.dropFirst(key.count)))
            }
            return CopiedBatch(rows: rows, next: rows.count < max(1, limit) ? nil : last)
        }
    }

    func copyCount(of table: String) async throws(StoreError) -> Int {
        try await read("counting \(table)") { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM \(Self.quoted(table))") ?? 0
        }
    }

    private func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await snapshot.read(body) } catch { throw StoreError.wrap(error, path: location, operation: operation) }
    }

    /// Ordinary tables: not SQLite's own, not GRDB's, not a virtual (FTS5) table nor one of its shadow tables.
    private static func dataTables(_ db: Database) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
        let virtual = rows.compactMap { row -> String? in
            let sql: String = row["sql"] ?? ""
            return sql.uppercased().hasPrefix("CREATE VIRTUAL TABLE") ? row["name"] : nil
        }
        return rows.compactMap { row -> String? in
            let name: String = row["name"]
            if name.hasPrefix("sqlite_") || name.hasPrefix("grdb_") || virtual.contains(name) { return nil }
            if virtual.contains(where: { name.hasPrefix($0 + "_") }) { return nil }
            return name
        }
    }

    /// The columns rows are read in order of: the rowid, or the primary key of a WITHOUT ROWID table.
    private static func orderKey(_ db: Database, table: String) throws -> [String] {
        let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? ""
        guard sql.uppercased().contains("WITHOUT ROWID") else { return ["rowid"] }
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(quoted(table)))")
            .compactMap { row -> (Int, String)? in
                let position: Int = row["pk"]
                return position > 0 ? (position, row["name"]) : nil
            }
        return columns.sorted { $0.0 < $1.0 }.map(\.1)
    }

    static func quoted(_ name: String) -> String {
        name == "rowid" ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func copied(_ value: DatabaseValue) -> CopiedValue {
        switch value.storage {
        case .null: return .null
        case .int64(let v): return .integer(v)
        case .double(let v): return .real(v)
        case .string(let v): return .text(v)
        case .blob(let v): return .blob([UInt8](v))
        }
    }

    private static func databaseValue(_ value: CopiedValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .integer(let v): return v.databaseValue
        case .real(let v): return v.databaseValue
        case .text(let v): return v.databaseValue
        case .blob(let v): return Data(v).databaseValue
        }
    }
}
