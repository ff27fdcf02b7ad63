// StoreBench — issue 6's store benchmark.
//
// Builds a database of N items (default 1,000,000) across 2,000 sources and 300 channels,
// 1,000 agents with 30 subscriptions each, then reports ingest rate, bytes per item,
// home page, channel page, search and mark-all-read latencies, and peak memory (VmHWM).
//
// Usage: StoreBench [--items N] [--db PATH] [--keep] [--optimize] [--ingest-only] [--reuse (with --db: skip building, measure reads)] [--group SOURCES-PER-TRANSACTION] [--retention DAYS (with --reuse)] [--sentences N (content length: N sentences of 12–25 words instead of 3–6; 100 ≈ 12 KB)]
import BenchmarkSupport
import Foundation
import KiosqueModel
import KiosqueStore

struct Options {
    var items = 1_000_000
    var sources = 2_000
    var channels = 300
    var users = 1_000
    var subscriptions = 30
    var path: String?
    var keep = false
    var optimize = false
    var ingestOnly = false
    var group = 40
    var reuse = false
    var retentionDays: Int?
    var sentences: Int?

    init(_ args: [String]) {
        var i = 0
        func value() -> String? { i += 1; return i < args.count ? args[i] : nil }
        while i < args.count {
            switch args[i] {
            case "--items": items = Int(value() ?? "") ?? items
            case "--db": path = value()
            case "--keep": keep = true
            case "--optimize": optimize = true
            case "--ingest-only": ingestOnly = true
            case "--reuse": reuse = true; keep = true
            case "--retention": retentionDays = Int(value() ?? "")
            case "--sentences": sentences = Int(value() ?? "")
            case "--group": group = max(1, Int(value() ?? "") ?? group)
            default: FileHandle.standardError.write(Data("unknown option \(args[i])\n".utf8)); exit(1)
            }
            i += 1
        }
        // Small runs keep the shape (items per source) instead of the absolute counts.
        sources = min(sources, max(20, items / 500))
        channels = min(channels, max(10, sources * 3 / 20))
        users = min(users, max(50, items / 1_000))
    }
}

/// Latency samples in milliseconds.
struct Samples {
    var values: [Double] = []
    mutating func time<T>(_ body: () async throws -> T) async rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try await body()
        values.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        return result
    }
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
    var summary: String { String(format: "p50 %.2f ms  p95 %.2f ms  max %.2f ms  (n=%d)", percentile(0.5), percentile(0.95), values.max() ?? .nan, values.count) }
}

/// User + system CPU time of the whole process, in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func log(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

let options = Options(Array(CommandLine.arguments.dropFirst()))
let path = options.path ?? NSTemporaryDirectory() + "kiosque-bench-\(ProcessInfo.processInfo.processIdentifier).sqlite"
if options.reuse, FileManager.default.fileExists(atPath: path) {
    let db = try AppDatabase.open(path: path)
    let users = try await db.users().map(\.id)
    let channels = try await db.catalogue(userID: nil).bouquets.reduce(0) { $0 + $1.channels.count }
    var reuseOptions = options
    reuseOptions.channels = channels
    log("reusing \(path): \(try await db.counts()["items"] ?? 0) items, \(users.count) agents, \(channels) channels")
    if let days = options.retentionDays {
        let t = DispatchTime.now().uptimeNanoseconds
        let deleted = try await db.applyRetention(days: days, maxItemsPerSource: nil)
        log(String(format: "retention (%d days): %d items deleted in %.1f s", days, deleted, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9))
    }
    if options.optimize {
        let t = DispatchTime.now().uptimeNanoseconds
        let report = try await db.optimize()
        log(String(format: "optimize (full-text merge): %.1f s, %d pages freed", Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9, report.freedPages))
    }
    try await BenchReads.run(db, users: users, options: reuseOptions, seed: 99)
    log(String(format: "peak RSS (VmHWM): %.0f MB", peakRSSMegabytes()))
    exit(0)
}
for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
log("StoreBench: \(options.items) items, \(options.sources) sources, \(options.channels) channels, \(options.users) agents × \(options.subscriptions) subscriptions")
log("database: \(path)")

var rng = SplitMix(state: 42)
let catalog = BenchCatalog.make(options, rng: &rng)
let db = try AppDatabase.open(path: path)
try await db.syncCatalog(catalog)

