public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Accounts on PostgreSQL (part of SQLite's People/Users.swift; `PeopleStore` is not declared yet).
extension PostgresStore {
    /// Creates a local account; `.conflict` when the login (case-insensitive) is taken or empty.
    public func createUser(_ user: NewUser, at date: Date) async throws(StoreError) -> UserAccount {
        let login = user.login.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !login.isEmpty else { throw .conflict(what: "login", detail: "the login is empty") }
        let logger = self.logger
        return try await write("creating user \(login)") { connection in
            let taken = try await PostgresRows.all(connection.query(
                "SELECT 1 FROM users WHERE lower(login) = lower(\(login))", logger: logger), Int32.self)
            guard taken.isEmpty else { throw StoreError.conflict(what: "login", detail: "\(login) is already taken") }
            for try await row in try await connection.query("""
                INSERT INTO users (login, name, email, password_hash, is_admin, language, digest_frequency, created_at)
                VALUES (\(login), \(user.name), \(user.email), \(user.passwordHash), \(user.isAdmin), \(user.language),
                        \(user.digestFrequency), \(date.unixSeconds))
                RETURNING \(unescaped: PostgresUsers.columns)
                """, logger: logger) {
                return try PostgresUsers.account(row)
            }
            throw PostgresStoreError.unexpected(what: "creating user \(login)")
        }
    }

    /// The account with this id, or nil.
    public func user(id: Int64) async throws(StoreError) -> UserAccount? {
        try await account("reading user \(id)", "id = \(id)")
    }

    /// The account with this login (case-insensitive), or nil.
    public func user(login: String) async throws(StoreError) -> UserAccount? {
        try await account("reading user \(login)", "lower(login) = lower(\(login))")
    }

    /// The account whose API token hashes to this, or nil.
    public func user(apiTokenHash: String) async throws(StoreError) -> UserAccount? {
        try await account("reading a user by API token", "api_token_hash = \(apiTokenHash)")
    }

    /// The account with this Atom feed token, or nil.
    public func user(atomToken: String) async throws(StoreError) -> UserAccount? {
        try await account("reading a user by feed token", "atom_token = \(atomToken)")
    }

    /// Every account, by login.
    public func users() async throws(StoreError) -> [UserAccount] {
        let logger = self.logger
        return try await read("listing users") { connection in
            var accounts: [UserAccount] = []
            for try await row in try await connection.query(
                "SELECT \(unescaped: PostgresUsers.columns) FROM users ORDER BY login", logger: logger) {
                accounts.append(try PostgresUsers.account(row))
            }
            return accounts
        }
    }

    /// Records a visit: the previous visit moves to `previousSeenAt`.
    public func touchUser(id: Int64, at date: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("recording a visit", changes: .agent(id)) { connection in
            try await connection.query(
                "UPDATE users SET previous_seen_at = last_seen_at, last_seen_at = \(date.unixSeconds) WHERE id = \(id)", logger: logger)
        }
    }

    /// Deletes an account with its subscriptions, marks and sessions.
    public func deleteUser(id: Int64) async throws(StoreError) {
        let logger = self.logger
        try await write("deleting user \(id)") { connection in
            let deleted = try await PostgresRows.all(connection.query("DELETE FROM users WHERE id = \(id) RETURNING 1", logger: logger),
                                                     Int32.self)
            if deleted.isEmpty { throw StoreError.notFound(what: "user", id: String(id)) }
        }
    }

    private func account(_ what: String, _ condition: PostgresQuery) async throws(StoreError) -> UserAccount? {
        let logger = self.logger
        return try await read(what) { connection in
            let query = PostgresQuery(unsafeSQL: "SELECT \(PostgresUsers.columns) FROM users WHERE \(condition.sql)", binds: condition.binds)
            for try await row in try await connection.query(query, logger: logger) {
                return try PostgresUsers.account(row)
            }
            return nil
        }
    }
}
