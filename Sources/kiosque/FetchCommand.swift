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
        let selected: [SourceDefinition]
        if !sources.isEmpty {
            selected = catalog.filter { sources.contains($0.id) }
        } else if all {
            selected = catalog
        } else {
            selected = await RefreshScheduler.dueSources(catalog, store: services.store, now: Date())
        }
        if selected.isEmpty {
            print("No source is due (use --all to fetch every source).")
            return
        }
        let width = selected.map(\.id).max(by: { $0.count < $1.count })?.count ?? 10
        let failures = FailureCounter()
        await RefreshScheduler.refreshAll(selected, pipeline: pipeline, width: configuration.fetch.concurrency) { attempt in
            if !attempt.succeeded { await failures.add() }
            print(attempt.sourceID.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + RefreshReport.line(for: attempt))
        }
        let failed = await failures.count
        print("\(selected.count) source(s) fetched, \(failed) failed.")
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Counts failures reported from concurrent fetches.
actor FailureCounter {
    private(set) var count = 0
    func add() { count += 1 }
}
