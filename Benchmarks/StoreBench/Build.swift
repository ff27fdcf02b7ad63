import BenchmarkSupport
import Foundation
import KiosqueModel
import KiosqueStoreContract

/// Builds the benchmark's portal through the store contract, the same on every backend: agents and
/// their subscriptions, then the corpus ingested in fetch rounds. Keeps the ingest's figures.
struct BenchBuild {
    var userIDs: [Int64] = []
    var ingested = 0
    var ingestSeconds = 0.0
    var ingestCPU = 0.0
    /// The first tenth, one transaction per source.
    var perSourceItems = 0
    var perSourceSeconds = 0.0
    private var pending: [(sourceID: String, items: [PreparedItem])] = []

    static func run(_ db: any PortalStore, options: Options, rng: inout SplitMix) async throws -> BenchBuild {
        var build = BenchBuild()
        // Agents and their subscriptions.
        for u in 0..<options.users {
            let id = try await db.createUser(NewUser(login: "agent\(u)", name: "Agent \(u)")).id
            build.userIDs.append(id)
            var picked = Set<Int>()
            while picked.count < min(options.subscriptions, options.channels) { picked.insert(Int.random(in: 0..<options.channels, using: &rng)) }
            for c in picked { try await db.subscribe(userID: id, channelID: BenchCatalog.channelID(c)) }
        }
        try await build.ingest(db, options: options)
        return build
    }

    /// Ingest: fetch rounds in chronological order, 25 items per source per round, like a fetcher would.
    /// The first tenth is ingested one transaction per source (a fetcher storing each feed as it
    /// arrives); the rest groups `options.group` sources per transaction (a pipeline that coalesces).
    private mutating func ingest(_ db: any PortalStore, options: Options) async throws {
        let now = Date()
        let span: TimeInterval = 365 * 86_400
        let perSource = options.items / options.sources
        let batch = 25
        var corpus = Corpus(seed: 7)
        var round = 0
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
                if ingested < options.items / 10 || pending.count >= options.group { try await flush(db, options: options, now: now) }
            }
            try await flush(db, options: options, now: now)
            round += 1
            if round % 4 == 0 { log(String(format: "  … %d items, %.0f items/s so far", ingested, Double(ingested) / ingestSeconds)) }
            if round * batch >= perSource { break }
        }
    }

    private mutating func flush(_ db: any PortalStore, options: Options, now: Date) async throws {
        guard !pending.isEmpty else { return }
        let count = pending.reduce(0) { $0 + $1.items.count }
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuSeconds()
        if pending.count == 1 {
            _ = try await db.ingest(sourceID: pending[0].sourceID, items: pending[0].items, fetchedAt: now)
        } else {
            _ = try await db.ingest(batches: pending, fetchedAt: now)
        }
        ingestCPU += cpuSeconds() - cpuStart
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        ingestSeconds += seconds
        if pending.count == 1 && ingested < options.items / 10 { perSourceItems += count; perSourceSeconds += seconds }
        ingested += count
        pending.removeAll()
    }

    /// The ingest figures, as StoreBench has always printed them.
    func report(group: Int) {
        log(String(format: "ingest: %d items in %.1f s of store time → %.0f items/s overall", ingested, ingestSeconds, Double(ingested) / ingestSeconds))
        log(String(format: "ingest CPU time: %.1f s → %.0f items per CPU-second (wall-clock rates suffer when other processes share the 2 cores)",
                   ingestCPU, Double(ingested) / ingestCPU))
        log(String(format: "ingest, one transaction per source (25 items): %.0f items/s; grouped %d sources per transaction: %.0f items/s",
                   Double(perSourceItems) / perSourceSeconds, group,
                   Double(ingested - perSourceItems) / (ingestSeconds - perSourceSeconds)))
    }
}

/// `--reuse`: the reads measured on a portal an earlier `--keep` run built (after `--retention` and
/// `--optimize` when asked), the same on every backend. `optimizeLabel` names what optimize does there.
enum BenchReuse {
    static func run(_ db: any PortalStore, location: String, options: Options, optimizeLabel: String, note: String? = nil) async throws {
        let users = try await db.users().map(\.id)
        let channels = try await db.catalogue(userID: nil).bouquets.reduce(0) { $0 + $1.channels.count }
        var reuseOptions = options
        reuseOptions.channels = channels
        log("reusing \(location): \(try await db.counts()["items"] ?? 0) items, \(users.count) agents, \(channels) channels")
        if let days = options.retentionDays {
            let t = DispatchTime.now().uptimeNanoseconds
            let deleted = try await db.applyRetention(days: days, maxItemsPerSource: nil)
            log(String(format: "retention (%d days): %d items deleted in %.1f s", days, deleted, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9))
        }
        if options.optimize {
            let t = DispatchTime.now().uptimeNanoseconds
            let report = try await db.optimize()
            log(String(format: "optimize (%@): %.1f s, %d pages freed", optimizeLabel, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9, report.freedPages))
        }
        if let note { log(note) }
        try await BenchReads.run(db, users: users, options: reuseOptions, seed: 99)
    }
}
