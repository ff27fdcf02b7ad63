public import Foundation
public import KiosqueStoreContract
import Logging
import NIOSSL
import PostgresNIO

/// How many rows of a table the source and the target hold after a copy.
public struct CopiedTableCount: Sendable, Hashable {
    public let table: String
    public let source: Int
    public let target: Int
}

/// What `PostgresStore.copy(from:portal:force:progress:)` did.
public struct StoreCopyReport: Sendable {
    /// Every copied table, in copy order, with its counts on both sides (verified equal).
    public let tables: [CopiedTableCount]
    /// Tables of the source without a table here (full-text index tables have their PostgreSQL
    /// counterpart in stored vectors, rebuilt by PostgreSQL).
    public let sourceOnly: [String]
    /// Whether an interrupted copy of the same portal was finished (tables already copied were kept).
    public let resumed: Bool
    /// Whether the target already held a complete copy of this portal (nothing was copied again).
    public let alreadyComplete: Bool
}

/// Why a copy into PostgreSQL was refused or stopped; `description` is for the administrator.
public enum StoreCopyError: Error, Sendable, CustomStringConvertible {
    /// The target was migrated by a newer Kiosque.
    case targetNewer(unknown: [String])
    /// The source has migrations this version's PostgreSQL schema does not have.
    case sourceUnknown(migrations: [String])
    /// The target already holds another portal (the detail says what); `--force` replaces it.
    case otherPortal(String)
    /// Another copy into the same database is running.
    case busy
    /// The target could not be reached or its schema not created (nothing was copied).
    case unreachable(PostgresStoreError)
    /// The counts differ after the copy.
    case mismatch([CopiedTableCount])
    /// Reading the source failed.
    case source(StoreError)
    /// The target failed; what was committed stays and the same command finishes the job.
    case target(PostgresStoreError)

    public var description: String {
        switch self {
        case .targetNewer(let unknown):
            return "the target database was migrated by a newer Kiosque (unknown migrations: \(unknown.joined(separator: ", "))); "
                + "copy with that version of Kiosque"
        case .sourceUnknown(let migrations):
            return "the SQLite portal has migrations that this version's PostgreSQL schema lacks (\(migrations.joined(separator: ", ")))"
        case .otherPortal(let detail):
            return "the target database already holds another portal (\(detail)); nothing was copied. "
                + "Choose an empty database, or add --force to replace everything in it with this portal"
        case .busy:
            return "another copy into this database is running; wait for it to end"
        case .unreachable(let error):
            return "the target database cannot be prepared, nothing was copied: \(error) "
                + "(check the address, the password and that the role may create tables in the database)"
        case .mismatch(let counts):
            return "the counts differ after the copy: " + counts.map { "\($0.table) \($0.source) in SQLite, \($0.target) in PostgreSQL" }
                .joined(separator: "; ")
        case .source(let error):
            return "reading the SQLite portal failed: \(error)"
        case .target(let error):
            return "\(error). The tables copied so far are kept: run the same command again to finish the copy"
        }
    }
}

/// A column of the target: its name and its SQL type (`format_type`).
struct TargetColumn: Sendable {
    let name: String
    let type: String
}

