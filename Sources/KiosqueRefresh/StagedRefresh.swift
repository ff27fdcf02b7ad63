import Foundation
import KiosqueFetch
import KiosqueModel
import KiosqueStoreContract

/// A source between its stages: fetched, maybe parsed and prepared, not yet stored nor recorded.
struct StagedRefresh: Sendable {
    let source: SourceDefinition
    /// The attempt as it will be recorded (its duration is set when it settles).
    var record: FetchAttempt
    /// The source's schedule, as configured when the attempt started.
    let policy: FetchPolicy
    /// When the work began, for the attempt's duration.
    let clockStart = Date()
    /// The source's failure streak before this attempt, for the backoff.
    var previousFailures = 0
    /// Politeness hints that only scheduling needs.
    var retryAfter: TimeInterval?
    var feedTTL: TimeInterval?
    /// Prepared items waiting for the store; nil when there is nothing to store.
    var items: [PreparedItem]?
    /// A cache file to write now.
    var cacheEntry: CacheEntry?
    /// A cache file to write once the items are stored.
    var pendingCacheEntry: CacheEntry?

    init(source: SourceDefinition, record: FetchAttempt, policy: FetchPolicy) {
        self.source = source
        self.record = record
        self.policy = policy
    }

    /// Items waiting for the store.
    var itemCount: Int { items?.count ?? 0 }

    /// The items are stored: the body may now be cached.
    mutating func stored(_ result: IngestResult) {
        record.newItems = result.new
        record.updatedItems = result.updated
        items = nil
        cacheEntry = pendingCacheEntry
        pendingCacheEntry = nil
    }

    /// The items could not be stored: nothing is cached, so the next attempt parses and stores the same body again.
    mutating func failedToStore(_ error: any Error) {
        record.errorClass = .storage
        record.errorMessage = "the items could not be stored: \(error)"
        items = nil
        pendingCacheEntry = nil
    }
}

/// A response to keep in the cache, with its body's hash.
struct CacheEntry: Sendable {
    let sourceID: String
    let response: FetchResponse
    let bodyHash: String
}
