import Foundation
import KiosqueStoreContract
import Logging
import PostgresNIO

/// What a search shows around its ranking: the channel facets of the ranked window, and for the
/// page shown the items, the channel each is shown in and the snippets.
///
/// Each is one read of its own, independent of the others: `PostgresStore.search` runs them at once,
/// each on its own pooled connection (at 1M items the facets over the 2,000-item window and the
/// snippets of a page cost ~5 ms each; one after the other they were a fifth of a search).
struct PostgresSearchPage: Sendable {
    let query: SearchQuery
    let userID: Int64
    let logger: Logger

    /// The live channels of the window's items, most items first.
    func channelFacets(_ ids: [Int64], connection: PostgresConnection) async throws -> [FacetCount] {
        guard !ids.isEmpty else { return [] }
        var facets: [FacetCount] = []
        for try await (key, title, count) in try await connection.execute(PostgresHotStatements.SearchChannelFacets(ids: ids), logger: logger) {
            facets.append(FacetCount(key: key, label: title, count: Int(count)))
        }
        return facets
    }

    /// The channel each item is shown in: one the agent follows if any, the first in the catalogue
    /// (the same choice as SQLite's).
    func channels(_ ids: [Int64], connection: PostgresConnection) async throws -> [Int64: ChannelRef] {
        guard !ids.isEmpty else { return [:] }
        var channels: [Int64: ChannelRef] = [:]
        for try await (itemID, key, title) in try await connection.execute(PostgresHotStatements.SearchShownChannels(ids: ids, userID: userID),
                                                                              logger: logger) {
            channels[itemID] = ChannelRef(id: key, title: title)
        }
        return channels
    }

    /// Each item's snippet: the passage of its text (the first 8,000 characters) around the query's
    /// words, or of its summary when the text has none of them; empty for a search without words.
    func snippets(_ ids: [Int64], connection: PostgresConnection) async throws -> [Int64: [SnippetSegment]] {
        guard !ids.isEmpty else { return [:] }
        var builder = SQLBuilder()
        guard let text = PostgresTextQuery.expression(query, into: &builder) else { return [:] }
        let options = builder.bind("StartSel=\(SnippetSegment.open), StopSel=\(SnippetSegment.close), "
                                   + "MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=…")
        builder.sql = """
            SELECT i.id, ts_headline('kiosque_french', left(coalesce(i.content_text, ''), 8000), q.query, \(options)),
                   ts_headline('kiosque_french', coalesce(i.summary, ''), q.query, \(options))
            FROM items i, (SELECT \(text) AS query) q WHERE i.id = ANY(\(builder.bind(ids)))
            """
        var snippets: [Int64: [SnippetSegment]] = [:]
        for try await (id, content, summary) in try await connection.query(builder.query, logger: logger)
            .decode((Int64, String, String).self) {
            let contentSegments = SnippetSegment.parse(content)
            let summarySegments = SnippetSegment.parse(summary)
            snippets[id] = contentSegments.contains(where: \.highlighted) || summarySegments.isEmpty ? contentSegments : summarySegments
        }
        return snippets
    }

    /// The page's results, in the ranking's order, from its three reads (an item hidden from the
    /// agent since the ranking is left out by `items`).
    func hits(_ page: [SearchHitKey], items: [ItemSummary], channels: [Int64: ChannelRef],
              snippets: [Int64: [SnippetSegment]]) -> [SearchHit] {
        let scores = Dictionary(page.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
        return items.map { item in
            var item = item
            item.channel = channels[item.id]
            let snippet = snippets[item.id].flatMap { $0.isEmpty ? nil : $0 }
                ?? [SnippetSegment(text: String((item.summary ?? "").prefix(200)), highlighted: false)]
            return SearchHit(item: item, snippet: snippet, score: scores[item.id] ?? 0)
        }
    }
}
