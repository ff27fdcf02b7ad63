import Foundation
import Testing
@testable import KiosqueStore
import KiosqueStoreTesting

/// Search totals stop at the ranked window on both backends (issue 18): past it an agent reads
/// "more than 2,000 results", and no backend visits further matches to count them.
struct SearchCountCapTests {
    @Test func theCountStopsAtTheWindow() {
        #expect(SearchTuning.countCap == SearchTuning.window)
    }

    @Test(arguments: StoreBackends.all) func aFullWindowIsMoreThanItsSizeAndFewerAreExact(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let count = SearchTuning.window + 1
        // One in three also mentions the pool's heating, so a narrower query stays below the window.
        let items = (0..<count).map { n in
            Town.item("p\(n)", "Piscine municipale, avis numéro \(n)", content: n % 3 == 0 ? "Chauffage de l'eau." : "Horaires d'été.",
                      published: Town.day(Double(n) / 100))
        }
        _ = try await db.ingest(sourceID: "mairie", items: items, fetchedAt: Town.now)

        let all = try await db.search(query: "piscine", userID: nil, limit: 20, offset: 0, now: Town.now)
        #expect(all.total == SearchTuning.countCap)
        #expect(!all.totalIsExact)
        #expect(all.isWindowed)
        #expect(all.pageable == SearchTuning.window)
        #expect(all.items.count == 20)

        let some = try await db.search(query: "piscine chauffage", userID: nil, limit: 20, offset: 0, now: Town.now)
        #expect(some.total == (count + 2) / 3)
        #expect(some.totalIsExact)
        #expect(!some.isWindowed)
    }
}
