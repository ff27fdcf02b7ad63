public import Foundation
import GRDB

/// First start: while no administrator exists, a one-time set-up token (only its hash is kept)
/// lets whoever holds the address that `kiosque serve` printed create the first administrator.
extension AppDatabase {
    /// Whether an enabled administrator account exists.
    public func administratorExists() async throws(StoreError) -> Bool {
        try await read("looking for an administrator") { db in try Self.hasAdministrator(db) }
    }

    /// Replaces any earlier set-up token with this one (a new one at each start), valid until `expiresAt`.
    /// Returns false, storing nothing, when an administrator already exists.
    @discardableResult
    public func issueSetupToken(hash: String, expiresAt: Date) async throws(StoreError) -> Bool {
        try await write("issuing the set-up token", changes: .bookkeeping) { db in
            try db.execute(sql: "DELETE FROM setup_tokens")
            guard try !Self.hasAdministrator(db) else { return false }
            try db.execute(sql: "INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)",
                           arguments: [hash, expiresAt.unixSeconds])
            return true
        }
    }

    /// Whether this token hash opens the set-up page now: known, not expired, and still no administrator.
    public func setupTokenIsValid(hash: String, at date: Date = Date()) async throws(StoreError) -> Bool {
        try await read("checking the set-up token") { db in try Self.validSetupToken(db, hash: hash, at: date) }
    }

    /// Creates the first administrator and voids the token, in one transaction (two browsers
    /// submitting at once create one account). `.notFound` when the token is unknown, expired
    /// or an administrator appeared meanwhile; `.conflict` when the login is taken.
    public func createFirstAdministrator(_ user: NewUser, tokenHash: String, at date: Date = Date()) async throws(StoreError) -> UserAccount {
        let login = user.login.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !login.isEmpty else { throw .conflict(what: "login", detail: "the login is empty") }
        return try await write("creating the first administrator", changes: .shared) { db in
            guard try Self.validSetupToken(db, hash: tokenHash, at: date) else {
                throw StoreError.notFound(what: "set-up token", id: "")
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE login = ?", arguments: [login]) == true {
                throw StoreError.conflict(what: "login", detail: "\(login) is already taken")
            }
            try db.execute(sql: """
                INSERT INTO users (login, name, email, password_hash, is_admin, language, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)
                """, arguments: [login, user.name, user.email, user.passwordHash, user.language, date.unixSeconds])
            let id = db.lastInsertedRowID
            try db.execute(sql: "DELETE FROM setup_tokens")
            return try Users.fetch(db, "id = ?", id)!
        }
    }

    private static func hasAdministrator(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE is_admin = 1 AND disabled = 0 LIMIT 1") == true
    }

    private static func validSetupToken(_ db: Database, hash: String, at date: Date) throws -> Bool {
        guard try !hasAdministrator(db) else { return false }
        return try Bool.fetchOne(db, sql: "SELECT 1 FROM setup_tokens WHERE token_hash = ? AND expires_at > ?",
                                 arguments: [hash, date.unixSeconds]) == true
    }
}

/// The set-up token's table (migration `v4-setup-token`).
enum FirstRunSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE setup_tokens (
              token_hash TEXT PRIMARY KEY,
              expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """)
    }
}
