public import Foundation
import GRDB

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
