import Foundation

/// Recent rankings by query, dropped whenever items or channels change (the generation moves)
/// and after a few minutes (freshness weights age). Paging through results and popular searches
/// then cost a page of snippets instead of a full ranking.
final class SearchCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [SearchQuery: (generation: UInt64, at: Date, ranking: RankedSearch)] = [:]
    private var currentGeneration: UInt64 = 0
    private let capacity = 200
    private let lifetime: TimeInterval = 300

    /// The current data generation; read it before ranking, store with it after.
    var generation: UInt64 { lock.withLock { currentGeneration } }

    /// Invalidates every cached ranking (called by writes to items, channels or mappings).
    func invalidate() { lock.withLock { currentGeneration &+= 1; entries.removeAll() } }

    /// A still-valid ranking for `query`, if any.
    func ranking(for query: SearchQuery, now: Date) -> RankedSearch? {
        lock.withLock {
            guard let entry = entries[query], entry.generation == currentGeneration,
                  abs(now.timeIntervalSince(entry.at)) < lifetime else { return nil }
            return entry.ranking
        }
    }

    /// Remembers a ranking computed from data of `generation` (ignored if data changed meanwhile).
    func store(_ ranking: RankedSearch, for query: SearchQuery, generation: UInt64, now: Date) {
        lock.withLock {
            guard generation == currentGeneration else { return }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[query] = (generation, now, ranking)
        }
    }
}
