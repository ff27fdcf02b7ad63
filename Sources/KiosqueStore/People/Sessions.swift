public import Foundation
import GRDB

/// Web sessions as a key/value store with expiry, shaped for a Hummingbird `PersistDriver`,
/// plus the failed sign-in record used for rate limiting.
///
/// Keys should already be hashes of the cookie value: whoever reads the database must not be
/// able to replay a session.
extension AppDatabase {
    /// Creates or replaces a session value, optionally tied to a user (for "log out everywhere").
    public func sessionSet(key: String, value: Data, expires: Date?, userID: Int64? = nil,
                           now: Date = Date()) async throws(StoreError) {
        try await write("saving a session", changes: .bookkeeping) { db in
            try db.execute(sql: """
                INSERT INTO sessions (key_hash, user_id, data, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(key_hash) DO UPDATE SET user_id = coalesce(excluded.user_id, user_id), data = excluded.data,
                  last_seen_at = excluded.last_seen_at, expires_at = excluded.expires_at
                """, arguments: [key, userID, value, now.unixSeconds, now.unixSeconds, expires?.unixSeconds])
        }
    }

    /// A live session's value; nil when missing or expired (an expired one is removed).
    public func sessionGet(key: String, now: Date = Date()) async throws(StoreError) -> Data? {
        try await sessionWithOwner(key: key, now: now)?.data
    }

    /// A live session's value and the account it belongs to, in one read: every signed-in page
    /// asks for both. Nil when missing or expired (an expired one is removed).
    public func sessionWithOwner(key: String, now: Date = Date()) async throws(StoreError) -> (data: Data, owner: UserAccount?)? {
        let found = try await read("reading a session") { db -> (data: Data, expires: Int64?, owner: UserAccount?)? in
            guard let row = try Row.fetchOne(db, sql: "SELECT data, expires_at, user_id FROM sessions WHERE key_hash = ?", arguments: [key]) else {
                return nil
            }
            let userID: Int64? = row[2]
            return (row[0], row[1], try userID.flatMap { try Users.fetch(db, "id = ?", $0) })
        }
        guard let found else { return nil }
        if let expires = found.expires, expires <= now.unixSeconds {
            try await sessionRemove(key: key)
            return nil
        }
        return (found.data, found.owner)
    }

    /// The user a session belongs to, with its creation time (for absolute timeouts).
    public func sessionOwner(key: String) async throws(StoreError) -> (userID: Int64?, createdAt: Date)? {
        try await read("reading a session owner") { db in
            try Row.fetchOne(db, sql: "SELECT user_id, created_at FROM sessions WHERE key_hash = ?", arguments: [key])
                .map { (($0["user_id"] as Int64?), Date(unixSeconds: $0["created_at"])) }
        }
    }

    /// Removes one session. Its agent's change stamp moves, so that a cache of live sessions
    /// above the store (the web front's) drops it at once.
    public func sessionRemove(key: String) async throws(StoreError) {
        let clock = changes
        try await write("removing a session", changes: .bookkeeping) { db in
            let owner = try Int64.fetchOne(db, sql: "SELECT user_id FROM sessions WHERE key_hash = ?", arguments: [key])
            try db.execute(sql: "DELETE FROM sessions WHERE key_hash = ?", arguments: [key])
            if let owner, db.changesCount > 0 { db.afterNextTransaction { _ in clock.record(.agent(owner)) } }
        }
    }

    /// Removes every session of a user ("log out everywhere"); returns how many.
    @discardableResult
    public func removeSessions(userID: Int64) async throws(StoreError) -> Int {
        try await write("removing a user's sessions", changes: .agent(userID)) { db in
            try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [userID])
            return db.changesCount
        }
    }

    /// Deletes expired sessions; returns how many.
    @discardableResult
    public func purgeExpiredSessions(now: Date = Date()) async throws(StoreError) -> Int {
        try await write("purging sessions", changes: .bookkeeping) { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at <= ?", arguments: [now.unixSeconds])
            return db.changesCount
        }
    }

    /// Records a failed sign-in for an account name and/or a client address.
    public func recordLoginFailure(account: String?, address: String?, at date: Date = Date()) async throws(StoreError) {
        try await write("recording a failed sign-in", changes: .bookkeeping) { db in
            try db.execute(sql: "INSERT INTO login_failures (account, address, at) VALUES (?, ?, ?)",
                           arguments: [account?.lowercased(), address, date.unixSeconds])
        }
    }

    /// Failed sign-ins since `since` for the account and for the address (for rate limiting).
    public func loginFailures(account: String?, address: String?, since: Date) async throws(StoreError)
        -> (account: Int, address: Int) {
        try await read("counting failed sign-ins") { db in
            let byAccount = try account.map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM login_failures WHERE account = ? AND at >= ?",
                                 arguments: [$0.lowercased(), since.unixSeconds]) ?? 0
            } ?? 0
            let byAddress = try address.map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM login_failures WHERE address = ? AND at >= ?",
                                 arguments: [$0, since.unixSeconds]) ?? 0
            } ?? 0
            return (byAccount, byAddress)
        }
    }

    /// Forgets an account's failures after a successful sign-in.
    public func clearLoginFailures(account: String) async throws(StoreError) {
        try await write("clearing failed sign-ins", changes: .bookkeeping) { db in
            try db.execute(sql: "DELETE FROM login_failures WHERE account = ?", arguments: [account.lowercased()])
        }
    }
}
