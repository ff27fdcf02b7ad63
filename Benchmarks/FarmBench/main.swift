// Feed-farm benchmark, run through the real refresh pipeline (fetch → parse → sanitize → store)
// twice: the first cycle gets every feed (200), the second only validators (304).
// Two farms:
//   swift run -c release FarmBench [--sources 1000] [--latency 0.05]
//       issue 5's farm, served in this process: 20 small items a feed.
//   swift run -c release FarmBench --farm-urls /tmp/farm1000/urls.txt [--latency 0.05] [--connections 16]
//       issue 13's press-shaped farm (../shared/feedfarm: gen_feeds.py, serve_farm.py already running);
//       prints wall and CPU time, peak RSS, items stored and the farm's request counts.
import BenchmarkSupport
import Foundation
import KiosqueModel
import KiosqueTestServer

func option(_ name: String, _ fallback: Double) -> Double {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Double(args[i + 1]) else { return fallback }
    return v
}

func stringOption(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

let latency = option("--latency", 0.05)
let width = Int(option("--connections", 16))

if let urls = stringOption("--farm-urls") {
    try await SharedFarm.run(urlsFile: urls, width: width, latency: latency)
} else {
    let count = Int(option("--sources", 1_000))
    let farm = FeedFarm(latency: latency, itemsPerFeed: 20)
    let server = try farm.start()
    let sources = (0..<count).map { SourceDefinition(id: "farm-\($0)", url: farm.url($0, on: server), title: "Farm \($0)") }
    let setup = try await BenchSetup(sources: sources, width: width)
    print("FarmBench: \(count) sources, \(Int(latency * 1000)) ms latency, concurrency \(width), per host \(width)")
    print(String(format: "lower bound per cycle (sources × latency ÷ concurrency): %.2f s", Double(count) * latency / Double(width)))
    var firstBytes: Int64 = 0
    for label in ["first cycle (200, parsed and stored)", "second cycle (304)"] {
        let figures = await runCycle(setup, width: width)
        if firstBytes == 0 { firstBytes = figures.bytes }
        print(String(format: "%@: %.2f s (CPU %.2f s), %lld bytes (%.2f%% of the first), %d new items, %d not modified, %d failures",
                     label, figures.wallSeconds, figures.cpuSeconds, figures.bytes,
                     100 * Double(figures.bytes) / Double(max(firstBytes, 1)),
                     figures.newItems, figures.notModified, figures.failures))
    }
    print(String(format: "peak memory (VmHWM, farm server in the same process): %.1f MB", peakRSSMegabytes()))
    setup.close()
}
