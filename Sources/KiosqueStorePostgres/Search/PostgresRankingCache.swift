import Foundation
import KiosqueStoreContract
import Synchronization

/// This instance's recent search rankings, by agent and query: paging through results, or the
/// same search again, then costs a page (~10 ms at 1M items) instead of a ranking (~40 ms).
///
/// A ranking is per agent on PostgreSQL (the items hidden from the agent are left out while
/// ranking), so it is kept with the agent's change stamp and used only while that stamp has not
/// moved: any shared write of any instance (items, the catalogue, announcements — the others'
/// through `LISTEN/NOTIFY`, see `ChangeListener`) and any write of the agent's (groups,
/// departments, marks) drops it. And after five minutes, as freshness weighs in the ranking.
final class PostgresRankingCache: Sendable {
    private struct Key: Hashable {
        let query: SearchQuery
        let userID: Int64
    }

    private struct Entry {
        let stamp: ChangeStamp
        let at: Date
        let ranking: RankedSearch
    }

    private let entries = Mutex<[Key: Entry]>([:])
    /// Rankings kept at most (a full window is ~2,000 keys, ~100 KB): past it, all are dropped.
    let capacity: Int
    /// How long a ranking is used at most.
    let lifetime: TimeInterval

    init(capacity: Int = 200, lifetime: TimeInterval = 300) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// The kept ranking of `query` for the agent, if the agent's stamp is still `stamp`.
    func ranking(for query: SearchQuery, userID: Int64, stamp: ChangeStamp, now: Date) -> RankedSearch? {
        entries.withLock { entries in
            guard let entry = entries[Key(query: query, userID: userID)], entry.stamp == stamp,
                  abs(now.timeIntervalSince(entry.at)) < lifetime else { return nil }
            return entry.ranking
        }
    }

    /// Keeps a ranking computed from what the store held at `stamp` (read before ranking: a change
    /// committed while ranking moves the stamp, and the ranking is never used).
    func store(_ ranking: RankedSearch, for query: SearchQuery, userID: Int64, stamp: ChangeStamp, now: Date) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[Key(query: query, userID: userID)] = Entry(stamp: stamp, at: now, ranking: ranking)
        }
    }

    /// Drops every kept ranking.
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
