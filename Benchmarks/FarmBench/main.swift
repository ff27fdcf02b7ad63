// Feed-farm benchmark (issue 5): 1,000 sources served by a local farm with 50 ms latency, run
// through the real refresh pipeline (fetch → parse → sanitize → store) twice: the first cycle
// gets every feed (200), the second only validators (304).
//   swift run -c release FarmBench [--sources 1000] [--latency 0.05]
import BenchmarkSupport
import Foundation
import KiosqueConfig
import KiosqueFetch
import KiosqueModel
import KiosqueRefresh
import KiosqueStore
import KiosqueTestServer

func option(_ name: String, _ fallback: Double) -> Double {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Double(args[i + 1]) else { return fallback }
    return v
}

let count = Int(option("--sources", 1_000))
let latency = option("--latency", 0.05)
let width = 16
let farm = FeedFarm(latency: latency, itemsPerFeed: 20)
let server = try farm.start()
let directory = NSTemporaryDirectory() + "kiosque-farm-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

var configuration = PortalConfiguration()
configuration.fetch.concurrency = width
configuration.fetch.perHost = width
configuration.fetch.proxy = nil
let sources = (0..<count).map { SourceDefinition(id: "farm-\($0)", url: farm.url($0, on: server), title: "Farm \($0)") }
configuration.catalog = Catalog(sources: sources, channels: [ChannelDefinition(id: "farm", title: "Farm", sources: sources.map(\.id))],
                                bouquets: [BouquetDefinition(id: "all", title: "All", channels: ["farm"], isDefault: true)])
let store = try AppDatabase.open(path: directory + "/kiosque.sqlite")
_ = try await store.syncCatalog(configuration.catalog)
let live = LiveConfiguration(configuration, path: directory + "/channels.yml", store: store)
var settings = RefreshPipeline.fetchSettings(for: configuration, environment: [:])
settings.proxy = ""  // the farm is on loopback: never through a proxy from the environment
let engine = HTTPEngine(settings: settings)
let pipeline = RefreshPipeline(configuration: live, engine: engine, cache: ResponseCache(directory: URL(fileURLWithPath: directory + "/cache")), store: store)

actor Totals {
    var bytes: Int64 = 0, failures = 0, notModified = 0, newItems = 0
    func add(_ a: FetchAttempt) {
        bytes += a.bytes
        if !a.succeeded { failures += 1 }
        if a.notModified { notModified += 1 }
        newItems += a.newItems
    }
}

print("FarmBench: \(count) sources, \(Int(latency * 1000)) ms latency, concurrency \(width), per host \(width)")
print(String(format: "lower bound per cycle (sources × latency ÷ concurrency): %.2f s", Double(count) * latency / Double(width)))
var firstBytes: Int64 = 0
for label in ["first cycle (200, parsed and stored)", "second cycle (304)"] {
    let totals = Totals()
    let start = ContinuousClock.now
    await RefreshScheduler.refreshAll(sources, pipeline: pipeline, width: width) { await totals.add($0) }
    let seconds = Double((start.duration(to: .now)).components.attoseconds) / 1e18 + Double(start.duration(to: .now).components.seconds)
    let bytes = await totals.bytes
    if firstBytes == 0 { firstBytes = bytes }
    print(String(format: "%@: %.2f s, %lld bytes (%.2f%% of the first), %d new items, %d not modified, %d failures",
                 label, seconds, bytes, 100 * Double(bytes) / Double(max(firstBytes, 1)),
                 await totals.newItems, await totals.notModified, await totals.failures))
}
print(String(format: "peak memory (VmHWM, farm server in the same process): %.1f MB", peakRSSMegabytes()))
engine.shutdown()
