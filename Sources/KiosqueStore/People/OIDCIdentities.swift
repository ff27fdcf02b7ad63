public import Foundation
import GRDB

extension AppDatabase {
    static func migrateOIDCIdentities(_ db: Database) throws {
        // One identity per (provider, sub), one identity per provider and account: an account is never
        // found by e-mail or login, only by this binding.
        try db.execute(sql: """
            CREATE TABLE oidc_identities (
              provider TEXT NOT NULL,
              subject TEXT NOT NULL,
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              email TEXT,
              linked_at INTEGER NOT NULL,
              last_sign_in_at INTEGER,
              PRIMARY KEY (provider, subject),
              UNIQUE (user_id, provider)
            );
            """)
    }

    /// The account bound to this provider's subject, or nil.
    public func oidcAccount(provider: String, subject: String) async throws(StoreError) -> UserAccount? {
        try await read("reading an OpenID identity") { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT user_id FROM oidc_identities WHERE provider = ? AND subject = ?",
                                              arguments: [provider, subject]) else { return nil }
            return try Users.fetch(db, "id = ?", id)
        }
    }

    /// The identities bound to an account, by provider.
    public func oidcIdentities(userID: Int64) async throws(StoreError) -> [OIDCIdentityLink] {
        try await read("listing OpenID identities") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM oidc_identities WHERE user_id = ? ORDER BY provider", arguments: [userID]).map { row in
                OIDCIdentityLink(provider: row["provider"], subject: row["subject"], userID: row["user_id"], email: row["email"],
                                 linkedAt: Date(unixSeconds: row["linked_at"]),
                                 lastSignInAt: (row["last_sign_in_at"] as Int64?).map(Date.init(unixSeconds:)))
            }
        }
    }

    /// Binds a provider's subject to an account. `.conflict` when the subject is already bound (to any
    /// account) or the account already has an identity at this provider.
    public func linkOIDCIdentity(provider: String, subject: String, userID: Int64, email: String?,
                                 at date: Date = Date()) async throws(StoreError) {
        try await write("binding an OpenID identity", changes: .agent(userID)) { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM oidc_identities WHERE (provider = ? AND subject = ?) OR (provider = ? AND user_id = ?)",
                                 arguments: [provider, subject, provider, userID]) == true {
                throw StoreError.conflict(what: "OpenID identity", detail: "\(provider) identity already bound")
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [userID]) == true else {
                throw StoreError.notFound(what: "user", id: String(userID))
            }
            try db.execute(sql: """
                INSERT INTO oidc_identities (provider, subject, user_id, email, linked_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [provider, subject, userID, email, date.unixSeconds])
        }
    }

    /// Unbinds the account's identity at `provider`; true when there was one.
    @discardableResult
    public func unlinkOIDCIdentity(provider: String, userID: Int64) async throws(StoreError) -> Bool {
        try await write("unbinding an OpenID identity", changes: .agent(userID)) { db in
            try db.execute(sql: "DELETE FROM oidc_identities WHERE provider = ? AND user_id = ?", arguments: [provider, userID])
            return db.changesCount > 0
        }
    }

    /// Records a sign-in through an identity, with the e-mail the provider gave this time.
    public func touchOIDCIdentity(provider: String, subject: String, email: String?, at date: Date = Date()) async throws(StoreError) {
        try await write("recording an OpenID sign-in", changes: .bookkeeping) { db in
            try db.execute(sql: "UPDATE oidc_identities SET last_sign_in_at = ?, email = ? WHERE provider = ? AND subject = ?",
                           arguments: [date.unixSeconds, email, provider, subject])
        }
    }
}