// Agents and their subscriptions.
var userIDs: [Int64] = []
for u in 0..<options.users {
    let id = try await db.createUser(NewUser(login: "agent\(u)", name: "Agent \(u)")).id
    userIDs.append(id)
    var picked = Set<Int>()
    while picked.count < min(options.subscriptions, options.channels) { picked.insert(Int.random(in: 0..<options.channels, using: &rng)) }
    for c in picked { try await db.subscribe(userID: id, channelID: BenchCatalog.channelID(c)) }
}

// Ingest: fetch rounds in chronological order, 25 items per source per round, like a fetcher would.
let now = Date()
let span: TimeInterval = 365 * 86_400
let perSource = options.items / options.sources
let batch = 25
var corpus = Corpus(seed: 7)
var ingestSeconds = 0.0
var ingested = 0
var round = 0
var pending: [(sourceID: String, items: [PreparedItem])] = []
// The first tenth is ingested one transaction per source (a fetcher storing each feed as it
// arrives); the rest groups `options.group` sources per transaction (a pipeline that coalesces).
var perSourceItems = 0, perSourceSeconds = 0.0, ingestCPU = 0.0
@MainActor func flush() async throws {
    guard !pending.isEmpty else { return }
    let count = pending.reduce(0) { $0 + $1.items.count }
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = cpuSeconds()
    defer { ingestCPU += cpuSeconds() - cpuStart }
    if pending.count == 1 {
        _ = try await db.ingest(sourceID: pending[0].sourceID, items: pending[0].items, fetchedAt: now)
    } else {
        _ = try await db.ingest(batches: pending, fetchedAt: now)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    ingestSeconds += seconds
    if pending.count == 1 && ingested < options.items / 10 { perSourceItems += count; perSourceSeconds += seconds }
    ingested += count
    pending.removeAll()
}
while ingested < options.items {
    for s in 0..<options.sources where ingested + pending.reduce(0, { $0 + $1.items.count }) < options.items {
        var items: [PreparedItem] = []
        for k in 0..<batch {
            let n = round * batch + k
            guard n < perSource else { break }
            let published = now.addingTimeInterval(-span + span * Double(n) / Double(perSource) - Double(corpus.int(0..<3_600)))
            let title = corpus.sentence(5...11)
            let summary = corpus.sentence(15...35)
            let content = (0..<(options.sentences ?? corpus.int(3..<7))).map { _ in corpus.sentence(12...25) }.joined(separator: " ")
            let guid = "https://src\(s).example/articles/\(n)"
            // One article in 40 is syndicated by a second source (same canonical link).
            let link = n % 40 == 0 ? "https://agence.example/depeche/\(n % 997)-\(s % 50)" : guid
            items.append(PreparedItem(item: ParsedItem(id: guid, title: title, link: link, published: published,
                                                       author: "Rédaction \(s % 97)", summary: summary,
                                                       contentHTML: "<p>\(content)</p>"), contentText: content))
        }
        if items.isEmpty { continue }
        pending.append((BenchCatalog.sourceID(s), items))
        if ingested < options.items / 10 || pending.count >= options.group { try await flush() }
    }
    try await flush()
    round += 1
    if round % 4 == 0 { log(String(format: "  … %d items, %.0f items/s so far", ingested, Double(ingested) / ingestSeconds)) }
    if round * batch >= perSource { break }
}
let counts = try await db.counts()
if options.optimize {
    let t = DispatchTime.now().uptimeNanoseconds
    try await db.optimize()
    log(String(format: "optimize: %.1f s", Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9))
}
let itemCount = counts["items"] ?? ingested
try db.close()
let reopened = try AppDatabase.open(path: path)
let size = reopened.sizeOnDisk()
log(String(format: "ingest: %d items in %.1f s of store time → %.0f items/s overall", ingested, ingestSeconds, Double(ingested) / ingestSeconds))
log(String(format: "ingest CPU time: %.1f s → %.0f items per CPU-second (wall-clock rates suffer when other processes share the 2 cores)",
           ingestCPU, Double(ingested) / ingestCPU))
log(String(format: "ingest, one transaction per source (25 items): %.0f items/s; grouped %d sources per transaction: %.0f items/s",
           Double(perSourceItems) / perSourceSeconds, options.group,
           Double(ingested - perSourceItems) / (ingestSeconds - perSourceSeconds)))
log(String(format: "size: %.1f MB → %.0f bytes per item (channel_items rows: %d)", Double(size) / 1e6, Double(size) / Double(max(1, itemCount)), counts["channel_items"] ?? 0))

if !options.ingestOnly {
    try await BenchReads.run(reopened, users: userIDs, options: options, seed: rng.next())
}
log(String(format: "peak RSS (VmHWM): %.0f MB", peakRSSMegabytes()))
if !options.keep { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