extension PostgresStore {
    /// Copies every table the source and this database both have into this database, rebuilds what
    /// PostgreSQL derives itself (full-text vectors), sets identity columns past the copied ids, and
    /// verifies the counts table by table.
    ///
    /// One table per transaction, its AFTER triggers disabled meanwhile (the counters and totals they
    /// keep are copied as the source kept them); the state of the copy is kept in `kiosque_store_copy`,
    /// so a run that stops half-way is finished by running it again (copied tables are kept, the others
    /// copied whole). `portal` identifies the source portal: a target holding data of another portal,
    /// or data not copied by this tool, is refused unless `force`, which empties it first.
    public func copy(from source: any StoreCopySource, portal: String, force: Bool = false, batchRows: Int = 500,
                     progress: @escaping @Sendable (String, Int) -> Void = { _, _ in }) async throws(StoreCopyError) -> StoreCopyReport {
        let sourceMigrations: [String]
        let sourceTables: [CopiedTable]
        do {
            sourceMigrations = try await source.copyMigrations()
            sourceTables = try await source.copyTables()
        } catch { throw .source(error) }
        let unknown = sourceMigrations.filter { !Self.knownMigrations.contains($0) }
        guard unknown.isEmpty else { throw .sourceUnknown(migrations: unknown) }
        do {
            try await probeConnection()
            try await migrate()
        } catch {
            if case .schemaTooNew(let names) = error { throw .targetNewer(unknown: names) }
            throw .unreachable(error)
        }
        let logger = self.logger
        let copier = TableCopier(source: source, logger: logger, batchRows: batchRows, progress: progress)
        do {
            return try await client.withConnection { connection in
                try await copier.run(on: connection, sourceTables: sourceTables, portal: portal, force: force)
            }
        } catch let error as StoreCopyError {
            throw error
        } catch let error as StoreError {
            throw .source(error)
        } catch {
            throw .target(PostgresStoreError.wrap(error, "copying the portal"))
        }
    }
}

extension PostgresStore {
    /// Opens and closes one connection outside the pool: a wrong address or password is reported at
    /// once with the server's reason, where the pool would retry for a minute before giving up.
    func probeConnection() async throws(PostgresStoreError) {
        do {
            let tls: PostgresConnection.Configuration.TLS = configuration.requiresTLS
                ? .require(try NIOSSLContext(configuration: TLSConfiguration.makeClientConfiguration())) : .disable
            let settings = PostgresConnection.Configuration(host: configuration.host, port: configuration.port, username: configuration.user,
                                                            password: configuration.password, database: configuration.database, tls: tls)
            let connection = try await PostgresConnection.connect(configuration: settings, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw PostgresStoreError.wrap(error, "connecting to \(location)")
        }
    }
}

/// The copy itself, on one connection (its session-level advisory lock keeps a second copy out).
struct TableCopier: Sendable {
    let source: any StoreCopySource
    let logger: Logger
    let batchRows: Int
    let progress: @Sendable (String, Int) -> Void

    /// The session-level advisory lock key of a running copy ("KCPY").
    static let lockKey: Int64 = 0x4B43_5059

    func run(on connection: PostgresConnection, sourceTables: [CopiedTable], portal: String, force: Bool) async throws -> StoreCopyReport {
        guard try await first(connection.query("SELECT pg_try_advisory_lock(\(Self.lockKey))", logger: logger), Bool.self) == true else {
            throw StoreCopyError.busy
        }
        do {
            let report = try await copy(on: connection, sourceTables: sourceTables, portal: portal, force: force)
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            return report
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            throw error
        }
    }

