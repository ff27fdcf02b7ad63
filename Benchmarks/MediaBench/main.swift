// MediaBench (issue 16): 300 agents opening 100 illustrated articles (3 pictures each) through the media cache,
// against a picture server on 127.0.0.1. Prints upstream requests (target: 300, the number of distinct pictures),
// the cache's answer time p50/p99 once warm (target p99 ≤ 5 ms), libvips re-encode throughput and peak memory.
// Run (release, on a quiet machine): swift build -c release --product MediaBench && .build/release/MediaBench
// Options: --agents N (300) --articles N (100) --width N (concurrent readers, 64).
import BenchmarkSupport
import Foundation
import KiosqueFetch
import KiosqueMedia
import KiosqueTestServer

func option(_ name: String, _ fallback: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else {
        return fallback
    }
    return value
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

let agents = option("--agents", 300), articles = option("--articles", 100), width = option("--width", 64)
let perArticle = 3
let distinct = articles * perArticle

// Distinct real pictures (photo-sized JPEGs of different sizes), made once by libvips.
print("Making \(distinct) pictures…")
var pictures: [Data] = []
for index in 0..<distinct {
    guard let data = ImageProcessor.makeTestImage(width: 1600 + index % 400, height: 1000 + index % 300, format: "jpeg") else {
        fatalError("libvips could not make a test picture")
    }
    pictures.append(data)
}
let library = pictures
var router = TestRouter()
router.on(prefix: "/img/") { request in
    let index = Int(request.path.dropFirst("/img/".count).prefix { $0 != "." }) ?? 0
    return .ok(library[index % library.count], contentType: "image/jpeg")
}
let server = try TestHTTPServer(handler: router.handler)
defer { server.shutdown() }

// Re-encode throughput: libvips alone, one picture after another.
let processor = ImageProcessor()
let encodeStart = ContinuousClock.now
let sample = min(60, distinct)
for data in pictures.prefix(sample) { _ = processor.process(data) }
let encodeSeconds = milliseconds(encodeStart.duration(to: .now)) / 1_000
print(String(format: "re-encode: %.1f images/s (%d photo-sized JPEGs, full + thumbnail each)", Double(sample) / encodeSeconds, sample))

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiosque-mediabench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let service = MediaService(settings: MediaSettings(allowedPrivateHosts: ["127.0.0.1"]), signer: MediaSigner(key: Data(repeating: 1, count: 32)),
                           cache: try MediaCache(root: folder, budget: 2 << 30),
                           fetch: FetchSettings(timeout: 30, connectTimeout: 5, concurrency: 8, perHost: 4, proxy: ""))
let ids = (0..<distinct).map { service.signer.id(for: server.url("/img/\($0).jpg")) }

// Every agent opens every article: its 3 pictures, in an order of its own.
print("\(agents) agents × \(articles) articles × \(perArticle) pictures = \(agents * articles * perArticle) requests…")
let runStart = ContinuousClock.now
let latencies = await withTaskGroup(of: [Double].self) { group -> [Double] in
    for lane in 0..<width {
        group.addTask {
            var mine: [Double] = []
            var request = lane
            while request < agents * articles * perArticle {
                let agent = request / (articles * perArticle)
                let picture = (request + agent * 7) % distinct
                let start = ContinuousClock.now
                _ = await service.answer(id: ids[picture], variant: request % 2 == 0 ? .full : .thumbnail)
                mine.append(milliseconds(start.duration(to: .now)))
                request += width
            }
            return mine
        }
    }
    var all: [Double] = []
    for await part in group { all += part }
    return all
}
let runSeconds = milliseconds(runStart.duration(to: .now)) / 1_000
let statistics = await service.currentStatistics()
print("upstream requests: \(server.stats.requestsReceived) (distinct pictures: \(distinct); without Kiosque: \(agents * articles * perArticle))")
print(String(format: "all requests: %.1f s, %.0f requests/s, hit ratio %.4f", runSeconds, Double(latencies.count) / runSeconds, statistics.hitRatio))

// Warm: answers from the cache only.
var warm: [Double] = []
for round in 0..<20_000 {
    let start = ContinuousClock.now
    _ = await service.answer(id: ids[(round * 13) % distinct], variant: round % 2 == 0 ? .full : .thumbnail)
    warm.append(milliseconds(start.duration(to: .now)))
}
warm.sort()
print(String(format: "/media from cache (service level, one reader): p50 %.3f ms  p99 %.3f ms  max %.3f ms", percentile(warm, 0.5),
             percentile(warm, 0.99), warm.last ?? .nan))
print(String(format: "cache: %d objects, %.1f MB; upstream %.1f MB; spared upstream %.1f MB", await service.cache.objectCount,
             Double(await service.cache.totalBytes) / 1e6, Double(statistics.upstreamBytes) / 1e6, Double(statistics.bytesSaved) / 1e6))
print(String(format: "peak RSS: %.0f MB", peakRSSMegabytes()))
