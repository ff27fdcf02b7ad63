public import Foundation
public import KiosqueModel

/// Storing fetched items: deduplication, updates, channel filters.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol IngestStore: Sendable {
    /// Stores a source's fetched items in one transaction: new ones inserted and mapped to channels,
    /// changed ones (by content hash) updated and flagged, others left alone.
    func ingest(sourceID: String, items: [PreparedItem], fetchedAt: Date) async throws(StoreError) -> IngestResult
    /// Stores several sources' items in ONE transaction (results in the same order). The refresh
    /// pipeline should group the sources fetched within a second or so: full-text indexing costs
    /// much less per item in big transactions than in many small ones.
    func ingest(batches: [(sourceID: String, items: [PreparedItem])], fetchedAt: Date) async throws(StoreError) -> [IngestResult]
    /// Work the store can do on items before its writer takes them, on the caller's thread: the
    /// refresh pipeline calls it while parsing, on as many cores as there are, since the writer
    /// is one. SQLite tokenizes the texts its full-text index reads (`PreparedItem.indexTokens`).
    func prepareForIngest(_ items: [PreparedItem]) -> [PreparedItem]
}

extension IngestStore {
    /// Nothing to do ahead (PostgreSQL tokenizes in the database).
    public func prepareForIngest(_ items: [PreparedItem]) -> [PreparedItem] { items }
}
