import Foundation
public import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Logging

/// A PostgreSQL server of a test's own (not the shared one), for a test that stops and restarts
/// the database under a running store: an instance losing its database and getting it back.
/// The store works on the cluster's `postgres` database. `close()` at the end: closes the pool,
/// kills the server and removes its folder.
public final class PrivatePostgres: Sendable {
    private let server: PostgresServer
    private let store: PostgresStore
    private let pool: Task<Void, any Error>

    private init(server: PostgresServer, store: PostgresStore, pool: Task<Void, any Error>) {
        self.server = server
        self.store = store
        self.pool = pool
    }

    /// Starts a server (off the cooperative threads) and a migrated store on it, its pool running.
    public static func start() async throws -> PrivatePostgres {
        let server = try await blockingWork { try PostgresServer(maxConnections: 40) }
        do {
            let configuration = try PostgresStoreConfiguration.parse(url: server.url(database: "postgres"),
                                                                     password: server.password, poolSize: 4)
            var logger = Logger(label: "test.postgres.private")
            logger.logLevel = .critical  // losing the server is what these tests do
            let store = try PostgresStore(configuration: configuration, logger: logger)
            let pool = Task { try await store.run() }
            await store.waitUntilRunning()
            _ = try await store.migrate()
            return PrivatePostgres(server: server, store: store, pool: pool)
        } catch {
            try? await blockingWork { server.shutdown() }
            throw error
        }
    }

    /// A backend whose `make` always hands out this one store (for `WebFixture.make(backend:)`).
    public var backend: StoreBackend {
        let store = self.store
        return StoreBackend(name: "postgres-private") { _ in store }
    }

    /// Stops the database as `pg_ctl stop -m fast` does, keeping its data.
    public func stopDatabase() async throws {
        let server = self.server
        try await blockingWork { server.stop() }
    }

    /// Starts the database again on the same port and data.
    public func restartDatabase() async throws {
        let server = self.server
        try await blockingWork { try server.restart() }
    }

    /// Closes the pool, then stops the server and removes its folder.
    public func close() async {
        pool.cancel()
        _ = await pool.result
        let server = self.server
        try? await blockingWork { server.shutdown() }
    }
}
