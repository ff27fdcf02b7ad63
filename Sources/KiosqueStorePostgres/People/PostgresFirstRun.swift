public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// First start on PostgreSQL: the one-time set-up token (only its hash is kept). Several instances
/// share it: the first administrator's creation claims the token with one DELETE, so two browsers,
/// through two instances at once, create one account.
extension PostgresStore {
    /// Whether an enabled administrator account exists.
    public func administratorExists() async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await read("looking for an administrator") { connection in
            try await Self.hasAdministrator(connection, logger: logger)
        }
    }

    /// Replaces any earlier set-up token with this one, valid until `expiresAt`; false (nothing
    /// stored) when an administrator already exists.
    @discardableResult
    public func issueSetupToken(hash: String, expiresAt: Date) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await write("issuing the set-up token", changes: .bookkeeping) { connection in
            try await connection.query("DELETE FROM setup_tokens", logger: logger)
            guard try await !Self.hasAdministrator(connection, logger: logger) else { return false }
            try await connection.query(
                "INSERT INTO setup_tokens (token_hash, expires_at) VALUES (\(hash), \(expiresAt.unixSeconds))", logger: logger)
            return true
        }
    }

    /// Whether this token hash opens the set-up page now: known, not expired, and still no administrator.
    public func setupTokenIsValid(hash: String, at date: Date) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await read("checking the set-up token") { connection in
            guard try await !Self.hasAdministrator(connection, logger: logger) else { return false }
            return try await !PostgresRows.all(connection.query(
                "SELECT 1 FROM setup_tokens WHERE token_hash = \(hash) AND expires_at > \(date.unixSeconds)", logger: logger),
                Int32.self).isEmpty
        }
    }

    /// Creates the first administrator and voids the token in one transaction; `.notFound` when the
    /// token is unknown, expired, already used or an administrator exists; `.conflict` when the login is taken.
    public func createFirstAdministrator(_ user: NewUser, tokenHash: String, at date: Date) async throws(StoreError) -> UserAccount {
        let login = user.login.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !login.isEmpty else { throw .conflict(what: "login", detail: "the login is empty") }
        let logger = self.logger
        return try await write("creating the first administrator") { connection in
            // The claim: a concurrent creation waits on this row, then finds it gone.
            let claimed = try await PostgresRows.all(connection.query("""
                DELETE FROM setup_tokens WHERE token_hash = \(tokenHash) AND expires_at > \(date.unixSeconds) RETURNING 1
                """, logger: logger), Int32.self)
            guard !claimed.isEmpty, try await !Self.hasAdministrator(connection, logger: logger) else {
                throw StoreError.notFound(what: "set-up token", id: "")
            }
            try await connection.query("DELETE FROM setup_tokens", logger: logger)
            guard try await PostgresRows.all(connection.query(
                "SELECT 1 FROM users WHERE lower(login) = lower(\(login))", logger: logger), Int32.self).isEmpty else {
                throw StoreError.conflict(what: "login", detail: "\(login) is already taken")
            }
            for try await row in try await connection.query("""
                INSERT INTO users (login, name, email, password_hash, is_admin, language, created_at)
                VALUES (\(login), \(user.name), \(user.email), \(user.passwordHash), true, \(user.language), \(date.unixSeconds))
                RETURNING \(unescaped: PostgresUsers.columns)
                """, logger: logger) {
                return try PostgresUsers.account(row)
            }
            throw PostgresStoreError.unexpected(what: "creating the first administrator")
        }
    }

    private static func hasAdministrator(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await !PostgresRows.all(connection.query(
            "SELECT 1 FROM users WHERE is_admin AND NOT disabled LIMIT 1", logger: logger), Int32.self).isEmpty
    }
}
