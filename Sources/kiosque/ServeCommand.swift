import ArgumentParser
import Foundation
import KiosqueConfig
import KiosqueDocuments
import KiosqueRefresh
import Dispatch
import KiosqueWeb
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `kiosque serve`: the web front and the in-process fetch scheduler, until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the portal: the web front for agents, the fetch scheduler and, with a `mail:` section, e-mail digests and alerts."
    )

    @OptionGroup var locations: LocationOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @Flag(name: .customLong("no-fetch"), help: "Serve without fetching (read-only mirrors, tests).")
    var noFetch = false

    @Option(name: .customLong("log-format"), help: "Log lines as `text` or `json` (one object per line).")
    var logFormat: LogFormat = .text

    func run() async throws {
        logFormat.bootstrap(level: .info)
        let configuration = try locations.loadConfiguration()
        let logger = Logger(label: "kiosque")
        if configuration.storage.isPostgres {
            // Instances on several machines share the data folder: documents need atomic rename and fsync
            // there, and every instance the same portal key.
            do { try SharedDataFolder.check(dataDirectory: locations.dataPath, documentsDirectory: locations.documentsPath) } catch {
                throw CLIFailure.user("the data folder cannot be shared by several instances, nothing was started: \(error)")
            }
        }
        let services = try await Services.open(locations, configuration: configuration)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let pipeline = services.pipeline(locations, logger: logger)
        let scheduler = RefreshScheduler(configuration: services.live, pipeline: pipeline, logger: logger)
        let reloadOnHangup = HangupHandler(live: services.live, logger: logger)
        try PIDFile.write(locations.pidPath)
        defer { PIDFile.remove(locations.pidPath) }
        let web: WebServer
        do {
            web = try await WebServer(configuration: services.live, store: services.store, scheduler: scheduler,
                                      options: .init(host: host, port: port, dataDirectory: locations.dataPath, metrics: registry,
                                                     mediaCacheDirectory: (locations.cachePath as NSString).appendingPathComponent("media")),
                                      logger: logger)
        } catch {
            throw CLIFailure.internal("cannot start the web front: \(error)")
        }
        var serviceList: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: web.application())]
        if !noFetch { serviceList.append(.init(service: scheduler)) }
        // The newest items' pictures are fetched soon after ingest (media.mode: proxy).
        if let prefetch = web.mediaPrefetcher(store: services.store) { serviceList.append(.init(service: prefetch)) }
        // Digests at mail.digest_time (mail.time_zone, Europe/Paris by default) and alerts, while mail is configured.
        serviceList.append(.init(service: try services.mailScheduler(locations, logger: logger)))
        if let accounts = try services.directoryAccounts(), let ldap = configuration.auth.ldap {
            serviceList.append(.init(service: DirectorySyncService(accounts: accounts, interval: ldap.syncInterval, logger: logger)))
        }
        logger.info("Kiosque serves \(configuration.portal.title) on http://\(host):\(port)")
        try await announceFirstRunSetup(store: services, configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: serviceList, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        reloadOnHangup.cancel()
        pipeline.engine.shutdown()
        services.storeService?.cancel()
    }
}

extension ServeCommand {
    /// With no administrator yet, prints the one-time address that creates one (console and log):
    /// the step between `make run` and a signed-in administrator.
    func announceFirstRunSetup(store services: Services, configuration: PortalConfiguration, logger: Logger) async throws {
        guard let token = try await FirstRunSetup.prepare(store: services.store) else { return }
        let address = FirstRunSetup.address(token: token, host: host, port: port, baseURL: configuration.portal.baseURL)
        // Written straight to the descriptor: print() would sit in a buffer when stdout is a pipe.
        FileHandle.standardOutput.write(Data("""

            ┌─ Kiosque: no administrator yet ──────────────────────────────────────────
            │ Open this address to create the first administrator (valid 24 h, once):
            │   \(address)
            └───────────────────────────────────────────────────────────────────────────

            """.utf8))
        logger.notice("no administrator yet: create one at the one-time set-up address", metadata: ["address": "\(address)"])
    }
}

/// SIGHUP reloads channels.yml (validated first), as daemons conventionally do.
final class HangupHandler: @unchecked Sendable {  // the dispatch source is only set up in init and cancelled once
    private let source: DispatchSourceSignal

    init(live: LiveConfiguration, logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            Task {
                switch await live.reload() {
                case .applied(let warnings): logger.info("SIGHUP: configuration reloaded", metadata: ["warnings": "\(warnings.count)"])
                case .refused(let error): logger.error("SIGHUP: configuration refused, the running one stays", metadata: ["errors": "\(error)"])
                case .failed(let reason): logger.error("SIGHUP: configuration not applied", metadata: ["reason": "\(reason)"])
                }
            }
        }
        source.resume()
        self.source = source
    }

    func cancel() { source.cancel() }
}

/// The running server's process id, so `kiosque reload` can signal it.
enum PIDFile {
    static func write(_ path: String) throws {
        do {
            try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIFailure.user("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func read(_ path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
