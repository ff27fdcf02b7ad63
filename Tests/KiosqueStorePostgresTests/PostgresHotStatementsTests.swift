import Foundation
import KiosqueModel
import KiosqueStoreContract
@testable import KiosqueStorePostgres
import KiosqueTestServer
import Testing

/// Ma page's statements are prepared once per pooled connection and then reused (issue 18: "prepared
/// statements for the hot paths"), and give the same page as before they were prepared.
@Suite(.postgres)
struct PostgresHotStatementsTests {
    @Test func maPageStatementsArePreparedOnTheConnectionAndReused() async throws {
        // One connection: the page's statements and the check below share its prepared statements.
        try await PostgresCluster.withStore(try await PostgresCluster.freshDatabase(poolSize: 1)) { store in
            let catalog = Catalog(
                sources: [SourceDefinition(id: "mairie", url: "http://127.0.0.1:9/mairie.xml", title: "Ville")],
                channels: [ChannelDefinition(id: "actu", title: "Actualités", sources: ["mairie"])],
                bouquets: [BouquetDefinition(id: "tout", title: "Tout", channels: ["actu"], isDefault: true)])
            let now = Date(timeIntervalSince1970: 1_796_000_000)
            try await store.syncCatalog(catalog, now: now)
            let items = (0..<12).map { n in
                PreparedItem(item: ParsedItem(id: "item-\(n)", title: "Avis \(n)", link: "http://127.0.0.1:9/articles/\(n)",
                                              published: now.addingTimeInterval(Double(n) * 60), summary: "Avis aux habitants."),
                             contentText: "Avis aux habitants.")
            }
            _ = try await store.ingest(sourceID: "mairie", items: items, fetchedAt: now.addingTimeInterval(3_600))
            let agent = try await store.createUser(NewUser(login: "agent", name: "Agent")).id
            try await store.subscribe(userID: agent, channelID: "actu")
            let first = try await store.homePage(userID: agent, limit: 5)
            #expect(first.items.map(\.title) == ["Avis 11", "Avis 10", "Avis 9", "Avis 8", "Avis 7"])
            #expect(first.channels.map(\.unread) == [12])
            _ = try await store.markRead(itemID: first.items[0].id, userID: agent)
            let second = try await store.homePage(userID: agent, limit: 5)
            #expect(second.channels.map(\.unread) == [11])
            #expect(second.items.first?.isRead == true)

            let prepared = try await store.withConnection("test") { connection in
                var names: [String] = []
                for try await name in try await connection.query("SELECT name FROM pg_prepared_statements ORDER BY name",
                                                                 logger: store.logger).decode(String.self) {
                    names.append(name)
                }
                return Set(names)
            }
            #expect(prepared.isSuperset(of: [PostgresHotStatements.HomeChannels.name, PostgresHotStatements.NewestChannelKeys.name,
                                             PostgresHotStatements.ItemSummaries.name]))
        }
    }
}
