public import Foundation
public import KiosqueModel
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Web sessions and failed sign-ins on PostgreSQL: shared by every instance, so an agent signed in
/// through one is signed in through all. Keys are already hashes of the cookie value.
extension PostgresStore: SessionDataStore {
    public func sessionSet(key: String, value: Data, expires: Date?, userID: Int64?, now: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("saving a session", changes: .bookkeeping) { connection in
            try await connection.query("""
                INSERT INTO sessions (key_hash, user_id, data, created_at, last_seen_at, expires_at)
                VALUES (\(key), \(userID), \(ByteBuffer(data: value)), \(now.unixSeconds), \(now.unixSeconds), \(expires?.unixSeconds))
                ON CONFLICT (key_hash) DO UPDATE SET user_id = coalesce(excluded.user_id, sessions.user_id), data = excluded.data,
                  last_seen_at = excluded.last_seen_at, expires_at = excluded.expires_at
                """, logger: logger)
        }
    }

    public func sessionGet(key: String, now: Date) async throws(StoreError) -> Data? {
        try await sessionWithOwner(key: key, now: now)?.data
    }

    public func sessionWithOwner(key: String, now: Date) async throws(StoreError) -> (data: Data, owner: UserAccount?)? {
        let logger = self.logger
        let found = try await read("reading a session") { connection -> SessionRow? in
            var row: SessionRow?
            for try await (data, expires, userID) in try await connection.query("""
                SELECT data, expires_at, user_id FROM sessions WHERE key_hash = \(key)
                """, logger: logger).decode((ByteBuffer, Int64?, Int64?).self) {
                row = SessionRow(data: Data(buffer: data), expires: expires, owner: nil)
                if let userID { row?.owner = try await PostgresUsers.fetch(connection, id: userID, logger: logger) }
            }
            return row
        }
        guard let found else { return nil }
        if let expires = found.expires, expires <= now.unixSeconds {
            try await sessionRemove(key: key)
            return nil
        }
        return (found.data, found.owner)
    }

    public func sessionOwner(key: String) async throws(StoreError) -> (userID: Int64?, createdAt: Date)? {
        let logger = self.logger
        let row = try await read("reading a session owner") { connection -> SessionOwnerRow? in
            var owner: SessionOwnerRow?
            for try await (userID, created) in try await connection.query(
                "SELECT user_id, created_at FROM sessions WHERE key_hash = \(key)", logger: logger).decode((Int64?, Int64).self) {
                owner = SessionOwnerRow(userID: userID, createdAt: Date(timeIntervalSince1970: TimeInterval(created)))
            }
            return owner
        }
        return row.map { ($0.userID, $0.createdAt) }
    }

    public func sessionRemove(key: String) async throws(StoreError) {
        let logger = self.logger
        try await write("removing a session", changes: .bookkeeping) { connection in
            try await connection.query("DELETE FROM sessions WHERE key_hash = \(key)", logger: logger)
        }
    }

    @discardableResult
    public func removeSessions(userID: Int64) async throws(StoreError) -> Int {
        let logger = self.logger
        return try await write("removing a user's sessions", changes: .agent(userID)) { connection in
            try await PostgresRows.all(connection.query(
                "DELETE FROM sessions WHERE user_id = \(userID) RETURNING 1", logger: logger), Int32.self).count
        }
    }

    @discardableResult
    public func purgeExpiredSessions(now: Date) async throws(StoreError) -> Int {
        let logger = self.logger
        return try await write("purging sessions", changes: .bookkeeping) { connection in
            try await PostgresRows.all(connection.query(
                "DELETE FROM sessions WHERE expires_at <= \(now.unixSeconds) RETURNING 1", logger: logger), Int32.self).count
        }
    }

    public func recordLoginFailure(account: String?, address: String?, at date: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("recording a failed sign-in", changes: .bookkeeping) { connection in
            try await connection.query("""
                INSERT INTO login_failures (account, address, at) VALUES (\(account?.lowercased()), \(address), \(date.unixSeconds))
                """, logger: logger)
        }
    }

    public func loginFailures(account: String?, address: String?, since: Date) async throws(StoreError) -> (account: Int, address: Int) {
        let logger = self.logger
        let counts = try await read("counting failed sign-ins") { connection in
            try await PostgresRows.all(connection.query("""
                SELECT ARRAY[
                  (SELECT count(*) FROM login_failures WHERE \(account?.lowercased())::text IS NOT NULL AND account = \(account?.lowercased())::text
                     AND at >= \(since.unixSeconds)),
                  (SELECT count(*) FROM login_failures WHERE \(address)::text IS NOT NULL AND address = \(address)::text AND at >= \(since.unixSeconds))]
                """, logger: logger), [Int64].self).first ?? [0, 0]
        }
        return (Int(counts[0]), Int(counts[1]))
    }

    public func clearLoginFailures(account: String) async throws(StoreError) {
        let logger = self.logger
        try await write("clearing failed sign-ins", changes: .bookkeeping) { connection in
            try await connection.query("DELETE FROM login_failures WHERE account = \(account.lowercased())", logger: logger)
        }
    }
}

private struct SessionRow: Sendable {
    var data: Data
    var expires: Int64?
    var owner: UserAccount?
}

private struct SessionOwnerRow: Sendable {
    var userID: Int64?
    var createdAt: Date
}

/// Account rows as the contract's `UserAccount`.
enum PostgresUsers {
    static let columns = """
        id, login, name, email, password_hash, is_admin, disabled, language, home_layout, digest_frequency, digest_hour,
        api_token_hash, atom_token, created_at, last_seen_at, previous_seen_at
        """

    static func fetch(_ connection: PostgresConnection, id: Int64, logger: Logger) async throws -> UserAccount? {
        var account: UserAccount?
        for try await row in try await connection.query("SELECT \(unescaped: columns) FROM users WHERE id = \(id)", logger: logger) {
            account = try self.account(row)
        }
        return account
    }

    static func account(_ row: PostgresRow) throws -> UserAccount {
        let c = try row.decode((Int64, String, String, String?, String?, Bool, Bool, String, String, String, Int32,
                                String?, String?, Int64, Int64?, Int64?).self)
        func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return UserAccount(id: c.0, login: c.1, name: c.2, email: c.3, passwordHash: c.4, isAdmin: c.5, isDisabled: c.6,
                           language: c.7, homeLayout: c.8, digestFrequency: c.9, digestHour: Int(c.10), apiTokenHash: c.11,
                           atomToken: c.12, createdAt: date(c.13), lastSeenAt: c.14.map(date), previousSeenAt: c.15.map(date))
    }
}
