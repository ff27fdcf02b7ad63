import Foundation
import KiosqueModel
@testable import KiosqueStore
import KiosqueStoreContract
import KiosqueStoreTesting
import Testing

/// The item index's tokens computed ahead of the writer (by the refresh pipeline's preparers)
/// and replayed by the writer's tokenizer must be exactly what the tokenizer itself makes: FTS5
/// re-tokenizes on deletion and in its integrity check, and any difference corrupts the index.
@Suite("Index tokens computed ahead of the writer")
struct IndexTokenReplayTests {
    static let odd = "\u{0301}\u{0345} é\u{0301}té ｆｕｌｌｗｉｄｔｈ 東京 \u{FFFD}\u{0} l' d’ qu'« » \(String(repeating: "x", count: 500))"
    /// Past the index's cap in characters, with two-byte characters so bytes and characters differ.
    static let long = "Piscine " + String(repeating: "séance ", count: Migrations.indexedContentCharacters / 7) + "zygomatique"

    @Test func tokensComputedAheadAreReplayedAndIndexExactlyAsTheTokenizerWould() async throws {
        let db = try await Town.store()
        let items = [
            Town.item("deliberation", "Délibération n°12 : budget « participatif » été 2025", summary: "L’élu d'Angers a voté",
                      content: "Les élues et les élus du conseil municipal ont voté le budget participatif 2025.", author: "Zoé Lefèvre"),
            Town.item("odd", Self.odd, summary: Self.odd, content: Self.odd),
            Town.item("long", "Article", content: Self.long),
        ]
        let prepared = db.prepareForIngest(items)
        #expect(prepared.allSatisfy { ($0.indexTokens?.entries.count ?? 0) >= 2 })
        let before = IndexTokenReplay.shared.replayed.load(ordering: .relaxed)
        _ = try await db.ingest(batches: [(sourceID: "mairie", items: prepared)], fetchedAt: Town.now)
        // Title, summary, content and author of the first, title and content of the third. The
        // second's texts hold a NUL, which the index is not given as Swift holds it: tokenized
        // afresh (a replay is only ever of the very bytes the index reads).
        #expect(IndexTokenReplay.shared.replayed.load(ordering: .relaxed) - before >= 6)

        for (query, total) in [("budget participatif", 1), ("élu", 1), ("lefevre", 1), ("東京", 1), ("fullwidth", 1),
                               ("piscine", 1), ("zygomatique", 0), ("\"conseil municipal\"", 1)] {
            #expect(try await db.search(query: query, userID: nil, now: Town.now).total == total, "\(query)")
        }
        // FTS5 re-tokenizes every row in its integrity check; retention then removes the items with
        // tokens the tokenizer makes itself: a replay that differed would leave words behind.
        _ = try await db.applyRetention(days: 1, maxItemsPerSource: nil, now: Town.now.addingTimeInterval(86_400 * 3))
        #expect(try await SearchTests.indexedWords(db) == 0)
    }

    /// Tokens are held only while their items are written: a later text, even an identical one
    /// of another item, is tokenized afresh.
    @Test func tokensAreHeldOnlyDuringTheirWrite() async throws {
        let db = try await Town.store()
        let prepared = db.prepareForIngest([Town.item("a", "Marché de Noël sur la place", content: "Chalets et vin chaud")])
        _ = try await db.ingest(batches: [(sourceID: "mairie", items: prepared)], fetchedAt: Town.now)
        let text = "Marché de Noël sur la place"
        let found = text.utf8.withContiguousStorageIfAvailable { IndexTokenReplay.shared.tokens(for: $0) }
        #expect(found == .some(nil))
    }

    /// The identity the pipeline computes ahead (hashes, canonical link, picture) is the one the
    /// store computes itself, on both backends: the same items stored again are unchanged.
    @Test(arguments: StoreBackends.all) func identityComputedAheadIsTheStoresOwn(_ backend: StoreBackend) async throws {
        let db = try await Town.store(backend)
        let items = [
            Town.item("a", "Budget voté", summary: "Résumé", content: "Le conseil a voté <b>le budget</b>",
                      link: "https://www.Exemple.org/budget/?utm_source=x#haut", author: "Zoé"),
            PreparedItem(item: ParsedItem(id: "b", title: "Photo", link: "https://exemple.org/photo",
                                          contentHTML: "<p><img src=\"https://exemple.org/p.jpg\" alt=\"Le parvis\"></p>"),
                         contentText: "Le parvis"),
        ]
        let ahead = items.map(ItemKeys.identified)
        for (plain, identified) in zip(items, ahead) {
            let computed = ItemKeys(plain, fetchedAt: 1_000), given = ItemKeys(identified, fetchedAt: 1_000)
            #expect(identified.identity != nil)
            #expect(computed.guidHash == given.guidHash && computed.contentHash == given.contentHash)
            #expect(computed.canonicalLink == given.canonicalLink && computed.linkHash == given.linkHash)
            #expect(computed.picture == given.picture && computed.sortAt == given.sortAt)
        }
        #expect(try await db.ingest(batches: [(sourceID: "mairie", items: ahead)], fetchedAt: Town.now).first?.new == 2)
        let again = try await db.ingest(sourceID: "mairie", items: items, fetchedAt: Town.now)
        #expect(again.unchanged == 2 && again.new == 0 && again.updated == 0)
    }

    /// Packing then replaying gives the tokenizer's own sequence of tokens and offsets.
    @Test func packedTokensReplayAsTheTokenizerEmitsThem() {
        var state = FrenchTokenizer.State()
        let texts = [Self.odd, "Aujourd’hui, l'adjointe présente 3 délibérations : covid19, « Cœur de ville », ÉTÉ.",
                     String(repeating: "anticonstitutionnellement", count: 5), "", "   ", "e\u{0301}le\u{0300}ve"]
        for text in texts {
            var direct: [([UInt8], Int, Int)] = []
            var copy = text
            copy.withUTF8 { buffer in
                _ = state.tokenize(buffer, isPrefix: false) { token, start, end in
                    direct.append((Array(token), start, end))
                    return 0
                }
            }
            var replayed: [([UInt8], Int, Int)] = []
            _ = IndexTokenPacking.replay(IndexTokenPacking.pack(text, with: &state)) { token, start, end in
                replayed.append((Array(token), start, end))
                return 0
            }
            #expect(direct.count == replayed.count, "\(text)")
            #expect(zip(direct, replayed).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 }, "\(text)")
        }
    }
}
