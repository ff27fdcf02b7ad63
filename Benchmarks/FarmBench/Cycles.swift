// What both FarmBench modes share: a store and a pipeline over a list of sources, one measured
// fetch cycle (wall time, CPU time of this process, attempts' totals), and the process's peak RSS.
import Foundation
import KiosqueConfig
import KiosqueFetch
import KiosqueModel
import KiosqueRefresh
import KiosqueStore
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away store and refresh pipeline for a benchmark run; `close()` removes the folder.
struct BenchSetup {
    let sources: [SourceDefinition]
    let store: AppDatabase
    let engine: HTTPEngine
    let pipeline: RefreshPipeline
    let directory: String

    init(sources: [SourceDefinition], width: Int) async throws {
        self.sources = sources
        directory = NSTemporaryDirectory() + "kiosque-farm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
        var configuration = PortalConfiguration()
        configuration.fetch.concurrency = width
        configuration.fetch.perHost = width
        configuration.fetch.proxy = nil
        configuration.catalog = Catalog(
            sources: sources, channels: [ChannelDefinition(id: "farm", title: "Farm", sources: sources.map(\.id))],
            bouquets: [BouquetDefinition(id: "all", title: "All", channels: ["farm"], isDefault: true)])
        store = try AppDatabase.open(path: directory + "/kiosque.sqlite")
        _ = try await store.syncCatalog(configuration.catalog)
        let live = LiveConfiguration(configuration, path: directory + "/channels.yml", store: store)
        var settings = RefreshPipeline.fetchSettings(for: configuration, environment: [:])
        settings.proxy = ""  // the farm is on loopback: never through a proxy from the environment
        engine = HTTPEngine(settings: settings)
        pipeline = RefreshPipeline(configuration: live, engine: engine,
                                   cache: ResponseCache(directory: URL(fileURLWithPath: directory + "/cache")), store: store)
    }

    func close() {
        engine.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Totals of one cycle's attempts.
actor Totals {
    var bytes: Int64 = 0, failures = 0, notModified = 0, newItems = 0, firstFailure: String?
    func add(_ a: FetchAttempt) {
        bytes += a.bytes
        if !a.succeeded {
            failures += 1
            if firstFailure == nil { firstFailure = "\(a.sourceID): \(RefreshReport.line(for: a))" }
        }
        if a.notModified { notModified += 1 }
        newItems += a.newItems
    }
}

/// One cycle's figures.
struct CycleFigures {
    var wallSeconds: Double
    var cpuSeconds: Double
    var bytes: Int64
    var newItems: Int
    var notModified: Int
    var failures: Int
    var firstFailure: String?
}

/// This process's resource usage (getrusage RUSAGE_SELF: every thread).
func selfUsage() -> rusage {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return usage
}

/// User + system CPU seconds this process has used so far (all threads).
func processCPUSeconds() -> Double {
    let usage = selfUsage()
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Peak resident set of this process in MB, as getrusage reports it (ru_maxrss, KB on Linux).
func maxRSSMegabytes() -> Double {
    Double(selfUsage().ru_maxrss) / 1024
}

/// Runs every source once through the real pipeline, `width` at once, and measures it.
func runCycle(_ setup: BenchSetup, width: Int) async -> CycleFigures {
    let totals = Totals()
    let cpuStart = processCPUSeconds()
    let start = ContinuousClock.now
    await RefreshScheduler.refreshAll(setup.sources, pipeline: setup.pipeline, width: width) { await totals.add($0) }
    let elapsed = start.duration(to: .now).components
    return CycleFigures(wallSeconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18,
                        cpuSeconds: processCPUSeconds() - cpuStart, bytes: await totals.bytes,
                        newItems: await totals.newItems, notModified: await totals.notModified,
                        failures: await totals.failures, firstFailure: await totals.firstFailure)
}