    private func copy(on connection: PostgresConnection, sourceTables: [CopiedTable], portal: String, force: Bool) async throws -> StoreCopyReport {
        try await PostgresStore.execute("""
            CREATE TABLE IF NOT EXISTS kiosque_store_copy (
              portal TEXT NOT NULL,
              source TEXT NOT NULL,
              state TEXT NOT NULL CHECK (state IN ('copying', 'complete')),
              done TEXT[] NOT NULL DEFAULT '{}',
              started_at BIGINT NOT NULL,
              finished_at BIGINT
            )
            """, on: connection, logger: logger)
        let targetColumns = try await columns(connection)
        let order = try await copyOrder(connection, tables: sourceTables.map(\.name).filter { targetColumns[$0] != nil })
        let byName = Dictionary(uniqueKeysWithValues: sourceTables.map { ($0.name, $0) })
        let sourceOnly = sourceTables.map(\.name).filter { targetColumns[$0] == nil }

        var state: (portal: String, source: String, complete: Bool, done: [String])?
        for try await (p, s, st, d) in try await connection.query(
            "SELECT portal, source, state, done FROM kiosque_store_copy LIMIT 1", logger: logger).decode((String, String, String, [String]).self) {
            state = (p, s, st == "complete", d)
        }
        var done: Set<String> = []
        var resumed = false
        if let state, state.portal == portal, !force {
            if state.complete {
                return StoreCopyReport(tables: try await verify(connection, order), sourceOnly: sourceOnly, resumed: false, alreadyComplete: true)
            }
            done = Set(state.done)
            resumed = true
        } else {
            if !force {
                if let state { throw StoreCopyError.otherPortal("a copy of \(state.source)") }
                if let detail = try await existingPortal(connection) { throw StoreCopyError.otherPortal(detail) }
            }
            try await start(connection, tables: order, portal: portal)
        }
        for name in order where !done.contains(name) {
            guard let table = byName[name], let target = targetColumns[name] else { continue }
            try await copyTable(connection, table: table, target: target)
        }
        try await finish(connection, tables: order)
        let counts = try await verify(connection, order)
        let wrong = counts.filter { $0.source != $0.target }
        guard wrong.isEmpty else { throw StoreCopyError.mismatch(wrong) }
        return StoreCopyReport(tables: counts, sourceOnly: sourceOnly, resumed: resumed, alreadyComplete: false)
    }

    /// Empties every table to be copied (identities restarted) and records a new copy, in one transaction.
    private func start(_ connection: PostgresConnection, tables: [String], portal: String) async throws {
        try await transaction(connection) {
            if !tables.isEmpty {
                try await PostgresStore.execute("TRUNCATE \(tables.map(quoted).joined(separator: ", ")) RESTART IDENTITY CASCADE",
                                                on: connection, logger: logger)
            }
            try await connection.query("DELETE FROM kiosque_store_copy", logger: logger)
            try await connection.query("""
                INSERT INTO kiosque_store_copy (portal, source, state, started_at)
                VALUES (\(portal), \(source.location), 'copying', \(Int64(Date().timeIntervalSince1970)))
                """, logger: logger)
        }
    }

    /// Copies one table in one transaction, its AFTER triggers off, and records it as done.
    private func copyTable(_ connection: PostgresConnection, table: CopiedTable, target: [TargetColumn]) async throws {
        let types = Dictionary(uniqueKeysWithValues: target.map { ($0.name, $0.type) })
        let columns = table.columns.filter { types[$0] != nil }
        let triggers = try await afterTriggers(connection, table: table.name)
        let perBatch = max(1, min(batchRows, 30_000 / max(1, columns.count)))
        try await transaction(connection) {
            for trigger in triggers {
                try await PostgresStore.execute("ALTER TABLE \(quoted(table.name)) DISABLE TRIGGER \(quoted(trigger))", on: connection, logger: logger)
            }
            // Empty already, unless something wrote to it since the copy began.
            try await PostgresStore.execute("DELETE FROM \(quoted(table.name))", on: connection, logger: logger)
            var position: [CopiedValue]?
            var copied = 0
            repeat {
                let batch = try await source.copyRows(of: table.name, columns: columns, after: position, limit: perBatch)
                if !batch.rows.isEmpty {
                    try await insert(connection, table: table.name, columns: columns, types: columns.map { types[$0]! }, rows: batch.rows)
                    copied += batch.rows.count
                }
                position = batch.next
            } while position != nil
            for trigger in triggers {
                try await PostgresStore.execute("ALTER TABLE \(quoted(table.name)) ENABLE TRIGGER \(quoted(trigger))", on: connection, logger: logger)
            }
            try await connection.query("UPDATE kiosque_store_copy SET done = array_append(done, \(table.name))", logger: logger)
            progress(table.name, copied)
        }
    }

