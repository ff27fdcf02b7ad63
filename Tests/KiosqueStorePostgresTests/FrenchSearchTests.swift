import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// French search on PostgreSQL against SQLite's: the same corpus in both stores, the same hits.
///
/// The corpus avoids the one place where the two stemmers legitimately differ: SQLite's stemmer
/// also drops a final `s` after `i` or `u` ("élus" → "élu"), Snowball's does not ("élus" stays
/// "elus"), so "élu"/"élus" pairs are left out. Stop words are left out of unquoted queries too:
/// SQLite searches them when nothing else is typed, PostgreSQL's French dictionary drops them.
@Suite(.postgres)
struct FrenchSearchTests {
    static let corpus: [(source: String, title: String, content: String, month: Int)] = [
        ("mairie", "Délibération du conseil municipal", "Le conseil municipal a adopté la délibération sur le budget.", 1),
        ("mairie", "Les délibérations de juin", "Trois délibérations ont été votées par les conseillers.", 6),
        ("presse", "Fête de la musique", "La fête de la musique aura lieu place de l'Hôtel de Ville.", 6),
        ("presse", "Musique classique au théâtre", "Un concert de musique classique au théâtre municipal.", 3),
        ("mairie", "Travaux de voirie", "Des travaux de voirie rue Victor Hugo perturberont la circulation.", 2),
        ("mairie", "Bibliothèques : nouveaux horaires", "Les bibliothèques municipales ouvrent le dimanche.", 9),
        ("presse", "Bibliothèque numérique", "La bibliothèque numérique propose des livres électroniques.", 10),
        ("mairie", "Élection des représentants", "Les élections professionnelles se tiennent en décembre.", 4),
        ("mairie", "Crèche et petite enfance", "Les crèches accueillent les enfants dès trois mois.", 5),
        ("presse", "Théâtre pour enfants", "Spectacle de théâtre pour les enfants à la médiathèque.", 7),
    ]

    static let catalog = Catalog(
        sources: [SourceDefinition(id: "mairie", url: "http://127.0.0.1:9/mairie.xml", title: "Ville"),
                  SourceDefinition(id: "presse", url: "http://127.0.0.1:9/presse.xml", title: "Journal")],
        channels: [ChannelDefinition(id: "actu", title: "Actualités", sources: ["mairie", "presse"]),
                   ChannelDefinition(id: "culture", title: "Culture", sources: ["presse"])],
        bouquets: [BouquetDefinition(id: "tout", title: "Tout", channels: ["actu", "culture"], isDefault: true)])

