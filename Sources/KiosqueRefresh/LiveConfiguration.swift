public import Foundation
public import KiosqueConfig
public import KiosqueStoreContract
public import Logging
import Synchronization

/// The running configuration, replaceable while the portal runs. A reload reads and validates
/// the file first: a broken file is refused with its errors and the running configuration stays.
public final class LiveConfiguration: Sendable {
    private let state: Mutex<PortalConfiguration>
    private let path: String
    private let store: any PortalStore
    private let logger: Logger

    public init(_ configuration: PortalConfiguration, path: String, store: any PortalStore, logger: Logger = Logger(label: "kiosque.config")) {
        self.state = Mutex(configuration)
        self.path = path
        self.store = store
        self.logger = logger
    }

    /// The configuration in force now.
    public var current: PortalConfiguration {
        state.withLock { $0 }
    }

    /// The outcome of a reload, for the admin page, `kiosque reload` and the logs.
    public enum ReloadOutcome: Sendable {
        /// Applied; the warnings are those of the new file.
        case applied(warnings: [ConfigDiagnostic])
        /// Refused; the running configuration is unchanged.
        case refused(ConfigError)
        /// Valid, but the store could not take the new catalogue; nothing changed.
        case failed(String)
    }

    /// Re-reads the file, and if it is valid, mirrors its catalogue in the store (re-mapping channels
    /// without re-fetching) and puts it in force.
    @discardableResult
    public func reload() async -> ReloadOutcome {
        let loaded: (PortalConfiguration, [ConfigDiagnostic])
        do {
            loaded = try ConfigLoader.load(path: path)
        } catch {
            logger.error("configuration reload refused", metadata: ["errors": "\(error.errors.count)", "file": "\(path)"])
            return .refused(error)
        }
        do {
            _ = try await store.syncCatalog(loaded.0.catalog)
        } catch {
            logger.error("configuration reload failed in the store", metadata: ["error": "\(error)"])
            return .failed("\(error)")
        }
        state.withLock { $0 = loaded.0 }
        logger.info("configuration reloaded", metadata: ["sources": "\(loaded.0.catalog.sources.count)", "warnings": "\(loaded.1.count)"])
        return .applied(warnings: loaded.1)
    }
}