    /// One multi-row INSERT with every value a bound parameter, cast to its column's type.
    private func insert(_ connection: PostgresConnection, table: String, columns: [String], types: [String], rows: [[CopiedValue]]) async throws {
        var binds = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            var placeholders: [String] = []
            placeholders.reserveCapacity(columns.count)
            for (index, type) in types.enumerated() {
                CopiedValueBinding.append(index < row.count ? row[index] : .null, as: type, to: &binds)
                placeholders.append("CAST($\(binds.count) AS \(type))")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        let sql = "INSERT INTO \(quoted(table)) (\(columns.map(quoted).joined(separator: ", "))) VALUES " + tuples.joined(separator: ", ")
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    /// Identity columns past the copied ids, derived full-text vectors rebuilt, the copy marked complete.
    private func finish(_ connection: PostgresConnection, tables: [String]) async throws {
        try await transaction(connection) {
            var identities: [(String, String)] = []
            for try await pair in try await connection.query("""
                SELECT c.relname::text, a.attname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attidentity <> '' AND a.attnum > 0
                """, logger: logger).decode((String, String).self) where tables.contains(pair.0) {
                identities.append(pair)
            }
            for (table, column) in identities {
                try await connection.query("""
                    SELECT setval(pg_get_serial_sequence(\(quoted(table)), \(column)),
                                  COALESCE((SELECT max(\(unescaped: quoted(column))) FROM \(unescaped: quoted(table))), 1),
                                  (SELECT count(*) > 0 FROM \(unescaped: quoted(table))))
                    """, logger: logger)
            }
            for statement in DerivedSearch.rebuild where tables.contains(statement.table) {
                try await PostgresStore.execute(statement.sql, on: connection, logger: logger)
            }
            try await connection.query("""
                UPDATE kiosque_store_copy SET state = 'complete', finished_at = \(Int64(Date().timeIntervalSince1970))
                """, logger: logger)
        }
    }

    /// Counts on both sides, table by table.
    private func verify(_ connection: PostgresConnection, _ tables: [String]) async throws -> [CopiedTableCount] {
        var counts: [CopiedTableCount] = []
        for table in tables {
            let here = try await first(connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(quoted(table))"), logger: logger), Int64.self) ?? 0
            counts.append(CopiedTableCount(table: table, source: try await source.copyCount(of: table), target: Int(here)))
        }
        return counts
    }

    /// A description of what the target holds when it looks like a portal in use, nil when it is empty.
    private func existingPortal(_ connection: PostgresConnection) async throws -> String? {
        var found: [String] = []
        for (table, label) in [("users", "accounts"), ("sources", "sources"), ("items", "items"), ("departments", "departments")] {
            let exists = try await first(connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(quoted(table))"), logger: logger), Int64.self) ?? 0
            if exists > 0 { found.append("\(exists) \(label)") }
        }
        return found.isEmpty ? nil : found.joined(separator: ", ")
    }

    /// The target's tables and their copyable columns (generated columns excluded).
    private func columns(_ connection: PostgresConnection) async throws -> [String: [TargetColumn]] {
        var tables: [String: [TargetColumn]] = [:]
        for try await (table, column, type, generated) in try await connection.query("""
            SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attgenerated::text <> ''
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
              AND c.relname NOT IN ('kiosque_migrations', 'kiosque_store_copy')
            ORDER BY c.relname, a.attnum
            """, logger: logger).decode((String, String, String, Bool).self) {
            var list = tables[table] ?? []
            if !generated { list.append(TargetColumn(name: column, type: type)) }
            tables[table] = list
        }
        return tables
    }

    /// `tables` ordered so that a table comes after the tables its foreign keys refer to.
    private func copyOrder(_ connection: PostgresConnection, tables: [String]) async throws -> [String] {
        var parents: [String: Set<String>] = [:]
        for try await (child, parent) in try await connection.query("""
            SELECT (SELECT relname FROM pg_class WHERE oid = conrelid)::text, (SELECT relname FROM pg_class WHERE oid = confrelid)::text
            FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
            """, logger: logger).decode((String, String).self) where child != parent {
            parents[child, default: []].insert(parent)
        }
        let wanted = Set(tables)
        var ordered: [String] = []
        var placed: Set<String> = []
        var remaining = tables.sorted()
        while !remaining.isEmpty {
            let ready = remaining.filter { (parents[$0] ?? []).intersection(wanted).isSubset(of: placed) }
            // A cycle of references (none in Kiosque's schema): copy the rest in name order.
            let next = ready.isEmpty ? remaining : ready
            ordered.append(contentsOf: next)
            placed.formUnion(next)
            remaining.removeAll { placed.contains($0) }
        }
        return ordered
    }

    /// The user-defined triggers of `table` that run after a row is written: they maintain other
    /// tables (counters, totals, document channels), which the copy brings as the source kept them.
    /// BEFORE triggers stay on: they compute the row's own derived columns (an item's search vector).
    private func afterTriggers(_ connection: PostgresConnection, table: String) async throws -> [String] {
        var names: [String] = []
        for try await name in try await connection.query("""
            SELECT tgname::text FROM pg_trigger
            WHERE tgrelid = (SELECT oid FROM pg_class WHERE relname = \(table) AND relnamespace = current_schema()::regnamespace)
              AND NOT tgisinternal AND (tgtype & 2) = 0 AND tgenabled <> 'D'
            """, logger: logger).decode(String.self) {
            names.append(name)
        }
        return names
    }

    private func transaction(_ connection: PostgresConnection, _ body: () async throws -> Void) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await body()
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    private func first<T: PostgresDecodable & Sendable>(_ rows: PostgresRowSequence, _ type: T.Type) async throws -> T? {
        for try await value in rows.decode(T.self) { return value }
        return nil
    }

    /// A catalog name as an SQL identifier.
    private func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Binds a copied value as its target column's type.
enum CopiedValueBinding {
    static func append(_ value: CopiedValue, as type: String, to binds: inout PostgresBindings) {
        switch (value, type) {
        case (.null, _):
            binds.appendNull()
        case (.integer(let v), "bigint"), (.integer(let v), "integer"), (.integer(let v), "smallint"):
            binds.append(v)
        case (.real(let v), "bigint"), (.real(let v), "integer"), (.real(let v), "smallint"):
            binds.append(Int64(v.rounded()))
        case (.integer(let v), "boolean"):
            binds.append(v != 0)
        case (.real(let v), "boolean"):
            binds.append(v != 0)
        case (.integer(let v), "double precision"), (.integer(let v), "real"):
            binds.append(Double(v))
        case (.real(let v), _):
            if type == "double precision" || type == "real" { binds.append(v) } else { binds.append(String(v)) }
        case (.blob(let v), "bytea"):
            binds.append(ByteBuffer(bytes: v))
        case (.text(let v), "bytea"):
            binds.append(ByteBuffer(string: v))
        case (.integer(let v), _):
            binds.append(String(v))
        case (.text(let v), _):
            binds.append(v)
        case (.blob(let v), _):
            binds.append(String(decoding: v, as: UTF8.self))
        }
    }
}

/// Columns PostgreSQL derives that no trigger fills during a copy: rebuilt once the tables are in.
/// (An item's vector is kept by its BEFORE trigger, an announcement's is a generated column.)
enum DerivedSearch {
    /// A document's vector, as the documents store writes it after each change (PostgresDocumentRows).
    static let rebuild: [(table: String, sql: String)] = [
        ("documents", "UPDATE documents d SET search_vector = " + PostgresDocumentRows.vector(text: """
            left((SELECT text FROM document_versions WHERE document_id = d.id ORDER BY number DESC LIMIT 1), \(PostgresDocumentRows.oversizedBodyCharacters))
            """)),
    ]
}
