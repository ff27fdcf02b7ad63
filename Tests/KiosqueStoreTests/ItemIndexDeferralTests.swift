import Foundation
import GRDB
import KiosqueModel
@testable import KiosqueStore
import KiosqueStoreContract
import Testing

/// An ingest indexes its new items once, at the end of its write (`ItemIndexDeferral`): the
/// index must hold exactly the items' final values, and must not be written item by item.
@Suite("Item index written once per ingest")
struct ItemIndexDeferralTests {
    static func items(_ count: Int, prefix: String = "n") -> [PreparedItem] {
        (0..<count).map { i in
            Town.item("\(prefix)\(i)", "Séance \(i) du conseil municipal", summary: "Budget voté numéro \(i)",
                      content: "Les élus ont débattu de la voirie, des écoles et de la piscine \(prefix)\(i) pendant la séance.")
        }
    }

    /// FTS5's integrity check against the items themselves (rank 1: every row's tokens compared).
    static func indexMatchesItems(_ db: AppDatabase) async throws {
        try await db.write("checking the index", changes: .bookkeeping) { db in
            try db.execute(sql: "INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)")
        }
    }

    /// Rows written by a store write of the 300 items, index pages included (FTS5 writes its
    /// segments with its own statements, which SQLite counts).
    static func rowsWritten(deferring: Bool) async throws -> Int {
        let db = try await Town.store()
        return try await db.write("ingesting", changes: .shared) { db in
            let before = db.totalChangesCount
            let ingest = { (deferral: ItemIndexDeferral?) in
                _ = try AppDatabase.ingest(db, sourceID: "mairie", items: Self.items(300), fetchedAt: Town.now, deferral: deferral)
            }
            if deferring { try ItemIndexDeferral.indexingNewItemsOnce(db, ingest) } else { try ingest(nil) }
            return db.totalChangesCount - before
        }
    }

    @Test func newItemsAreIndexedAtTheEndOfTheirWriteNotOneByOne() async throws {
        // Items, channel rows and counters are the same either way: the difference is the index
        // written once for the write against one segment per item, merged as they came.
        let deferred = try await Self.rowsWritten(deferring: true), oneByOne = try await Self.rowsWritten(deferring: false)
        #expect(deferred + 300 < oneByOne, "deferred \(deferred), one by one \(oneByOne)")

        let db = try await Town.store()
        _ = try await db.ingest(batches: [(sourceID: "mairie", items: Self.items(300))], fetchedAt: Town.now)
        #expect(try await db.read("counting") { try Int.fetchOne($0, sql: "SELECT count(*) FROM items_fts_deferred") } == 0)
        try await Self.indexMatchesItems(db)
        #expect(try await db.search(query: "piscine n299", userID: nil, now: Town.now).total == 1)
        #expect(try await db.search(query: "conseil municipal", userID: nil, now: Town.now).total == 300)
    }

    /// An item added and then changed in the same write (its source twice in one ingest) is
    /// indexed once, with its final text; the items stored before are re-indexed by the triggers.
    @Test func itemsChangedWithinTheWriteAreIndexedWithTheirFinalText() async throws {
        let db = try await Town.store()
        _ = try await db.ingest(sourceID: "mairie", items: [Town.item("old", "Marché de Noël", content: "Chalets")], fetchedAt: Town.now)
        let results = try await db.ingest(batches: [
            (sourceID: "mairie", items: [Town.item("new", "Brocante du printemps", content: "Exposants"),
                                         Town.item("old", "Marché des potiers", content: "Céramiques")]),
            (sourceID: "mairie", items: [Town.item("new", "Vide-greniers de l'été", content: "Exposants")]),
        ], fetchedAt: Town.now)
        #expect(results.map(\.new) == [1, 0] && results.map(\.updated) == [1, 1])
        try await Self.indexMatchesItems(db)
        for (query, total) in [("brocante", 0), ("vide-greniers", 1), ("noël", 0), ("potiers", 1), ("exposants", 1)] {
            #expect(try await db.search(query: query, userID: nil, now: Town.now).total == total, "\(query)")
        }
        // Removing everything leaves no word behind: every indexed value was the stored one.
        _ = try await db.applyRetention(days: 1, maxItemsPerSource: nil, now: Town.now.addingTimeInterval(86_400 * 3))
        #expect(try await SearchTests.indexedWords(db) == 0)
    }

    /// A write that fails part-way leaves neither items nor the deferral behind, and the items
    /// written afterwards (by an ingest or elsewhere) are indexed as usual.
    @Test func aFailedIngestLeavesNothingBehind() async throws {
        let db = try await Town.store()
        await #expect(throws: StoreError.self) {
            _ = try await db.ingest(batches: [(sourceID: "mairie", items: Self.items(5)),
                                              (sourceID: "inconnue", items: Self.items(1, prefix: "x"))], fetchedAt: Town.now)
        }
        #expect(try await db.read("counting") { try Int.fetchOne($0, sql: "SELECT count(*) FROM items_fts_deferred") } == 0)
        #expect(try await db.search(query: "conseil", userID: nil, now: Town.now).total == 0)
        _ = try await db.ingest(sourceID: "metropole", items: Self.items(2, prefix: "m"), fetchedAt: Town.now)
        #expect(try await db.search(query: "piscine m1", userID: nil, now: Town.now).total == 1)
        try await Self.indexMatchesItems(db)
    }
}
