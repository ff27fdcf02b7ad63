import Logging
import PostgresNIO

/// One step of the PostgreSQL schema: its name (the SQLite migration it matches) and its statements.
struct PostgresMigration: Sendable {
    let name: String
    let statements: [String]
}

/// The PostgreSQL schema's history. Append-only, like SQLite's: never edit a released migration.
///
/// Names follow the SQLite migrations one for one (a database copied from SQLite is at the same
/// level under the same names); what SQLite needed and PostgreSQL does not is a migration with no
/// statement, kept so that both lists stay parallel. Conventions kept from SQLite: integer surrogate
/// keys, channels.yml identifiers in `key`, times as Unix seconds (BIGINT, DOUBLE PRECISION where
/// SQLite had REAL); booleans are BOOLEAN, lists from channels.yml JSONB, blobs BYTEA.
/// Case-insensitive columns (SQLite's COLLATE NOCASE) are unique on `lower(...)`.
///
/// Tables of SQLite without a table here: `item_keys` (a dense copy for FTS5 ranking; PostgreSQL
/// ranks from `items.search_vector`), the FTS5 tables `items_fts`, `documents_fts`,
/// `announcements_fts` and the view `items_fts_content` (stored `search_vector` columns with GIN
/// indexes on `items`, `documents`, `announcements`).
enum PostgresMigrations {
    /// Every migration, in order.
    static let all: [PostgresMigration] = [
        PostgresMigration(name: "v1-catalog", statements: PostgresSchema.catalog),
        PostgresMigration(name: "v1-items", statements: PostgresSchema.items),
        PostgresMigration(name: "v1-people", statements: PostgresSchema.people),
        PostgresMigration(name: "v1-operations", statements: PostgresSchema.operations),
        PostgresMigration(name: "v1-search", statements: PostgresSchema.search),
        PostgresMigration(name: "v1-counters", statements: PostgresSchema.counters),
        PostgresMigration(name: "v2-documents", statements: PostgresSchema.documents),
        // SQLite re-indexed its FTS5 table with capped content; `kiosque_item_vector` caps from the start.
        PostgresMigration(name: "v3-search-capped-content", statements: []),
        PostgresMigration(name: "v4-mail-outbox-digests", statements: PostgresSchema.mailOutbox),
        PostgresMigration(name: "v4-setup-token", statements: PostgresSchema.setupToken),
        PostgresMigration(name: "v5-mail-alerts", statements: PostgresSchema.mailAlerts),
        PostgresMigration(name: "v6-announcements", statements: PostgresSchema.announcements),
        PostgresMigration(name: "v7-directory-accounts", statements: PostgresSchema.directoryAccounts),
        PostgresMigration(name: "v8-item-pictures", statements: PostgresSchema.itemPictures),
        PostgresMigration(name: "v9-press-review", statements: PostgresSchema.pressReview),
        PostgresMigration(name: "v10-two-factor", statements: PostgresSchema.twoFactor),
        PostgresMigration(name: "v12-announcement-attachments", statements: PostgresSchema.announcementAttachments),
        PostgresMigration(name: "v11-oidc-identities", statements: PostgresSchema.oidcIdentities),
        PostgresMigration(name: "v13-publishing-totals", statements: PostgresSchema.publishingTotals),
        PostgresMigration(name: "v14-channel-readers", statements: PostgresSchema.channelReaders),
        PostgresMigration(name: "v15-announcement-documents", statements: PostgresSchema.announcementDocuments),
        PostgresMigration(name: "v16-announcement-search-brackets", statements: PostgresSchema.announcementSearchBrackets),
        PostgresMigration(name: "v17-read-marks-counted-per-statement", statements: PostgresSchema.readMarksCountedPerStatement),
        PostgresMigration(name: "v18-postgres-search-rank-vector", statements: PostgresSchema.searchRankVector),
        PostgresMigration(name: "v19-postgres-search-buckets", statements: PostgresSchema.searchBuckets),
        // SQLite's item index stands aside during an ingest and indexes its new items at the end;
        // PostgreSQL's vectors are computed per row by their trigger, unchanged.
        PostgresMigration(name: "v20-items-indexed-per-write", statements: []),
        PostgresMigration(name: "v21-channel-items-counted-per-statement", statements: PostgresSchema.channelItemsCountedPerStatement),
        PostgresMigration(name: "v22-postgres-search-word-pairs", statements: PostgresSchema.searchWordPairs),
    ]

    /// The advisory lock key taken by a migrating instance ("KIOS").
    static let lockKey: Int64 = 0x4B49_4F53
}

extension PostgresStore {
    /// Brings the schema up to date in ONE transaction under a transaction-level advisory lock, so
    /// that instances starting together migrate once (the others wait, then find nothing to do).
    /// Refuses (`.schemaTooNew`) a database migrated by a newer Kiosque. Returns the names applied.
    @discardableResult
    public func migrate() async throws(PostgresStoreError) -> [String] {
        try await migrate(PostgresMigrations.all)
    }

    /// The names of the migrations applied to the database, in order (empty for a new database).
    public func appliedMigrations() async throws(PostgresStoreError) -> [String] {
        try await withConnection("reading the schema's level") { connection in
            let exists = try await connection.query("SELECT to_regclass('kiosque_migrations') IS NOT NULL", logger: self.logger)
            for try await present in exists.decode(Bool.self) where !present { return [] }
            return try await Self.applied(on: connection, logger: self.logger)
        }
    }

    /// The names of the migrations this version knows, in order.
    public static var knownMigrations: [String] { PostgresMigrations.all.map(\.name) }

    func migrate(_ migrations: [PostgresMigration]) async throws(PostgresStoreError) -> [String] {
        let logger = self.logger
        return try await transaction("migrating the schema") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.lockKey))", logger: logger)
            try await Self.execute("""
                CREATE TABLE IF NOT EXISTS kiosque_migrations (
                  position INTEGER PRIMARY KEY,
                  name TEXT NOT NULL UNIQUE,
                  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, on: connection, logger: logger)
            let applied = try await Self.applied(on: connection, logger: logger)
            let known = Set(migrations.map(\.name))
            let unknown = applied.filter { !known.contains($0) }
            guard unknown.isEmpty else { throw PostgresStoreError.schemaTooNew(unknown: unknown) }
            let done = Set(applied)
            var ran: [String] = []
            for (position, migration) in migrations.enumerated() where !done.contains(migration.name) {
                for statement in migration.statements {
                    try await Self.execute(statement, on: connection, logger: logger)
                }
                try await connection.query("""
                    INSERT INTO kiosque_migrations (position, name) VALUES (\(position + 1), \(migration.name))
                    """, logger: logger)
                ran.append(migration.name)
            }
            if !ran.isEmpty { logger.info("schema migrated", metadata: ["migrations": "\(ran.joined(separator: ", "))"]) }
            return ran
        }
    }

    private static func applied(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        var names: [String] = []
        for try await name in try await connection.query("SELECT name FROM kiosque_migrations ORDER BY position",
                                                         logger: logger).decode(String.self) {
            names.append(name)
        }
        return names
    }
}
