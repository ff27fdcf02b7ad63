public import Foundation
public import KiosqueModel

/// Full-text search of items.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol SearchStore: Sendable {
    /// Runs a search typed by an agent (see `SearchQuery` for the syntax); bad syntax throws
    /// `.invalidSearch` with a helpful message, never an SQLite error.
    func search(query text: String, userID: Int64?, limit: Int, offset: Int, now: Date) async throws(StoreError) -> SearchResults
    /// Forgets cached search rankings (after writes made outside this store, and for benchmarks).
    func invalidateSearchCache() 
    /// Runs a parsed search: ranking by bm25 blended with freshness, snippets, facets.
    func search(_ query: SearchQuery, userID: Int64?, limit: Int, offset: Int, now: Date) async throws(StoreError) -> SearchResults
}

/// The default arguments of the implementations (protocol requirements cannot have them).
extension SearchStore {
    /// `search` with limit = 20.
    public func search(query text: String, userID: Int64?, offset: Int, now: Date) async throws(StoreError) -> SearchResults {
        try await search(query: text, userID: userID, limit: 20, offset: offset, now: now)
    }
    /// `search` with offset = 0.
    public func search(query text: String, userID: Int64?, limit: Int, now: Date) async throws(StoreError) -> SearchResults {
        try await search(query: text, userID: userID, limit: limit, offset: 0, now: now)
    }
    /// `search` with now = Date().
    public func search(query text: String, userID: Int64?, limit: Int, offset: Int) async throws(StoreError) -> SearchResults {
        try await search(query: text, userID: userID, limit: limit, offset: offset, now: Date())
    }
    /// `search` with limit = 20, offset = 0.
    public func search(query text: String, userID: Int64?, now: Date) async throws(StoreError) -> SearchResults {
        try await search(query: text, userID: userID, limit: 20, offset: 0, now: now)
    }
    /// `search` with limit = 20, now = Date().
    public func search(query text: String, userID: Int64?, offset: Int) async throws(StoreError) -> SearchResults {
        try await search(query: text, userID: userID, limit: 20, offset: offset, now: Date())
    }
    /// `search` with offset = 0, now = Date().
    public func search(query text: String, userID: Int64?, limit: Int) async throws(StoreError) -> SearchResults {
        try await search(query: text, userID: userID, limit: limit, offset: 0, now: Date())
    }
    /// `search` with limit = 20, offset = 0, now = Date().
    public func search(query text: String, userID: Int64?) async throws(StoreError) -> SearchResults {
        try await search(query: text, userID: userID, limit: 20, offset: 0, now: Date())
    }
    /// `search` with limit = 20.
    public func search(_ query: SearchQuery, userID: Int64?, offset: Int, now: Date) async throws(StoreError) -> SearchResults {
        try await search(query, userID: userID, limit: 20, offset: offset, now: now)
    }
    /// `search` with offset = 0.
    public func search(_ query: SearchQuery, userID: Int64?, limit: Int, now: Date) async throws(StoreError) -> SearchResults {
        try await search(query, userID: userID, limit: limit, offset: 0, now: now)
    }
    /// `search` with now = Date().
    public func search(_ query: SearchQuery, userID: Int64?, limit: Int, offset: Int) async throws(StoreError) -> SearchResults {
        try await search(query, userID: userID, limit: limit, offset: offset, now: Date())
    }
    /// `search` with limit = 20, offset = 0.
    public func search(_ query: SearchQuery, userID: Int64?, now: Date) async throws(StoreError) -> SearchResults {
        try await search(query, userID: userID, limit: 20, offset: 0, now: now)
    }
    /// `search` with limit = 20, now = Date().
    public func search(_ query: SearchQuery, userID: Int64?, offset: Int) async throws(StoreError) -> SearchResults {
        try await search(query, userID: userID, limit: 20, offset: offset, now: Date())
    }
    /// `search` with offset = 0, now = Date().
    public func search(_ query: SearchQuery, userID: Int64?, limit: Int) async throws(StoreError) -> SearchResults {
        try await search(query, userID: userID, limit: limit, offset: 0, now: Date())
    }
    /// `search` with limit = 20, offset = 0, now = Date().
    public func search(_ query: SearchQuery, userID: Int64?) async throws(StoreError) -> SearchResults {
        try await search(query, userID: userID, limit: 20, offset: 0, now: Date())
    }
}
