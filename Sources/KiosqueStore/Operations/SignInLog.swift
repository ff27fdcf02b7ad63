public import Foundation
import GRDB

/// One sign-in attempt, kept for administrators per `retention.activity_days`.
public struct SignInEvent: Sendable, Hashable {
    /// How the agent signed in: `local`, `directory`, `proxy` (or `oidc`).
    public var method: String
    /// The identity provider's id, when there are several (OpenID Connect).
    public var provider: String?
    /// The login as typed or asserted.
    public var login: String
    /// The account, when one was found.
    public var userID: Int64?
    /// The client's address.
    public var address: String?
    /// Whether the attempt succeeded.
    public var success: Bool
    /// Why it failed (a short English reason, for administrators), nil on success.
    public var reason: String?
    /// When it happened.
    public var at: Date

    /// An attempt as the web layer saw it.
    public init(method: String, provider: String? = nil, login: String, userID: Int64? = nil, address: String?,
                success: Bool, reason: String? = nil, at: Date = Date()) {
        self.method = method
        self.provider = provider
        self.login = login
        self.userID = userID
        self.address = address
        self.success = success
        self.reason = reason
        self.at = at
    }
}

extension AppDatabase {
    /// Appends a sign-in attempt to the audit log.
    public func recordSignIn(_ event: SignInEvent) async throws(StoreError) {
        try await write("recording a sign-in", changes: .bookkeeping) { db in
            try db.execute(sql: """
                INSERT INTO sign_in_log (at, method, provider, login, user_id, address, success, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [event.at.unixSeconds, event.method, event.provider, String(event.login.prefix(200)), event.userID,
                                 event.address, event.success, event.reason.map { String($0.prefix(500)) }])
        }
    }

    /// The latest sign-in attempts, newest first; only failures when `failuresOnly`.
    public func signIns(limit: Int = 200, failuresOnly: Bool = false) async throws(StoreError) -> [SignInEvent] {
        try await read("reading the sign-in log") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM sign_in_log \(failuresOnly ? "WHERE success = 0" : "") ORDER BY at DESC, id DESC LIMIT ?
                """, arguments: [limit]).map { row in
                SignInEvent(method: row["method"], provider: row["provider"], login: row["login"], userID: row["user_id"],
                            address: row["address"], success: row["success"], reason: row["reason"],
                            at: Date(unixSeconds: row["at"]))
            }
        }
    }
}
