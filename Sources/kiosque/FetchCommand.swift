import ArgumentParser
import Foundation
import KiosqueModel
import KiosqueRefresh
import Logging

/// `kiosque fetch`: one fetch cycle, a summary line per source, then exit.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Run one fetch cycle of the due sources and print a line per source.",
        discussion: "Exits 0 when every fetched source succeeded, 1 when one or more failed (their lines say why)."
    )

    @OptionGroup var locations: LocationOptions
    @Flag(help: "Fetch every source, due or not.") var all = false
    @Option(name: .customLong("source"), help: ArgumentHelp("Fetch only this source (repeatable).", valueName: "id")) var sources: [String] = []

    func run() async throws {
        let configuration = try locations.loadConfiguration()
        let catalog = configuration.catalog.sources
        for id in sources where !catalog.contains(where: { $0.id == id }) {
            throw CLIFailure.user("no source `\(id)` in \(configuration.filePath)")
        }
        var logger = Logger(label: "kiosque.fetch")
        logger.logLevel = .warning
        let services = try await Services.open(locations, configuration: configuration)
        let pipeline = services.pipeline(locations, logger: logger)
        defer { pipeline.engine.shutdown() }
        let selection: RefreshScheduler.FetchSelection = !sources.isEmpty ? .sources(sources) : all ? .all : .due
        let width = catalog.map(\.id).max(by: { $0.count < $1.count })?.count ?? 10
        let failures = FailureCounter()
        // On PostgreSQL the sources are leased as `kiosque serve` leases them: a source another
        // instance is fetching is left to it.
        let (fetched, held) = try await RefreshScheduler.fetchOnce(selection, configuration: configuration, pipeline: pipeline,
                                                                   logger: logger) { attempt in
            if !attempt.succeeded { await failures.add() }
            print(attempt.sourceID.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + RefreshReport.line(for: attempt))
        }
        for id in held {
            print(id.padding(toLength: width, withPad: " ", startingAt: 0) + "  skipped: another instance is fetching it")
        }
        if fetched == 0 && held.isEmpty {
            print("No source is due (use --all to fetch every source).")
            return
        }
        let failed = await failures.count
        print("\(fetched) source(s) fetched, \(failed) failed" + (held.isEmpty ? "." : ", \(held.count) left to another instance."))
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Counts failures reported from concurrent fetches.
actor FailureCounter {
    private(set) var count = 0
    func add() { count += 1 }
}
