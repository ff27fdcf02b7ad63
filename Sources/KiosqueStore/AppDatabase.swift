import Foundation
import GRDB

/// The Kiosque store: owns the one SQLite connection pool (WAL, foreign keys) of a database file.
///
/// Every public method is one transaction for one use case. Reads run concurrently on the
/// pool's readers; writes are serialised by the pool's writer. No GRDB type leaks out.
public final class AppDatabase: Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// Rankings of recent searches; every write that changes items or channels invalidates it.
    let searchCache = SearchCache()
    /// Counts committed writes by scope, for caches of pages (see `changeStamp(userID:)`).
    let changes = ChangeClock()
    /// The catalogue's shared part, kept while shared content is unchanged.
    let catalogueCache = CatalogueCache()
    private let removeOnDeinit: Bool

    private init(path: String, pool: DatabasePool, removeOnDeinit: Bool) {
        self.path = path
        self.pool = pool
        self.removeOnDeinit = removeOnDeinit
    }

    deinit {
        guard removeOnDeinit else { return }
        try? pool.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Opens (or creates) the database at `path` and migrates it; refuses foreign or damaged files.
    public static func open(path: String) throws(StoreError) -> AppDatabase {
        try open(path: path, removeOnDeinit: false)
    }

    /// A fresh database in the temporary folder, deleted when released (for tests and tools).
    public static func temporary() throws(StoreError) -> AppDatabase {
        let path = NSTemporaryDirectory() + "kiosque-\(UUID().uuidString).sqlite"
        return try open(path: path, removeOnDeinit: true)
    }

    private static func open(path: String, removeOnDeinit: Bool) throws(StoreError) -> AppDatabase {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw .cannotOpen(path: path, detail: "cannot create folder \(folder): \(error.localizedDescription)")
            }
        }
        let existed = FileManager.default.fileExists(atPath: path)
        if existed { try checkHeader(path: path) }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration())
            try pool.read { db in try checkIdentity(db, path: path) }
            let migrator = Migrations.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) { throw StoreError.newerSchema(path: path) }
            try migrator.migrate(pool)
            return AppDatabase(path: path, pool: pool, removeOnDeinit: removeOnDeinit)
        } catch {
            throw StoreError.wrap(error, path: path, operation: "opening the database")
        }
    }

    /// Refuses, before SQLite touches it, a non-empty file that does not start like SQLite.
    private static func checkHeader(path: String) throws(StoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotOpen(path: path, detail: "the file cannot be read")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        if head.isEmpty { return }
        if head != Data("SQLite format 3\0".utf8) { throw .notADatabase(path: path) }
    }

    /// A non-empty database must carry Kiosque's application id or at least GRDB's migration table.
    private static func checkIdentity(_ db: Database, path: String) throws {
        let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if appID == Migrations.applicationID { return }
        if appID != 0 { throw StoreError.foreignDatabase(path: path, detail: "application_id \(appID)") }
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name LIMIT 5")
        if tables.isEmpty { return }
        guard tables.contains("grdb_migrations") else {
            throw StoreError.foreignDatabase(path: path, detail: "tables \(tables.joined(separator: ", "))")
        }
        // Our first migration sets the application id: applied migrations without it are another
        // GRDB application's.
        if let applied = try String.fetchOne(db, sql: "SELECT identifier FROM grdb_migrations LIMIT 1") {
            throw StoreError.foreignDatabase(path: path, detail: "migration \(applied) of another application")
        }
    }

    private static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.maximumReaderCount = 4
        config.prepareDatabase { db in
            db.add(tokenizer: FrenchTokenizer.self)
            // Only effective on a brand-new file, before WAL is set up and the first table is
            // created: lets optimize() give free pages back. A no-op on existing databases.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL") }
            // WAL + NORMAL: a killed process loses nothing committed; only a power cut may
            // lose the last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY")
            // The writer keeps the hot b-tree pages of ingest (FTS5 segments, indexes) in memory;
            // readers need less. A larger WAL between checkpoints lets rewritten pages coalesce.
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -8000")
            } else {
                try db.execute(sql: "PRAGMA cache_size = -32000; PRAGMA wal_autocheckpoint = 4000; PRAGMA journal_size_limit = 67108864")
            }
        }
        return config
    }

    // MARK: - Transactions with typed errors

    /// Runs `body` in a read transaction, mapping errors to `StoreError`.
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await pool.read(body) } catch { throw StoreError.wrap(error, path: path, operation: operation) }
    }

    /// Runs `body` in a write transaction (rolled back on any error), mapping errors to `StoreError`.
    /// `scope` says what the write may change; when it changed rows and committed, the change
    /// clock moves for that scope.
    func write<T: Sendable>(_ operation: String, changes scope: ChangeScope,
                            _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let clock = changes
        do {
            return try await pool.write { db in try Self.noting(scope, on: clock, db, body) }
        } catch { throw StoreError.wrap(error, path: path, operation: operation) }
    }

    /// Runs `body` and, if it changed any row, moves `clock` once the transaction commits
    /// (after the commit, so a reader who sees the new stamp also sees the new rows).
    private static func noting<T>(_ scope: ChangeScope, on clock: ChangeClock, _ db: Database,
                                  _ body: (Database) throws -> T) throws -> T {
        if case .bookkeeping = scope { return try body(db) }
        let before = db.totalChangesCount
        let result = try body(db)
        if db.totalChangesCount != before { db.afterNextTransaction { _ in clock.record(scope) } }
        return result
    }

    /// Where `userID`'s view of the store stands: it moves when a write of this process commits a
    /// change to shared content or to that agent's own state. Read it before reading the data a
    /// cached page is built from.
    public func changeStamp(userID: Int64) -> ChangeStamp {
        changes.stamp(userID: userID)
    }

    /// How many changes this process has committed so far. Something read after taking it is still
    /// current for an agent as long as `changeStamp(userID:).agent` has not gone past it.
    public func changeCount() -> UInt64 {
        changes.tick
    }

    /// Checkpoints the WAL into the main file and closes the pool; later calls fail.
    /// Optional: the pool also closes when released (then the WAL is replayed on next open).
    public func close() throws(StoreError) {
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try pool.close()
        } catch { throw StoreError.wrap(error, path: path, operation: "closing") }
    }
}
