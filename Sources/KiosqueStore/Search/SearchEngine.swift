public import Foundation
import GRDB

extension AppDatabase {
    /// Runs a search typed by an agent (see `SearchQuery` for the syntax); bad syntax throws
    /// `.invalidSearch` with a helpful message, never an SQLite error.
    public func search(query text: String, userID: Int64?, limit: Int = 20, offset: Int = 0,
                       now: Date = Date()) async throws(StoreError) -> SearchResults {
        let query: SearchQuery
        do { query = try SearchQuery.parse(text) } catch { throw .invalidSearch(error) }
        return try await search(query, userID: userID, limit: limit, offset: offset, now: now)
    }

    /// Runs a parsed search: ranking by bm25 blended with freshness, snippets, facets.
    public func search(_ query: SearchQuery, userID: Int64?, limit: Int = 20, offset: Int = 0,
                       now: Date = Date()) async throws(StoreError) -> SearchResults {
        try await read("searching") { db in
            try SearchEngine(db: db, query: query, userID: userID ?? -1, now: now).run(limit: max(0, limit), offset: max(0, offset))
        }
    }
}

/// The FTS5 text of a parsed query: every user word quoted, so no syntax of theirs reaches FTS5.
extension SearchQuery {
    var ftsExpression: String? {
        guard hasText else { return nil }
        func quoted(_ term: Term) -> String {
            "\"" + term.text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (term.isPrefix ? " *" : "")
        }
        var expression = "(" + required.map(quoted).joined(separator: " AND ") + ")"
        for term in excluded { expression += " NOT " + quoted(term) }
        return expression
    }
}

/// One search execution on one read transaction.
private struct SearchEngine {
    let db: Database
    let query: SearchQuery
    let userID: Int64
    let now: Date

    private struct Hit {
        var id: Int64, sortAt: Int64, linkHash: Int64?, score: Double
    }

    func run(limit: Int, offset: Int) throws -> SearchResults {
        var empty = SearchResults(query: query, total: 0, items: [], channelFacets: [], monthFacets: [], isWindowed: false)
        // Departmental documents are not stored yet (issue 9): a search for them finds no article.
        if !query.services.isEmpty || query.types.contains(where: { !["article", "articles", "actualite"].contains($0) }) {
            return empty
        }
        var filters: [String] = []
        var args: [String: (any DatabaseValueConvertible)?] = ["window": SearchTuning.window]
        if !query.channels.isEmpty {
            filters.append("""
                EXISTS (SELECT 1 FROM channel_items ci WHERE ci.item_id = i.id AND ci.channel_id IN
                  (SELECT id FROM channels WHERE key IN (SELECT value FROM json_each(:channels))))
                """)
            args["channels"] = JSONList.encode(query.channels)
        }
        if !query.sources.isEmpty {
            filters.append("i.source_id IN (SELECT id FROM sources WHERE key IN (SELECT value FROM json_each(:sources)))")
            args["sources"] = JSONList.encode(query.sources)
        }
        if let since = query.since { filters.append("i.sort_at >= :since"); args["since"] = since.unixSeconds }
        if let before = query.before { filters.append("i.sort_at < :before"); args["before"] = before.unixSeconds }
        let filterSQL = filters.map { " AND " + $0 }.joined()

        let hits: [Hit]
        let total: Int
        if let match = query.ftsExpression {
            args["match"] = match
            hits = try Row.fetchAll(db, sql: """
                SELECT f.rowid AS id, bm25(items_fts, \(SearchTuning.weights)) AS rank, i.sort_at, i.link_hash
                FROM items_fts f JOIN items i ON i.id = f.rowid
                WHERE items_fts MATCH :match\(filterSQL)
                ORDER BY f.rowid DESC LIMIT :window
                """, arguments: StatementArguments(args)).map { row in
                Hit(id: row["id"], sortAt: row["sort_at"], linkHash: row["link_hash"],
                    score: blended(bm25: row["rank"], sortAt: row["sort_at"]))
            }
            if hits.count < SearchTuning.window {
                total = hits.count
            } else {
                let countSQL = filters.isEmpty
                    ? "SELECT count(*) FROM items_fts WHERE items_fts MATCH :match"
                    : "SELECT count(*) FROM items_fts f JOIN items i ON i.id = f.rowid WHERE items_fts MATCH :match\(filterSQL)"
                total = try Int.fetchOne(db, sql: countSQL, arguments: StatementArguments(args)) ?? hits.count
            }
        } else {
            let whereSQL = filters.isEmpty ? "" : "WHERE " + filters.joined(separator: " AND ")
            hits = try Row.fetchAll(db, sql: """
                SELECT i.id, i.sort_at, i.link_hash FROM items i \(whereSQL) ORDER BY i.sort_at DESC, i.id DESC LIMIT :window
                """, arguments: StatementArguments(args)).map { row in
                Hit(id: row["id"], sortAt: row["sort_at"], linkHash: row["link_hash"], score: Double(row["sort_at"] as Int64))
            }
            total = hits.count < SearchTuning.window ? hits.count
                : try Int.fetchOne(db, sql: "SELECT count(*) FROM items i \(whereSQL)", arguments: StatementArguments(args)) ?? 0
        }
        guard !hits.isEmpty else { return empty }

        // The same article through two sources is one result.
        var seenLinks = Set<Int64>(), ranked: [Hit] = []
        for hit in hits.sorted(by: { ($0.score, $0.id) > ($1.score, $1.id) }) {
            if let link = hit.linkHash, !seenLinks.insert(link).inserted { continue }
            ranked.append(hit)
        }
        let page = Array(ranked.dropFirst(offset).prefix(limit))
        empty.total = total - (hits.count - ranked.count)
        empty.isWindowed = hits.count >= SearchTuning.window
        empty.monthFacets = monthFacets(ranked)
        empty.channelFacets = try channelFacets(ranked)
        empty.items = try pageHits(page)
        return empty
    }

