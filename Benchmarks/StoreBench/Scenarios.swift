import BenchmarkSupport
import Foundation
import KiosqueModel
import KiosqueStore

/// The benchmark's channels.yml: sources spread over channels, a tenth of them keyword-filtered.
enum BenchCatalog {
    static func sourceID(_ n: Int) -> String { String(format: "src%04d", n) }
    static func channelID(_ n: Int) -> String { String(format: "canal%03d", n) }

    static func make(_ options: Options, rng: inout SplitMix) -> Catalog {
        let sources = (0..<options.sources).map {
            SourceDefinition(id: sourceID($0), url: "https://src\($0).example/feed", title: "Source \($0)", trusted: $0 % 5 == 0)
        }
        let per = max(1, options.sources / options.channels) + 1
        let filters = [["travaux", "voirie", "chantier*"], ["école*", "scolaire", "cantine"], ["culture", "théâtre", "musée"]]
        let channels = (0..<options.channels).map { c in
            var members = (0..<per).map { sourceID((c * (per - 1) + $0) % options.sources) }
            members.append(sourceID(Int.random(in: 0..<options.sources, using: &rng)))
            let filtered = c % 10 == 9
            return ChannelDefinition(id: channelID(c), title: "Canal \(c)", description: "Actualités du canal \(c)",
                                     sources: Array(Set(members)).sorted(),
                                     include: filtered ? filters[c % 3] : [], exclude: filtered ? ["annulation"] : [])
        }
        let bouquets = stride(from: 0, to: options.channels, by: 10).map { start in
            BouquetDefinition(id: "bouquet\(start / 10)", title: "Bouquet \(start / 10)",
                              channels: (start..<min(start + 10, options.channels)).map(channelID), isDefault: start == 0)
        }
        return Catalog(sources: sources, channels: channels, bouquets: bouquets)
    }
}

extension BenchCatalog {
    /// The catalogue as the `sources:`, `channels:` and `bouquets:` of a channels.yml, so that a
    /// `kiosque serve` on the benchmark's database syncs to the same catalogue (and changes nothing).
    static func yaml(_ catalog: Catalog) -> String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        func list(_ values: [String]) -> String { "[" + values.map(quoted).joined(separator: ", ") + "]" }
        var lines = ["sources:"]
        for source in catalog.sources {
            lines.append("  - { id: \(source.id), url: \(quoted(source.url)), title: \(quoted(source.title ?? source.id)), trusted: \(source.trusted) }")
        }
        lines.append("channels:")
        for channel in catalog.channels {
            var fields = ["id: \(channel.id)", "title: \(quoted(channel.title))"]
            if let description = channel.description { fields.append("description: \(quoted(description))") }
            fields.append("sources: \(list(channel.sources))")
            if !channel.include.isEmpty { fields.append("include: \(list(channel.include))") }
            if !channel.exclude.isEmpty { fields.append("exclude: \(list(channel.exclude))") }
            lines.append("  - { " + fields.joined(separator: ", ") + " }")
        }
        lines.append("bouquets:")
        for bouquet in catalog.bouquets {
            lines.append("  - { id: \(bouquet.id), title: \(quoted(bouquet.title)), channels: \(list(bouquet.channels)), default: \(bouquet.isDefault) }")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The read-side measurements.
enum BenchReads {
    static let queries = [
        "conseil municipal", "délibérations budget", "travaux voirie", "élus", "école maternelle inscriptions",
        "\"plan local\" urbanisme", "piscine horaires", "marché public", "recrutement agents", "subventions associations",
        "transport scolaire", "logement social", "sécurité routière", "fête de la musique", "collecte déchets -report",
        "budget depuis:2025-01-01", "canal:canal012 travaux", "santé prévention", "théâtre exposition", "rénovation énergétique",
    ]

    static func run(_ db: any PortalStore, users: [Int64], options: Options, seed: UInt64) async throws {
        var rng = SplitMix(state: seed)
        // Give agents some history: each marks one of their channels read up to a month ago.
        var markAll = Samples()
        let monthAgo = Date().addingTimeInterval(-30 * 86_400)
        for user in users.prefix(200) {
            guard let channel = try await db.subscriptions(userID: user).randomElement(using: &rng) else { continue }
            _ = try await markAll.time { try await db.markAllRead(channelID: channel.id, userID: user, olderThan: monthAgo) }
        }

        var home = Samples()
        for _ in 0..<300 {
            let user = users.randomElement(using: &rng)!
            _ = try await home.time { try await db.homePage(userID: user, limit: 50) }
        }
        var grouped = Samples()
        for _ in 0..<100 {
            let user = users.randomElement(using: &rng)!
            _ = try await grouped.time { try await db.homePage(userID: user, limit: 50, perChannel: 5) }
        }

        var channel = Samples()
        for _ in 0..<300 {
            let user = users.randomElement(using: &rng)!
            let id = BenchCatalog.channelID(Int.random(in: 0..<options.channels, using: &rng))
            let first = try await channel.time { try await db.channelPage(channelID: id, userID: user, limit: 30) }
            if let cursor = first.nextCursor {
                _ = try await channel.time { try await db.channelPage(channelID: id, userID: user, before: cursor, limit: 30) }
            }
        }

        var search = Samples(), repeated = Samples()
        var totals: [String] = []
        for query in queries {
            var total = 0
            for run in 0..<5 {
                let user = users.randomElement(using: &rng)!
                db.invalidateSearchCache()  // cold: every run ranks from the index
                let result = try await search.time { try await db.search(query: query, userID: user, limit: 20) }
                if run == 0 { total = result.total }
                _ = try await repeated.time { try await db.search(query: query, userID: user, limit: 20, offset: 20) }
            }
            totals.append("\(query)=\(total)")
            if ProcessInfo.processInfo.environment["STOREBENCH_VERBOSE"] != nil {
                let runs = search.values.suffix(5).sorted()
                log(String(format: "  %@: median %.1f ms, max %.1f ms (5 runs)", query, runs[runs.count / 2], runs.last ?? 0))
            }
        }

        log("home page (river, 50 items):        " + home.summary)
        log("home page (grouped, 5 per channel): " + grouped.summary)
        log("channel page (30 items):            " + channel.summary)
        log("search (20 queries × 5, cold):      " + search.summary)
        log("search (next page, cached ranking): " + repeated.summary)
        log("mark-all-read (one channel):        " + markAll.summary)
        log("search totals: " + totals.joined(separator: ", "))
    }
}
