public import Foundation
public import KiosqueModel

/// Web sessions and failed sign-ins (throttling).
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol SessionDataStore: Sendable {
    /// Creates or replaces a session value, optionally tied to a user (for "log out everywhere").
    func sessionSet(key: String, value: Data, expires: Date?, userID: Int64?, now: Date) async throws(StoreError)
    /// A live session's value; nil when missing or expired (an expired one is removed).
    func sessionGet(key: String, now: Date) async throws(StoreError) -> Data?
    /// A live session's value and the account it belongs to, in one read: every signed-in page
    /// asks for both. Nil when missing or expired (an expired one is removed).
    func sessionWithOwner(key: String, now: Date) async throws(StoreError) -> (data: Data, owner: UserAccount?)?
    /// The user a session belongs to, with its creation time (for absolute timeouts).
    func sessionOwner(key: String) async throws(StoreError) -> (userID: Int64?, createdAt: Date)?
    /// Removes one session. Its agent's change stamp moves, so that a cache of live sessions
    /// above the store (the web front's) drops it at once.
    func sessionRemove(key: String) async throws(StoreError)
    /// Removes every session of a user ("log out everywhere"); returns how many.
    @discardableResult
    func removeSessions(userID: Int64) async throws(StoreError) -> Int
    /// Deletes expired sessions; returns how many.
    @discardableResult
    func purgeExpiredSessions(now: Date) async throws(StoreError) -> Int
    /// Records a failed sign-in for an account name and/or a client address.
    func recordLoginFailure(account: String?, address: String?, at date: Date) async throws(StoreError)
    /// Failed sign-ins since `since` for the account and for the address (for rate limiting).
    func loginFailures(account: String?, address: String?, since: Date) async throws(StoreError) -> (account: Int, address: Int)
    /// Forgets an account's failures after a successful sign-in.
    func clearLoginFailures(account: String) async throws(StoreError)
}

/// The default arguments of the implementations (protocol requirements cannot have them).
extension SessionDataStore {
    /// `sessionSet` with userID = nil.
    public func sessionSet(key: String, value: Data, expires: Date?, now: Date) async throws(StoreError) {
        try await sessionSet(key: key, value: value, expires: expires, userID: nil, now: now)
    }
    /// `sessionSet` with now = Date().
    public func sessionSet(key: String, value: Data, expires: Date?, userID: Int64?) async throws(StoreError) {
        try await sessionSet(key: key, value: value, expires: expires, userID: userID, now: Date())
    }
    /// `sessionSet` with userID = nil, now = Date().
    public func sessionSet(key: String, value: Data, expires: Date?) async throws(StoreError) {
        try await sessionSet(key: key, value: value, expires: expires, userID: nil, now: Date())
    }
    /// `sessionGet` with now = Date().
    public func sessionGet(key: String) async throws(StoreError) -> Data? {
        try await sessionGet(key: key, now: Date())
    }
    /// `sessionWithOwner` with now = Date().
    public func sessionWithOwner(key: String) async throws(StoreError) -> (data: Data, owner: UserAccount?)? {
        try await sessionWithOwner(key: key, now: Date())
    }
    /// `purgeExpiredSessions` with now = Date().
    @discardableResult
    public func purgeExpiredSessions() async throws(StoreError) -> Int {
        try await purgeExpiredSessions(now: Date())
    }
    /// `recordLoginFailure` with at = Date().
    public func recordLoginFailure(account: String?, address: String?) async throws(StoreError) {
        try await recordLoginFailure(account: account, address: address, at: Date())
    }
}