    /// bm25 (negative, lower is better) turned into a positive score and weighted by freshness.
    private func blended(bm25: Double, sortAt: Int64) -> Double {
        let ageDays = max(0, now.timeIntervalSince1970 - Double(sortAt)) / 86_400
        return -bm25 * (0.3 + 0.7 / (1 + ageDays / SearchTuning.freshnessDays))
    }

    private func monthFacets(_ hits: [Hit]) -> [FacetCount] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris") ?? .current
        var counts: [String: Int] = [:]
        for hit in hits {
            let parts = calendar.dateComponents([.year, .month], from: Date(unixSeconds: hit.sortAt))
            let key = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
            counts[key, default: 0] += 1
        }
        return counts.sorted { $0.key > $1.key }.map { FacetCount(key: $0.key, label: $0.key, count: $0.value) }
    }

    private func channelFacets(_ hits: [Hit]) throws -> [FacetCount] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.key, c.title, count(*) AS n FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
            WHERE ci.item_id IN (SELECT value FROM json_each(?)) AND c.retired_at IS NULL
            GROUP BY c.id ORDER BY n DESC, c.position
            """, arguments: [Self.idList(hits.map(\.id))])
        return rows.map { FacetCount(key: $0["key"], label: $0["title"], count: $0["n"]) }
    }

    /// Items, snippets and the channel to show for the page, preferring a subscribed channel.
    private func pageHits(_ page: [Hit]) throws -> [SearchHit] {
        let ids = page.map(\.id)
        let list = Self.idList(ids)
        var channels: [Int64: ChannelRef] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT ci.item_id, c.key, c.title,
                   EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = ? AND s.channel_id = c.id) AS subscribed
            FROM channel_items ci JOIN channels c ON c.id = ci.channel_id
            WHERE ci.item_id IN (SELECT value FROM json_each(?)) AND c.retired_at IS NULL
            ORDER BY subscribed DESC, c.position DESC
            """, arguments: [userID, list]) {
            channels[row["item_id"]] = ChannelRef(id: row["key"], title: row["title"])
        }
        var snippets: [Int64: [SnippetSegment]] = [:]
        if let match = query.ftsExpression {
            let open = String(SnippetSegment.open), close = String(SnippetSegment.close)
            for row in try Row.fetchAll(db, sql: """
                SELECT rowid, snippet(items_fts, 2, :o, :c, '…', 24) AS content, snippet(items_fts, 1, :o, :c, '…', 24) AS summary
                FROM items_fts WHERE items_fts MATCH :match AND rowid IN (SELECT value FROM json_each(:ids))
                """, arguments: ["o": open, "c": close, "match": match, "ids": list]) {
                let content = SnippetSegment.parse(row["content"] ?? "")
                let summary = SnippetSegment.parse(row["summary"] ?? "")
                snippets[row["rowid"]] = content.contains(where: \.highlighted) || summary.isEmpty ? content : summary
            }
        }
        let items = try ItemRows.summaries(db, ids: ids, userID: userID, channels: channels)
        let scores = Dictionary(page.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
        return items.map { item in
            let snippet = snippets[item.id].flatMap { $0.isEmpty ? nil : $0 }
                ?? [SnippetSegment(text: String((item.summary ?? "").prefix(200)), highlighted: false)]
            return SearchHit(item: item, snippet: snippet, score: scores[item.id] ?? 0)
        }
    }

    static func idList(_ ids: [Int64]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }
}
