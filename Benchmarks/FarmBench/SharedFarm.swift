// The shared-farm mode (issue 13 part 7): the press-shaped farm of ../shared/feedfarm, served by its
// own Python process, so this process's CPU time and peak RSS are Kiosque's alone.
import BenchmarkSupport
import Foundation
import KiosqueFetch
import KiosqueModel

/// The farm's request counters (`GET /__stats`): requests, bytes and answers by status.
struct FarmStats: Decodable {
    var requests: Int
    var bytes: Int64
    var status: [String: Int]

    var line: String {
        "\(requests) requests (" + status.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
            + String(format: "), %.1f MB served", Double(bytes) / 1_048_576)
    }
}

enum SharedFarm {
    /// The feed URLs of a generated farm's urls.txt (newsboat format: URL then optional tags).
    static func sources(urlsFile: String) throws -> [SourceDefinition] {
        let text = try String(contentsOfFile: urlsFile, encoding: .utf8)
        let urls = text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix("http") }
        return urls.enumerated().map { SourceDefinition(id: String(format: "feed-%04d", $0.offset), url: $0.element,
                                                        title: "Feed \($0.offset)") }
    }

    /// Reads (and with `reset`, zeroes) the farm's counters through the same HTTP engine.
    static func stats(_ engine: HTTPEngine, base: String, reset: Bool = false) async -> FarmStats? {
        let url = base + (reset ? "/__reset" : "/__stats")
        guard case .success(let response) = await engine.fetch(FetchRequest(sourceID: "farm-stats", url: url)) else { return nil }
        return reset ? nil : try? JSONDecoder().decode(FarmStats.self, from: response.body)
    }

    /// First cycle (every feed 200, parsed and stored) then the all-304 cycle, with their figures.
    static func run(urlsFile: String, width: Int, latency: Double) async throws {
        let sources = try sources(urlsFile: urlsFile)
        guard let first = sources.first, let base = first.url.range(of: "/feeds/").map({ String(first.url[..<$0.lowerBound]) }) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: urlsFile])
        }
        let setup = try await BenchSetup(sources: sources, width: width)
        defer { setup.close() }
        // The server may have just been started (make bench): give it ten seconds to answer.
        var tries = 0
        while await stats(setup.engine, base: base) == nil {
            tries += 1
            guard tries < 100 else {
                print("FarmBench: no feed farm answers at \(base)/__stats (start ../shared/feedfarm/serve_farm.py first)")
                exit(1)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let bound = Double(sources.count) * latency / Double(width)
        print("FarmBench shared farm: \(sources.count) feeds from \(urlsFile), \(Int(latency * 1000)) ms latency, \(width) connections, "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        print(String(format: "latency bound per cycle (feeds × latency ÷ connections): %.2f s", bound))
        for label in ["first cycle (200, parsed and stored)", "all-304 cycle"] {
            _ = await stats(setup.engine, base: base, reset: true)
            let counters = hostCPUCounters()
            let figures = await runCycle(setup, width: width)
            let stolen = stolenPercent(since: counters)
            let farm = await stats(setup.engine, base: base)
            print(String(format: "%@: wall %.2f s (%.2f × bound), CPU user+sys %.2f s (%.2f cores busy), %d new items, "
                         + "%d not modified, %d failures, CPU stolen by the hypervisor %.0f %%", label, figures.wallSeconds,
                         figures.wallSeconds / bound, figures.cpuSeconds, figures.cpuSeconds / figures.wallSeconds,
                         figures.newItems, figures.notModified, figures.failures, stolen))
            print("  farm: " + (farm?.line ?? "no /__stats answer"))
            if let failure = figures.firstFailure { print("  first failure: \(failure)") }
        }
        let stored = (try? await setup.store.channelStatistics().first { $0.channel.id == "farm" }?.items) ?? -1
        print(String(format: "items stored: %d; peak RSS (getrusage maxrss): %.1f MB", stored, maxRSSMegabytes()))
    }
}
