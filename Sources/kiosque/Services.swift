import Foundation
import KiosqueConfig
import KiosqueFetch
import KiosqueMail
import KiosqueRefresh
import KiosqueStore
import Logging

/// Builds the long-lived pieces once, from the shared options: the store, the fetch engine and
/// the pipeline. Commands only ask for what they use.
struct Services {
    let configuration: PortalConfiguration
    let store: any PortalStore
    let live: LiveConfiguration

    /// Opens the store and mirrors the configuration's catalogue into it.
    static func open(_ locations: LocationOptions, configuration: PortalConfiguration) async throws -> Services {
        try locations.prepareDirectories()
        let store: any PortalStore
        do {
            store = try AppDatabase.open(path: locations.databasePath)
        } catch {
            throw CLIFailure.user("cannot open the database: \(error)")
        }
        do {
            _ = try await store.syncCatalog(configuration.catalog)
        } catch {
            throw CLIFailure.internal("cannot apply the catalogue of \(configuration.filePath) to the database: \(error)")
        }
        return Services(configuration: configuration, store: store,
                        live: LiveConfiguration(configuration, path: locations.configPath, store: store))
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
