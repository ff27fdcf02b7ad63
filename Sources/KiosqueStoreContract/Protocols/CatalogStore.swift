public import Foundation
public import KiosqueModel

/// The catalogue: channels, bouquets and sources from channels.yml, and agents' subscriptions.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol CatalogStore: Sendable {
    /// Mirrors channels.yml into the store in one transaction, keeping item history of sources
    /// that remain, retiring (never deleting) removed sources, and re-mapping changed channels.
    @discardableResult
    func syncCatalog(_ catalog: Catalog, now: Date) async throws(StoreError) -> CatalogSyncReport
    /// Recomputes every channel's item mapping (after a change of the filter rules themselves).
    func remapAllChannels() async throws(StoreError)
    /// Subscribes the agent to a channel (no-op if already).
    func subscribe(userID: Int64, channelID: String, at date: Date) async throws(StoreError)
    /// Unsubscribes the agent from a channel (no-op if not subscribed).
    func unsubscribe(userID: Int64, channelID: String) async throws(StoreError)
    /// Subscribes the agent to every live channel of a bouquet; returns how many were added.
    @discardableResult
    func subscribe(userID: Int64, bouquetID: String, at date: Date) async throws(StoreError) -> Int
    /// Unsubscribes the agent from every channel of a bouquet.
    func unsubscribe(userID: Int64, bouquetID: String) async throws(StoreError)
    /// Subscribes a new agent to the default bouquets and to those whose `groups` meet `groups`
    /// (directory groups from single sign-on or the directory, by DN or CN: see GroupMatch); returns channels added.
    @discardableResult
    func subscribeDefaults(userID: Int64, groups: [String], at date: Date) async throws(StoreError) -> Int
    /// The channels.yml identifiers of the agent's live subscriptions, in catalogue order.
    func subscriptions(userID: Int64) async throws(StoreError) -> [ChannelRef]
    /// The catalogue: bouquets → channels with description, sources, trust, last update, subscribed flag.
    /// The shared part is read once per change of shared content (it costs tens of milliseconds with
    /// thousands of sources); the agent's flags come from their subscriptions.
    func catalogue(userID: Int64?) async throws(StoreError) -> CatalogueListing
}

/// The default arguments of the implementations (protocol requirements cannot have them).
extension CatalogStore {
    /// `syncCatalog` with now = Date().
    @discardableResult
    public func syncCatalog(_ catalog: Catalog) async throws(StoreError) -> CatalogSyncReport {
        try await syncCatalog(catalog, now: Date())
    }
    /// `subscribe` with at = Date().
    public func subscribe(userID: Int64, channelID: String) async throws(StoreError) {
        try await subscribe(userID: userID, channelID: channelID, at: Date())
    }
    /// `subscribe` with at = Date().
    @discardableResult
    public func subscribe(userID: Int64, bouquetID: String) async throws(StoreError) -> Int {
        try await subscribe(userID: userID, bouquetID: bouquetID, at: Date())
    }
    /// `subscribeDefaults` with groups = [].
    @discardableResult
    public func subscribeDefaults(userID: Int64, at date: Date) async throws(StoreError) -> Int {
        try await subscribeDefaults(userID: userID, groups: [], at: date)
    }
    /// `subscribeDefaults` with at = Date().
    @discardableResult
    public func subscribeDefaults(userID: Int64, groups: [String]) async throws(StoreError) -> Int {
        try await subscribeDefaults(userID: userID, groups: groups, at: Date())
    }
    /// `subscribeDefaults` with groups = [], at = Date().
    @discardableResult
    public func subscribeDefaults(userID: Int64) async throws(StoreError) -> Int {
        try await subscribeDefaults(userID: userID, groups: [], at: Date())
    }
}
