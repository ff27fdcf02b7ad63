import Foundation
import KiosqueStorePostgres
import KiosqueTestServer
import Logging
import Testing

/// A real PostgreSQL 15 for one suite: started before its first test, stopped after its last.
/// Tests read it from `PostgresCluster.server` and take a database of their own.
struct PostgresCluster: SuiteTrait, TestScoping {
    @TaskLocal static var server: PostgresServer?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // initdb and the start-up wait block: off the threads the other tests run on.
        let server = try await blockingWork { try PostgresServer() }
        do { try await Self.$server.withValue(server) { try await function() } } catch {
            _ = try? await blockingWork { server.shutdown() }
            throw error
        }
        _ = try await blockingWork { server.shutdown() }
    }

    /// The suite's server (fails the test when the trait is missing).
    static func current() throws -> PostgresServer {
        try #require(server, "the suite needs the .postgres trait")
    }

    /// A configuration for a new empty database of the suite's server.
    static func freshDatabase(poolSize: Int = 4) async throws -> PostgresStoreConfiguration {
        let server = try current()
        let name = try await blockingWork { try server.createDatabase() }
        return try PostgresStoreConfiguration.parse(url: server.url(database: name), password: server.password, poolSize: poolSize)
    }

    /// Runs `body` with a store on `configuration` whose pool is running (migrated unless told not to).
    static func withStore<T: Sendable>(_ configuration: PostgresStoreConfiguration, migrate: Bool = true,
                                       _ body: (PostgresStore) async throws -> T) async throws -> T {
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .warning
        let store = try PostgresStore(configuration: configuration, logger: logger)
        let running = Task { try await store.run() }
        defer { running.cancel() }
        if migrate { try await store.migrate() }
        return try await body(store)
    }

    /// Runs `body` with a migrated store on a new database.
    static func withFreshStore<T: Sendable>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        try await withStore(try await freshDatabase(), body)
    }
}

extension Trait where Self == PostgresCluster {
    /// Starts a PostgreSQL server for the suite.
    static var postgres: PostgresCluster { PostgresCluster() }
}
