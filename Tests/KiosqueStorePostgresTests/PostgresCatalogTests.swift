import Foundation
import KiosqueModel
import KiosqueStore
import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// The catalogue and subscriptions on PostgreSQL give what SQLite gives for the same channels.yml.
@Suite(.postgres)
struct PostgresCatalogTests {
    static let catalog = Catalog(
        sources: [SourceDefinition(id: "mairie", url: "http://127.0.0.1:9/m.xml", title: "Ville", trusted: true),
                  SourceDefinition(id: "presse", url: "http://127.0.0.1:9/p.xml", title: "Journal"),
                  SourceDefinition(id: "sport", url: "http://127.0.0.1:9/s.xml", title: "Sports")],
        channels: [ChannelDefinition(id: "actu", title: "Actualités", description: "Tout", sources: ["mairie", "presse"]),
                   ChannelDefinition(id: "culture", title: "Culture", sources: ["presse"], include: ["musique", "théâtre*"]),
                   ChannelDefinition(id: "sport", title: "Sport", sources: ["sport"])],
        bouquets: [BouquetDefinition(id: "essentiel", title: "L'essentiel", channels: ["actu"], isDefault: true),
                   BouquetDefinition(id: "loisirs", title: "Loisirs", channels: ["culture", "sport"],
                                     groups: ["cn=animation,ou=groups,dc=ville,dc=local"])],
        departments: [DepartmentDefinition(id: "urbanisme", title: "Urbanisme")])

    static let items = [
        PreparedItem(item: ParsedItem(id: "1", title: "Concert de musique", published: Date(timeIntervalSince1970: 1_790_000_000)),
                     contentText: "Un concert."),
        PreparedItem(item: ParsedItem(id: "2", title: "Théâtres rouverts", published: Date(timeIntervalSince1970: 1_790_100_000)),
                     contentText: "Les théâtres."),
        PreparedItem(item: ParsedItem(id: "3", title: "Budget voté", published: Date(timeIntervalSince1970: 1_790_200_000)),
                     contentText: "Le budget."),
    ]

    @Test func catalogueAndSubscriptionsMatchSQLite() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let sqlite = try AppDatabase.temporary()
        let sqliteReport = try await sqlite.syncCatalog(Self.catalog, now: now)
        _ = try await sqlite.ingest(sourceID: "presse", items: Self.items, fetchedAt: now)
        _ = try await sqlite.createUser(NewUser(login: "alice"), at: now)
        try await PostgresCluster.withFreshStore { postgres in
            let report = try await postgres.syncCatalog(Self.catalog, now: now)
            #expect(report == sqliteReport)
            _ = try await postgres.ingest(sourceID: "presse", items: Self.items, fetchedAt: now)
            let server = try PostgresCluster.current()
            try server.psql("INSERT INTO users (login, created_at) VALUES ('alice', 1800000000)",
                            database: postgres.configuration.database)
            for store in [sqlite as any CatalogStore, postgres as any CatalogStore] {
                let added = try await store.subscribeDefaults(userID: 1, groups: ["CN=Animation,OU=groups,DC=ville,DC=local"], at: now)
                #expect(added == 3)
                try await store.unsubscribe(userID: 1, channelID: "sport")
                #expect(try await store.subscribe(userID: 1, bouquetID: "loisirs", at: now) == 1)
                try await store.unsubscribe(userID: 1, bouquetID: "essentiel")
                try await store.subscribe(userID: 1, channelID: "actu", at: now)
            }
            let onSQLite = try await sqlite.catalogue(userID: 1)
            let onPostgres = try await postgres.catalogue(userID: 1)
            #expect(onPostgres == onSQLite)
            let anonymous = try await postgres.catalogue(userID: nil)
            #expect(anonymous.bouquets.flatMap(\.channels).allSatisfy { !$0.subscribed })
            let subscriptions = try await postgres.subscriptions(userID: 1)
            #expect(subscriptions == (try await sqlite.subscriptions(userID: 1)))
            // The culture channel's filter kept the concert and the theatres, not the budget.
            let culture = onPostgres.bouquets.flatMap(\.channels).first { $0.channel.id == "culture" }
            #expect(culture?.itemCount == 2)
            // Removing a channel and changing a filter: the same report and mapping on both.
            var changed = Self.catalog
            changed.channels.removeLast()
            changed.channels[1].include = ["budget"]
            #expect(try await postgres.syncCatalog(changed, now: now) == (try await sqlite.syncCatalog(changed, now: now)))
            #expect(try await postgres.catalogue(userID: 1) == (try await sqlite.catalogue(userID: 1)))
            do {
                try await postgres.subscribe(userID: 1, channelID: "sport", at: now)
                Issue.record("subscribed to a retired channel")
            } catch {
                #expect((error as? StoreError) == .notFound(what: "channel", id: "sport"))
            }
        }
    }
}
