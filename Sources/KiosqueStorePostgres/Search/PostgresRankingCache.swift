import Foundation
import KiosqueStoreContract
import Synchronization

/// This instance's recent search rankings of what every agent may see, by query, with the snippets
/// cut for their pages so far: paging through
/// results, or a search another agent made a moment ago, then costs a page (~5 ms at 1M items)
/// instead of a ranking (~25 ms). Each agent's targeted announcements are ranked apart and merged
/// in (`PostgresStore.search`), as on SQLite.
///
/// A ranking is kept with the store's shared change stamp and used only while that stamp has not
/// moved: any shared write of any instance (items, the catalogue, announcements — the others'
/// through `LISTEN/NOTIFY`, see `ChangeListener`) drops it. And after five minutes, as freshness
/// weighs in the ranking.
final class PostgresRankingCache: Sendable {
    private struct Entry {
        let stamp: ChangeStamp
        let at: Date
        let ranking: RankedSearch
        /// The snippets of the query's items cut so far (`ts_headline`, the costliest part of a page).
        var snippets: [Int64: [SnippetSegment]] = [:]
    }

    private let entries = Mutex<[SearchQuery: Entry]>([:])
    /// Rankings kept at most (a full window is ~2,000 keys, ~100 KB): past it, all are dropped.
    let capacity: Int
    /// How long a ranking is used at most.
    let lifetime: TimeInterval

    init(capacity: Int = 200, lifetime: TimeInterval = 300) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// The kept ranking of `query`, if the store's stamp is still `stamp`.
    func ranking(for query: SearchQuery, stamp: ChangeStamp, now: Date) -> RankedSearch? {
        entries.withLock { entries in
            guard let entry = entries[query], entry.stamp == stamp,
                  abs(now.timeIntervalSince(entry.at)) < lifetime else { return nil }
            return entry.ranking
        }
    }

    /// Keeps a ranking computed from what the store held at `stamp` (read before ranking: a change
    /// committed while ranking moves the stamp, and the ranking is never used).
    func store(_ ranking: RankedSearch, for query: SearchQuery, stamp: ChangeStamp, now: Date) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[query] = Entry(stamp: stamp, at: now, ranking: ranking)
        }
    }

    /// The snippets already cut for `query` of those of `ids` (nil: no kept ranking at `stamp`).
    func snippets(for query: SearchQuery, ids: [Int64], stamp: ChangeStamp) -> [Int64: [SnippetSegment]]? {
        entries.withLock { entries in
            guard let entry = entries[query], entry.stamp == stamp else { return nil }
            var found: [Int64: [SnippetSegment]] = [:]
            for id in ids { if let snippet = entry.snippets[id] { found[id] = snippet } }
            return found
        }
    }

    /// Snippets kept per ranking at most (five pages: agents rarely read further, and memory stays
    /// bounded — ~40 KB of snippets and ~80 KB of ranking a query, ~24 MB for a full cache).
    static let snippetsPerRanking = 100

    /// Keeps snippets cut for `query`'s kept ranking at `stamp` (dropped with it), up to `snippetsPerRanking`.
    func keep(snippets: [Int64: [SnippetSegment]], for query: SearchQuery, stamp: ChangeStamp) {
        guard !snippets.isEmpty else { return }
        entries.withLock { entries in
            guard var entry = entries[query], entry.stamp == stamp,
                  entry.snippets.count + snippets.count <= Self.snippetsPerRanking else { return }
            entries[query] = nil  // uniquely referenced while merging: no copy of the dictionary
            entry.snippets.merge(snippets) { kept, _ in kept }
            entries[query] = entry
        }
    }

    /// Drops every kept ranking.
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
