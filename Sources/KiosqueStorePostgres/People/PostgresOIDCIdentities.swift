public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// OpenID Connect identities on PostgreSQL (SQLite's People/OIDCIdentities.swift): an account is found
/// by its (provider, subject) binding only, never by e-mail or login.
extension PostgresStore {
    /// The account bound to this provider's subject, or nil.
    public func oidcAccount(provider: String, subject: String) async throws(StoreError) -> UserAccount? {
        let logger = self.logger
        return try await read("reading an OpenID identity") { connection in
            for try await row in try await connection.query("""
                SELECT \(unescaped: PostgresUsers.columns) FROM users
                WHERE id = (SELECT user_id FROM oidc_identities WHERE provider = \(provider) AND subject = \(subject))
                """, logger: logger) {
                return try PostgresUsers.account(row)
            }
            return nil
        }
    }

    /// The identities bound to an account, by provider.
    public func oidcIdentities(userID: Int64) async throws(StoreError) -> [OIDCIdentityLink] {
        let logger = self.logger
        return try await read("listing OpenID identities") { connection in
            var links: [OIDCIdentityLink] = []
            for try await (provider, subject, user, email, linked, last) in try await connection.query("""
                SELECT provider, subject, user_id, email, linked_at, last_sign_in_at FROM oidc_identities
                WHERE user_id = \(userID) ORDER BY provider
                """, logger: logger).decode((String, String, Int64, String?, Int64, Int64?).self) {
                links.append(OIDCIdentityLink(provider: provider, subject: subject, userID: user, email: email,
                                              linkedAt: Date(timeIntervalSince1970: TimeInterval(linked)),
                                              lastSignInAt: last.map { Date(timeIntervalSince1970: TimeInterval($0)) }))
            }
            return links
        }
    }

    /// Binds a provider's subject to an account; `.conflict` when the subject is bound or the account
    /// already has an identity at this provider, `.notFound` without the account.
    public func linkOIDCIdentity(provider: String, subject: String, userID: Int64, email: String?, at date: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("binding an OpenID identity", changes: .agent(userID)) { connection in
            guard try await PostgresRows.all(connection.query("""
                SELECT 1 FROM oidc_identities WHERE provider = \(provider) AND (subject = \(subject) OR user_id = \(userID))
                """, logger: logger), Int32.self).isEmpty else {
                throw StoreError.conflict(what: "OpenID identity", detail: "\(provider) identity already bound")
            }
            guard try await !PostgresRows.all(connection.query("SELECT 1 FROM users WHERE id = \(userID)", logger: logger),
                                              Int32.self).isEmpty else {
                throw StoreError.notFound(what: "user", id: String(userID))
            }
            // Two instances binding at once: the primary key and the unique pair refuse the second (.conflict).
            try await connection.query("""
                INSERT INTO oidc_identities (provider, subject, user_id, email, linked_at)
                VALUES (\(provider), \(subject), \(userID), \(email), \(date.unixSeconds))
                """, logger: logger)
        }
    }

    /// Unbinds the account's identity at `provider`; true when there was one.
    @discardableResult
    public func unlinkOIDCIdentity(provider: String, userID: Int64) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await write("unbinding an OpenID identity", changes: .agent(userID)) { connection in
            try await !PostgresRows.all(connection.query(
                "DELETE FROM oidc_identities WHERE provider = \(provider) AND user_id = \(userID) RETURNING 1", logger: logger),
                Int32.self).isEmpty
        }
    }

    /// Records a sign-in through an identity, with the e-mail the provider gave this time.
    public func touchOIDCIdentity(provider: String, subject: String, email: String?, at date: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("recording an OpenID sign-in", changes: .bookkeeping) { connection in
            try await connection.query("""
                UPDATE oidc_identities SET last_sign_in_at = \(date.unixSeconds), email = \(email)
                WHERE provider = \(provider) AND subject = \(subject)
                """, logger: logger)
        }
    }
}
