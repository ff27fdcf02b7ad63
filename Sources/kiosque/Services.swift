import Foundation
import KiosqueConfig
import KiosqueFetch
import KiosqueMail
import KiosqueRefresh
import KiosqueStore
import KiosqueStorePostgres
import Logging

/// Builds the long-lived pieces once, from the shared options: the store, the fetch engine and
/// the pipeline. Commands only ask for what they use.
struct Services {
    let configuration: PortalConfiguration
    let store: any PortalStore
    let live: LiveConfiguration

    /// The PostgreSQL store's connection pool, running while the process lives (nil on SQLite).
    let storeService: Task<Void, any Error>?

    /// Opens the store — PostgreSQL when `storage.url` (or KIOSQUE_DATABASE_URL) names one, else the
    /// SQLite file under the data folder — and mirrors the configuration's catalogue into it.
    static func open(_ locations: LocationOptions, configuration: PortalConfiguration) async throws -> Services {
        try locations.prepareDirectories()
        let store: any PortalStore
        var storeService: Task<Void, any Error>?
        if let postgres = try postgresConfiguration(configuration.storage, poolSize: configuration.storage.pool) {
            (store, storeService) = try await openPostgres(postgres)
        } else {
            do {
                store = try AppDatabase.open(path: locations.databasePath)
            } catch {
                throw CLIFailure.user("cannot open the database: \(error)")
            }
        }
        do {
            _ = try await store.syncCatalog(configuration.catalog)
        } catch {
            throw CLIFailure.internal("cannot apply the catalogue of \(configuration.filePath) to the database: \(error)")
        }
        return Services(configuration: configuration, store: store,
                        live: LiveConfiguration(configuration, path: locations.configPath, store: store),
                        storeService: storeService)
    }

    /// The database of `storage:` with its password, or nil when the portal keeps its SQLite store.
    static func postgresConfiguration(_ storage: PortalConfiguration.Storage, poolSize: Int) throws -> PostgresStoreConfiguration? {
        guard let url = storage.url else { return nil }
        do { return try PostgresStoreConfiguration.parse(url: url, password: storage.password(), poolSize: poolSize) } catch {
            throw CLIFailure.user("storage.url: \(error)")
        }
    }

    /// Starts the pool and brings the schema up to date (several instances starting together migrate
    /// once, under an advisory lock). A schema newer than this binary knows stops the start.
    private static func openPostgres(_ postgres: PostgresStoreConfiguration) async throws -> (any PortalStore, Task<Void, any Error>) {
        let store: PostgresStore
        do { store = try PostgresStore(configuration: postgres, logger: Logger(label: "kiosque.store")) } catch {
            throw CLIFailure.user("cannot use the database \(postgres.redactedURL): \(error)")
        }
        let pool = Task { try await store.run() }
        await store.waitUntilRunning()
        do {
            _ = try await store.migrate()
        } catch {
            pool.cancel()
            if case .schemaTooNew(let unknown) = error {
                throw CLIFailure.user("the database \(postgres.redactedURL) has a newer schema than this kiosque knows "
                                      + "(\(unknown.joined(separator: ", "))): upgrade this instance before starting it")
            }
            throw CLIFailure.user("cannot open the database \(postgres.redactedURL): \(error)")
        }
        return (store, pool)
    }

    /// The fetch pipeline (libcurl engine, response cache, store).
    func pipeline(_ locations: LocationOptions, logger: Logger) -> RefreshPipeline {
        let engine = HTTPEngine(settings: RefreshPipeline.fetchSettings(for: configuration))
        let cache = ResponseCache(directory: URL(fileURLWithPath: locations.cachePath))
        return RefreshPipeline(configuration: live, engine: engine, cache: cache, store: store, logger: logger)
    }
}

extension Services {
    /// The portal's unsubscribe-link signer (the web front's key in the data folder, made if missing).
    static func mailSigner(_ locations: LocationOptions) throws -> UnsubscribeSigner {
        do { return try UnsubscribeSigner.forDataDirectory(locations.dataPath) } catch {
            throw CLIFailure.user("cannot read or create the portal key in \(locations.dataPath): \(error.localizedDescription)")
        }
    }

    /// The digest and alert service of `kiosque serve`. It follows the running configuration: a
    /// `mail:` section added, changed or removed by a reload (SIGHUP) applies from its next pass.
    func mailScheduler(_ locations: LocationOptions, logger: Logger) throws -> MailScheduler {
        let live = self.live
        return MailScheduler(currentSettings: { MailSettings(live.current) }, store: store,
                             signer: try Self.mailSigner(locations), logger: logger)
    }
}
