import Foundation
import KiosqueModel
import KiosqueStoreContract
@testable import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// A quoted phrase on PostgreSQL also names the pairs of adjacent words its matches hold
/// (v22-postgres-search-word-pairs), so the index goes to those items only. The pairs must never
/// hide a match: for every phrase, the search finds exactly the items that `phraseto_tsquery` alone
/// matches — stop words in the phrase, hyphens, apostrophes, numbers, accents, repeated words, a
/// phrase across the title and the summary, a very long token.
@Suite(.postgres)
struct PostgresPhrasePairsTests {
    static let catalog = Catalog(
        sources: [SourceDefinition(id: "mairie", url: "http://127.0.0.1:9/mairie.xml", title: "Ville")],
        channels: [ChannelDefinition(id: "actu", title: "Actualités", sources: ["mairie"])],
        bouquets: [BouquetDefinition(id: "tout", title: "Tout", channels: ["actu"], isDefault: true)])
    static let now = Date(timeIntervalSince1970: 1_796_000_000)
    /// Tokens of ~1,400 characters (a document may hold them: their pairs are left out, the item is
    /// stored) and of ~500 (a search holds 1,000 characters at most).
    static let longToken = "https://ville.example/" + String(repeating: "chemin-", count: 200) + "fin"
    static let mediumToken = "https://ville.example/" + String(repeating: "route-", count: 80) + "fin"

    static let corpus: [(title: String, text: String)] = [
        ("Plan local d'urbanisme", "Le plan local d'urbanisme est soumis à l'enquête publique."),
        ("Un plan pour la ville", "Le plan de la ville, document local, est affiché à l'Hôtel de Ville."),
        ("Local à vélos", "Un plan du local à vélos est disponible. Plan local."),
        ("Pare-feu", "Mettez à jour le pare-feu de votre poste : le feu pare rien."),
        ("Saint-Étienne-du-Rouvray", "Jumelage avec Saint-Étienne-du-Rouvray le 14 juillet 2026."),
        ("Très très grand chantier", "Un chantier très grand, très très grand, rue Victor-Hugo."),
        ("Budget", "Conseil municipal : le budget est voté."),
        ("Lien", "Voir " + longToken + " suivant, puis la page suivante, et " + mediumToken + " enfin."),
        ("Hôtel de ville", "Horaires de l'hôtel de ville pendant l'été."),
        ("Délibérations", "Les délibérations du conseil municipal de juin."),
    ]

    static let phrases = [
        "plan local", "plan local d'urbanisme", "local d'urbanisme", "local urbanisme", "\"plan de la ville\"", "ville local",
        "pare-feu", "feu pare", "le pare-feu", "saint-étienne-du-rouvray", "étienne du rouvray", "14 juillet", "juillet 2026",
        "très très grand", "très grand", "grand très", "budget conseil", "conseil municipal", "municipal budget",
        "hôtel de ville", "hotel de ville", "de la", "le la les", mediumToken + " enfin", "suivant puis", "délibérations du conseil",
    ]

    @Test func phrasesFindExactlyWhatTheirPositionsMatch() async throws {
        try await PostgresCluster.withFreshStore { store in
            try await store.syncCatalog(Self.catalog, now: Self.now)
            let items = Self.corpus.enumerated().map { n, entry in
                PreparedItem(item: ParsedItem(id: "item-\(n)", title: entry.title, link: "http://127.0.0.1:9/articles/\(n)",
                                              published: Self.now.addingTimeInterval(Double(n - 20) * 3_600), summary: entry.text),
                             contentText: entry.text)
            }
            #expect(try await store.ingest(sourceID: "mairie", items: items, fetchedAt: Self.now).new == Self.corpus.count)
            var withPairs: [String] = []
            for phrase in Self.phrases {
                let text = phrase.hasPrefix("\"") ? String(phrase.dropFirst().dropLast()) : phrase
                let expected = try await Self.matches(store, phrase: text)
                let found = try await store.search(query: "\"\(text)\"", userID: nil, limit: 100, offset: 0, now: Self.now)
                #expect(Set(found.items.map(\.item.title)) == Set(expected.map { Optional($0) }), "\(phrase)")
                let query = try SearchQuery.parse("\"\(text)\"")
                let pairs = try await store.withConnection("test") { connection in
                    try await PostgresTextQuery.phrasePairs(query, connection: connection, logger: store.logger)
                }
                if !pairs.isEmpty { withPairs.append(phrase) }
            }
            // The pairs were used; a phrase whose words are never adjacent (stop words between them) has none, and still answers.
            #expect(withPairs.count == 18)
            #expect(withPairs.contains("plan local") && withPairs.contains("très très grand") && withPairs.contains("pare-feu"))
            #expect(!withPairs.contains("de la") && !withPairs.contains("hôtel de ville"))
            #expect(try await Self.matches(store, phrase: "plan local").count == 2)
        }
    }

    @Test func theMigrationPairsItemsStoredBeforeIt() async throws {
        try await PostgresCluster.withStore(try await PostgresCluster.freshDatabase(), migrate: false) { store in
            try await store.migrate(Array(PostgresMigrations.all.prefix { $0.name != "v22-postgres-search-word-pairs" }))
            try await store.syncCatalog(Self.catalog, now: Self.now)
            let items = Self.corpus.enumerated().map { n, entry in
                PreparedItem(item: ParsedItem(id: "item-\(n)", title: entry.title, link: "http://127.0.0.1:9/articles/\(n)",
                                              published: Self.now, summary: entry.text), contentText: entry.text)
            }
            _ = try await store.ingest(sourceID: "mairie", items: items, fetchedAt: Self.now)
            #expect(try await store.migrate() == ["v22-postgres-search-word-pairs"])
            let found = try await store.search(query: "\"plan local\" urbanisme", userID: nil, limit: 100, offset: 0, now: Self.now)
            #expect(found.items.map(\.item.title) == ["Plan local d'urbanisme"])
            // A source renamed later: its items' pairs follow the new name.
            var renamed = Self.catalog
            renamed.sources[0].title = "Gazette municipale"
            try await store.syncCatalog(renamed, now: Self.now)
            #expect(try await store.search(query: "\"gazette municipale\"", userID: nil, limit: 100, offset: 0, now: Self.now).total == items.count)
        }
    }

    /// The titles of the items whose stored vector matches the phrase, positions checked, no pairs.
    static func matches(_ store: PostgresStore, phrase: String) async throws -> [String] {
        try await store.withConnection("test") { connection in
            var titles: [String] = []
            for try await title in try await connection.query("""
                SELECT title FROM items WHERE search_vector @@ phraseto_tsquery('kiosque_french', \(phrase))
                """, logger: store.logger).decode(String.self) {
                titles.append(title)
            }
            return titles
        }
    }
}
