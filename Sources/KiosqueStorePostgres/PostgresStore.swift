public import Logging
public import KiosqueStoreContract
import NIOSSL
import PostgresNIO
import Synchronization
public import ServiceLifecycle

/// The Kiosque store on PostgreSQL: one `PostgresClient` pool for the process's life, run as a
/// ServiceLifecycle service (connections open once `run()` has started), every value a bound parameter.
public final class PostgresStore: Service, Sendable {
    /// Where the store lives.
    public let configuration: PostgresStoreConfiguration
    let client: PostgresClient
    let logger: Logger
    /// This instance's committed writes (see `StoreCore.changeStamp`).
    let changes = PostgresChangeClock()
    /// Whether `run()` has started the pool.
    private let poolStarted = SetOnceFlag()
    /// The pool's task when the store runs it itself (`startRunningWhileAlive`), cancelled on release.
    private let ownRun = Mutex<Task<Void, Never>?>(nil)
    /// How many searches may run at once (the others queue: see `PostgresSearchGate`).
    let searchGate: PostgresSearchGate
    /// This instance's recent search rankings (paging costs a page, not a ranking).
    let rankings = PostgresRankingCache()

    /// Creates the pool (no connection is opened before `run()`).
    public init(configuration: PostgresStoreConfiguration, logger: Logger = Logger(label: "kiosque.store.postgres")) throws {
        self.configuration = configuration
        self.logger = logger
        let tls: PostgresClient.Configuration.TLS = configuration.requiresTLS
            ? .require(TLSConfiguration.makeClientConfiguration()) : .disable
        var settings = PostgresClient.Configuration(host: configuration.host, port: configuration.port,
                                                    username: configuration.user, password: configuration.password,
                                                    database: configuration.database, tls: tls)
        settings.options.maximumConnections = max(1, configuration.poolSize)
        settings.options.minimumConnections = 0
        client = PostgresClient(configuration: settings, backgroundLogger: logger)
        searchGate = PostgresSearchGate(limit: PostgresSearchGate.limit(poolSize: configuration.poolSize))
    }

    /// Runs the connection pool, and the listener that hears other instances' writes, until the
    /// service group stops (or the task is cancelled).
    public func run() async throws {
        await Self.runPool(client, poolStarted: poolStarted, listener: listener)
    }

    /// Starts the pool for as long as this store is alive, for a caller without a service group (a
    /// test, a one-off tool): releasing the store closes its connections. Without `listening`, no
    /// connection waits for other instances' writes — for a database nothing else writes to.
    public func startRunningWhileAlive(listening: Bool = true) {
        // The task holds the pool and the listener's parts, never `self`: the store can be released.
        let task = Task { [client, poolStarted, listener] in
            await Self.runPool(client, poolStarted: poolStarted, listener: listening ? listener : nil)
        }
        ownRun.withLock { $0 = task }
    }

    deinit {
        ownRun.withLock { $0?.cancel() }
    }

    /// What hears the other instances' writes.
    private var listener: ChangeListener {
        ChangeListener(configuration: configuration, changes: changes, logger: logger)
    }

    private static func runPool(_ client: PostgresClient, poolStarted: SetOnceFlag, listener: ChangeListener?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                poolStarted.set()
                await client.run()
            }
            if let listener { group.addTask { await listener.run() } }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns once `run()` has started the pool (at most a second), so that a first query does not
    /// find the pool idle and log a warning about it.
    public func waitUntilRunning() async {
        for _ in 0..<200 where !poolStarted.value {
            try? await Task.sleep(for: .milliseconds(5))
        }
        await Task.yield()
    }

