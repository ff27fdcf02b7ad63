#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import KiosqueStorePostgres
import KiosqueTestServer
import Logging
import Synchronization

/// The PostgreSQL server the behavioural suites share: ONE per test process, started by the first
/// store asked for (off Swift concurrency's threads), stopped when the process exits.
///
/// Hundreds of tests run at once and each store keeps a small pool (plus the listener of other
/// instances' writes), so the server accepts many connections. Each store gets its own database,
/// a copy of a template migrated once (`CREATE DATABASE … TEMPLATE`): a copy takes a few
/// milliseconds where running every migration takes a few hundred.
enum SharedPostgres {
    /// The running server and its migrated template database.
    struct Cluster: Sendable {
        let server: PostgresServer
        let template: String
    }

    /// Connections per store: enough for a page that reads while a refresh writes, few enough that
    /// hundreds of stores at once keep the test process far below 1,024 descriptors (Foundation's
    /// `Process.run` overflows a buffer past that, and every CLI test spawns).
    static let poolSize = 2

    /// Started on first use, once per process (a static `let` is initialised once, lazily).
    private static let cluster = Task { try await start() }
    /// What the exit handler stops.
    private static let running = Mutex<PostgresServer?>(nil)

    /// A fresh, migrated store on a database of its own. Its pool runs while the test holds the store
    /// and closes when the store is released; nothing else writes to its database, so it does not
    /// listen for other instances (a connection fewer per store).
    static func makeStore() async throws -> PostgresStore {
        let cluster = try await cluster.value
        let name = try await blockingWork { try createCopy(of: cluster.template, on: cluster.server) }
        let store = try PostgresStore(configuration: configuration(cluster.server, name), logger: logger)
        store.startRunningWhileAlive(listening: false)
        _ = try await store.migrate()
        return store
    }

    private static func start() async throws -> Cluster {
        let server = try await blockingWork { try PostgresServer(maxConnections: 1_000) }
        running.withLock { $0 = server }
        atexit { SharedPostgres.stopAtExit() }
        let template = try await blockingWork { try server.createDatabase(prefix: "template") }
        let store = try PostgresStore(configuration: configuration(server, template), logger: logger)
        let pool = Task { try await store.run() }
        do {
            _ = try await store.migrate()
        } catch {
            pool.cancel()
            throw error
        }
        // Copies need a template nobody is connected to: close the pool before the first copy.
        pool.cancel()
        _ = await pool.result
        return Cluster(server: server, template: template)
    }

    /// `CREATE DATABASE … TEMPLATE`, retried while the template's last connections are closing.
    private static func createCopy(of template: String, on server: PostgresServer) throws -> String {
        var attempt = 0
        while true {
            do {
                return try server.createDatabase(template: template)
            } catch let error as TestServerError where error.description.contains("being accessed by other users") && attempt < 20 {
                attempt += 1
                usleep(100_000)
            }
        }
    }

    private static func configuration(_ server: PostgresServer, _ database: String) throws -> PostgresStoreConfiguration {
        try PostgresStoreConfiguration.parse(url: server.url(database: database), password: server.password, poolSize: poolSize)
    }

    private static let logger: Logger = {
        var logger = Logger(label: "test.postgres")
        // Not .warning: a pool asked for a connection before its run() task started, and the listener
        // losing the server at exit, both warn and both are expected here.
        logger.logLevel = .error
        return logger
    }()

    /// Stops the server (immediate shutdown, folder removed): no postgres outlives the tests.
    private static func stopAtExit() {
        let server = running.withLock { server -> PostgresServer? in
            defer { server = nil }
            return server
        }
        server?.shutdown()
    }
}
