import ArgumentParser
import Foundation
import KiosqueConfig
import KiosqueRefresh
import KiosqueWeb
import Logging
import ServiceLifecycle

/// `kiosque serve`: the web front and the in-process fetch scheduler, until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the portal: the web front for agents and the fetch scheduler."
    )

    @OptionGroup var locations: LocationOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @Flag(name: .customLong("no-fetch"), help: "Serve without fetching (read-only mirrors, tests).")
    var noFetch = false

    func run() async throws {
        let configuration = try locations.loadConfiguration()
        var logger = Logger(label: "kiosque")
        logger.logLevel = .info
        let services = try await Services.open(locations, configuration: configuration)
        let pipeline = services.pipeline(locations, logger: logger)
        let scheduler = RefreshScheduler(configuration: configuration, pipeline: pipeline, logger: logger)
        let web: WebServer
        do {
            web = try await WebServer(configuration: configuration, store: services.store, scheduler: scheduler,
                                      options: .init(host: host, port: port, dataDirectory: locations.dataPath), logger: logger)
        } catch {
            throw CLIFailure.internal("cannot start the web front: \(error)")
        }
        var serviceList: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: web.application())]
        if !noFetch { serviceList.append(.init(service: scheduler)) }
        logger.info("Kiosque serves \(configuration.portal.title) on http://\(host):\(port)")
        let group = ServiceGroup(configuration: .init(services: serviceList, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        pipeline.engine.shutdown()
    }
}