    /// Runs `body` on one pooled connection; postgres-nio errors become `PostgresStoreError`.
    func withConnection<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws(PostgresStoreError) -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresStoreError.wrap(error, what)
        }
    }

    /// Runs `body` in one transaction on one pooled connection: committed when it returns, rolled
    /// back when it throws (the error thrown is `body`'s, wrapped only if it came from postgres-nio).
    func transaction<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws(PostgresStoreError) -> T {
        do {
            return try await rawTransaction(body).0
        } catch {
            throw PostgresStoreError.wrap(error, what)
        }
    }

    /// A read for the store contract: errors become `StoreError`.
    func read<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw storeError(error, what)
        }
    }

    /// A transaction for the store contract (one per use case, as in SQLite): errors become `StoreError`.
    /// A commit that changed rows moves the change clock for `scope` and tells the other instances;
    /// one that changed nothing (a read marked twice, the same items fetched again) moves nothing.
    /// `changedWhen` decides from the result instead, for a write whose statements touch rows
    /// without changing them (an upsert whose `WHERE` refuses still locks, and so takes an id).
    func write<T: Sendable>(_ what: String, changes scope: ChangeScope = .shared, changedWhen: ((T) -> Bool)? = nil,
                            _ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        do {
            let (value, changed) = try await rawTransaction(body, announce: scope, changedWhen: changedWhen)
            if changed { changes.record(scope) }
            return value
        } catch {
            throw storeError(error, what)
        }
    }

    /// A transaction; with `announce`, whether it changed rows (`changedWhen`, or else whether it was
    /// given a transaction id, which PostgreSQL assigns on the first row written) and, if so, the
    /// other instances are notified (delivered at commit only).
    private func rawTransaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T,
                                             announce: ChangeScope? = nil,
                                             changedWhen: ((T) -> Bool)? = nil) async throws -> (T, changed: Bool) {
        let logger = self.logger, changes = self.changes
        return try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                var changed = false
                if let announce {
                    let payload = changes.notification(for: announce)
                    if let changedWhen {
                        changed = changedWhen(value)
                        if changed, let payload {
                            try await connection.query("SELECT pg_notify(\(ChangeListener.channel), \(payload))", logger: logger)
                        }
                    } else if let payload {
                        // One round trip: the notification is sent only when the transaction wrote
                        // (the filter is evaluated before the select list), and a row says it did.
                        let rows = try await connection.query("""
                            SELECT 1 FROM (SELECT pg_notify(\(ChangeListener.channel), \(payload))
                                           WHERE txid_current_if_assigned() IS NOT NULL) AS notified
                            """, logger: logger)
                        for try await _ in rows { changed = true }
                    } else {
                        for try await wrote in try await connection.query("SELECT txid_current_if_assigned() IS NOT NULL",
                                                                          logger: logger).decode(Bool.self) {
                            changed = wrote
                        }
                    }
                }
                try await connection.query("COMMIT", logger: logger)
                return (value, changed)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// The contract's error for any failure: a `StoreError` thrown by the store's own code passes
    /// through; database refusals of uniqueness or references become `.conflict`.
    func storeError(_ error: any Error, _ what: String) -> StoreError {
        if let mine = error as? StoreError { return mine }
        let wrapped = PostgresStoreError.wrap(error, what)
        switch wrapped {
        case .schemaTooNew: return .newerSchema(path: location)
        case .database(_, let message, let state) where state == "23505" || state == "23503":
            return .conflict(what: what, detail: message)
        case .database(_, let message, let state):
            return .database(location: location, operation: what, message: message + (state.map { " (SQLSTATE \($0))" } ?? ""))
        case .unexpected: return .database(location: location, operation: what, message: wrapped.description)
        }
    }

    /// Where the data lives, without the password (the contract's `location`).
    public var location: String { configuration.redactedURL }

    /// Runs one statement without results (schema statements, which take no parameters).
    static func execute(_ sql: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    /// Whether the database answers (for `/readyz`).
    public func ping() async -> Bool {
        do {
            return try await withConnection("checking the database") { connection in
                let rows = try await connection.query("SELECT 1", logger: self.logger)
                for try await _ in rows {}
                return true
            }
        } catch {
            return false
        }
    }
}
