import ArgumentParser
import Foundation
import KiosqueConfig
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

    func run() async throws {
        let configuration = try locations.loadConfiguration()
        try locations.prepareDirectories()
        let logger = Logger(label: "kiosque")
        let web = try WebServer(configuration: configuration, host: host, port: port, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: web.application)],
                                 gracefulShutdownSignals: [.sigterm, .sigint],
                                 logger: logger)
        )
        try await group.run()
    }
}