    static func items(of source: String) -> [PreparedItem] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris")!
        return corpus.enumerated().filter { $0.element.source == source }.map { index, entry in
            let date = calendar.date(from: DateComponents(year: 2026, month: entry.month, day: 15, hour: 12))!
            let item = ParsedItem(id: "item-\(index)", title: entry.title, link: "http://127.0.0.1:9/articles/\(index)",
                                  published: date, summary: entry.content, contentHTML: "<p>\(entry.content)</p>")
            return PreparedItem(item: item, contentText: entry.content)
        }
    }

    static let fetchedAt = Date(timeIntervalSince1970: 1_796_000_000)  // December 2026

    /// Queries and the titles (corpus indexes) both backends must find.
    static let table: [(query: String, expected: Set<Int>)] = [
        ("délibération", [0, 1]),
        ("deliberation", [0, 1]),
        ("DÉLIBÉRATIONS", [0, 1]),
        ("bibliothèque", [5, 6]),
        ("bibliotheques", [5, 6]),
        ("musique", [2, 3]),
        ("\"fête de la musique\"", [2]),
        ("\"fete de la musique\"", [2]),
        ("musique -classique", [2]),
        ("musique -\"musique classique\"", [2]),
        ("théâtre enfants", [9]),
        ("enfant", [8, 9]),
        ("crèches", [8]),
        ("élection", [7]),
        ("elections", [7]),
        ("travaux -voirie", []),
        ("bibli*", [5, 6]),
        ("théâ*", [3, 9]),
        ("canal:culture musique", [2, 3]),
        ("canal:culture théâtre", [3, 9]),
        ("source:mairie délibération", [0, 1]),
        ("source:presse délibération", []),
        ("depuis:2026-06-01 musique", [2]),
        ("avant:2026-06-01 musique", [3]),
        ("depuis:2026-05 avant:2026-08 enfants", [8, 9]),
        ("municipal", [0, 3, 5]),
        ("conseil budget", [0]),
        ("journal", [2, 3, 6, 9]),
    ]

    @Test func sameHitsOnBothBackendsForFrenchQueries() async throws {
        let sqlite = try AppDatabase.temporary()
        try await sqlite.syncCatalog(Self.catalog, now: Self.fetchedAt)
        for source in ["mairie", "presse"] {
            _ = try await sqlite.ingest(sourceID: source, items: Self.items(of: source), fetchedAt: Self.fetchedAt)
        }
        try await PostgresCluster.withFreshStore { postgres in
            try await postgres.syncCatalog(Self.catalog, now: Self.fetchedAt)
            for source in ["mairie", "presse"] {
                let result = try await postgres.ingest(sourceID: source, items: Self.items(of: source), fetchedAt: Self.fetchedAt)
                #expect(result.new == Self.items(of: source).count)
            }
            for (text, expected) in Self.table {
                let onSQLite = try await sqlite.search(query: text, userID: nil, limit: 50, offset: 0, now: Self.fetchedAt)
                let onPostgres = try await postgres.search(query: text, userID: nil, limit: 50, offset: 0, now: Self.fetchedAt)
                let titles = { (results: SearchResults) in Set(results.items.compactMap(\.item.title)) }
                let wanted = Set(expected.map { Self.corpus[$0].title })
                #expect(titles(onSQLite) == wanted, "SQLite, \(text)")
                #expect(titles(onPostgres) == wanted, "PostgreSQL, \(text)")
                #expect(onPostgres.total == onSQLite.total, "totals for \(text)")
                #expect(Set(onPostgres.channelFacets.map(\.key)) == Set(onSQLite.channelFacets.map(\.key)), "channel facets for \(text)")
                #expect(onPostgres.monthFacets == onSQLite.monthFacets, "month facets for \(text)")
            }
        }
    }

    @Test func titlesRankAboveContentAndSnippetsHighlightTheWords() async throws {
        try await PostgresCluster.withFreshStore { postgres in
            try await postgres.syncCatalog(Self.catalog, now: Self.fetchedAt)
            for source in ["mairie", "presse"] {
                _ = try await postgres.ingest(sourceID: source, items: Self.items(of: source), fetchedAt: Self.fetchedAt)
            }
            // "municipal": in the title of item 0, only in the content of items 3 and 5.
            let results = try await postgres.search(query: "municipal", userID: nil, limit: 1, offset: 0, now: Self.fetchedAt)
            #expect(results.items.first?.item.title == Self.corpus[0].title)
            #expect(results.items.count == 1 && results.pageable == 3)
            let snippet = try #require(results.items.first?.snippet)
            #expect(snippet.contains { $0.highlighted && $0.text.lowercased().hasPrefix("municipal") }, "\(snippet)")
            #expect(results.items.first?.item.channel?.id != nil)
        }
    }

    /// Whatever an agent types, the answer is results or a syntax message, never a database error.
    @Test func hostileQueriesNeverReachTheDatabaseAsSyntax() async throws {
        let pieces = ["'", "\"", "\\", ":", "*", ":*", "&", "|", "!", "!!", "(", ")", "<->", "<2>", "-", "--", "«", "»", "“", "”",
                      " ", "  ", "\u{0}", "\u{1}", "\t", "é", "É", "œ", "ß", "musique", "fête", "canal:", "source:", "service:x",
                      "type:document", "depuis:", "avant:2026-13-45", "depuis:2026-02-30", "2026", "🎉", "\u{E000}", "%", "_", ";",
                      "DROP TABLE items;", "' OR 1=1 --", "$1", "::tsquery", "a:*b", "l'école", "aujourd'hui", "\u{301}", "x"]
        var generator = SystemRandomNumberGenerator()
        var texts = pieces
        for _ in 0..<400 {
            let count = Int.random(in: 1...8, using: &generator)
            texts.append((0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        try await PostgresCluster.withFreshStore { postgres in
            try await postgres.syncCatalog(Self.catalog, now: Self.fetchedAt)
            _ = try await postgres.ingest(sourceID: "presse", items: Self.items(of: "presse"), fetchedAt: Self.fetchedAt)
            for text in texts {
                do {
                    _ = try await postgres.search(query: text, userID: 1, limit: 5, offset: 0, now: Self.fetchedAt)
                } catch let error as StoreError {
                    guard case .invalidSearch = error else {
                        Issue.record("\(text.debugDescription): \(error)")
                        continue
                    }
                }
                if let forgiven = SearchQuery.forgiving(text) {
                    do {
                        _ = try await postgres.search(forgiven, userID: nil, limit: 5, offset: 0, now: Self.fetchedAt)
                    } catch {
                        Issue.record("forgiving \(text.debugDescription): \(error)")
                    }
                }
            }
        }
    }
}
