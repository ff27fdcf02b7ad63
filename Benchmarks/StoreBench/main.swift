// StoreBench — issue 6's store benchmark.
//
// Builds a database of N items (default 1,000,000) across 2,000 sources and 300 channels,
// 1,000 agents with 30 subscriptions each, then reports ingest rate, bytes per item,
// home page, channel page, search and mark-all-read latencies, and peak memory (VmHWM).
//
// Usage: StoreBench [--items N] [--db PATH] [--keep] [--optimize] [--ingest-only] [--reuse (with --db: skip building, measure reads)] [--group SOURCES-PER-TRANSACTION] [--retention DAYS (with --reuse)] [--sentences N (content length: N sentences of 12–25 words instead of 3–6; 100 ≈ 12 KB)]
//
// On PostgreSQL (issue 18), the same portal through the same store contract:
//   --postgres               a PostgreSQL 15 of its own in a temporary folder, durable as a deployment
//                            (fsync, synchronous_commit, full_page_writes on); stopped and removed at the
//                            end unless --keep, which leaves it running and prints its address
//   --postgres-url URL       an existing database instead (empty, or with --reuse the one a kept run
//                            built); its password from KIOSQUE_DB_PASSWORD. Never dropped by StoreBench
//   --pg-setting NAME=VALUE  a server setting for --postgres (repeatable), e.g. shared_buffers=1GB
//   --env-file FILE          with --keep on PostgreSQL: where to write the shell variables WebBench and
//                            Benchmarks/two-instances.sh read (KIOSQUE_BENCH_URL, KIOSQUE_DB_PASSWORD,
//                            KIOSQUE_BENCH_CATALOG, KIOSQUE_BENCH_PGDIR, KIOSQUE_BENCH_PGPID); the catalogue
//                            goes next to it (FILE without .env + "-catalog.yml"). Default: bench.env in the
//                            server's folder (--postgres) or ./kiosque-bench-pg.env (--postgres-url)
// SQLite-only steps have PostgreSQL counterparts: the reopen after ingest is a VACUUM (ANALYZE), the size
// is pg_database_size; both keep search rankings per query, shared by the agents, which is said.
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
    var postgres = false
    var postgresURL: String?
    var postgresSettings: [String] = []
    var envFile: String?

    /// Whether the run is on PostgreSQL.
    var onPostgres: Bool { postgres || postgresURL != nil }

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
            case "--postgres": postgres = true
            case "--postgres-url": postgresURL = value()
            case "--pg-setting": postgresSettings += value().map { [$0] } ?? []
            case "--env-file": envFile = value()
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
if options.onPostgres {
    try await PostgresBench.run(options)
} else {
    try await SQLiteBench.run(options)
}

/// The SQLite run, as StoreBench has always measured it (same steps, same lines).
enum SQLiteBench {
    static func run(_ options: Options) async throws {
        let path = options.path ?? NSTemporaryDirectory() + "kiosque-bench-\(ProcessInfo.processInfo.processIdentifier).sqlite"
        if options.reuse, FileManager.default.fileExists(atPath: path) {
            let db = try AppDatabase.open(path: path)
            try await BenchReuse.run(db, location: path, options: options, optimizeLabel: "full-text merge")
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
        let build = try await BenchBuild.run(db, options: options, rng: &rng)
        let counts = try await db.counts()
        if options.optimize {
            let t = DispatchTime.now().uptimeNanoseconds
            try await db.optimize()
            log(String(format: "optimize: %.1f s", Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9))
        }
        let itemCount = counts["items"] ?? build.ingested
        try db.close()
        let reopened = try AppDatabase.open(path: path)
        let size = reopened.sizeOnDisk()
        build.report(group: options.group)
        log(String(format: "size: %.1f MB → %.0f bytes per item (channel_items rows: %d)", Double(size) / 1e6, Double(size) / Double(max(1, itemCount)), counts["channel_items"] ?? 0))

        if !options.ingestOnly {
            try await BenchReads.run(reopened, users: build.userIDs, options: options, seed: rng.next())
        }
        log(String(format: "peak RSS (VmHWM): %.0f MB", peakRSSMegabytes()))
        if !options.keep { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    }
}
