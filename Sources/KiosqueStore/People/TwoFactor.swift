public import Foundation
import GRDB

extension AppDatabase {
    static func migrateTwoFactor(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE two_factor (
              user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
              secret_sealed BLOB NOT NULL,
              last_step INTEGER,
              enrolled_at INTEGER
            );
            CREATE TABLE two_factor_recovery (
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              code_hash TEXT NOT NULL,
              used_at INTEGER,
              PRIMARY KEY (user_id, code_hash)
            ) WITHOUT ROWID;
            """)
    }

    /// The agent's second factor, enrolled or being set up; nil when there is none.
    public func twoFactor(userID: Int64) async throws(StoreError) -> TwoFactorRecord? {
        try await read("reading a second factor") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM two_factor WHERE user_id = ?", arguments: [userID]) else { return nil }
            let left = try Int.fetchOne(db, sql: "SELECT count(*) FROM two_factor_recovery WHERE user_id = ? AND used_at IS NULL",
                                        arguments: [userID]) ?? 0
            return TwoFactorRecord(sealedSecret: row["secret_sealed"], lastStep: row["last_step"],
                                   enrolledAt: (row["enrolled_at"] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) },
                                   recoveryCodesLeft: left)
        }
    }

    /// Starts (or restarts) an enrolment with a new sealed secret; refused (false) when the agent
    /// is already enrolled: an enrolled secret is only removed by `removeTwoFactor`.
    public func beginTwoFactor(userID: Int64, sealedSecret: Data) async throws(StoreError) -> Bool {
        try await write("starting a second factor", changes: .agent(userID)) { db in
            try db.execute(sql: """
                INSERT INTO two_factor (user_id, secret_sealed) VALUES (?, ?)
                ON CONFLICT(user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, last_step = NULL
                WHERE two_factor.enrolled_at IS NULL
                """, arguments: [userID, sealedSecret])
            return db.changesCount == 1
        }
    }

    /// Confirms an enrolment with the step of its first code and the hashes of new recovery codes
    /// (the old ones are dropped); false when there is no enrolment being set up.
    public func confirmTwoFactor(userID: Int64, step: Int64, recoveryHashes: [String], at date: Date = Date()) async throws(StoreError) -> Bool {
        try await write("confirming a second factor", changes: .agent(userID)) { db in
            try db.execute(sql: "UPDATE two_factor SET enrolled_at = ?, last_step = ? WHERE user_id = ? AND enrolled_at IS NULL",
                           arguments: [date.unixSeconds, step, userID])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: "DELETE FROM two_factor_recovery WHERE user_id = ?", arguments: [userID])
            for hash in recoveryHashes {
                try db.execute(sql: "INSERT OR IGNORE INTO two_factor_recovery (user_id, code_hash) VALUES (?, ?)", arguments: [userID, hash])
            }
            return true
        }
    }

    /// Accepts a code's step once: true only when it is later than every step accepted before
    /// (checked and written in one statement, so two requests cannot both use a code).
    public func acceptTwoFactorStep(userID: Int64, step: Int64) async throws(StoreError) -> Bool {
        try await write("accepting a second-factor code", changes: .bookkeeping) { db in
            try db.execute(sql: """
                UPDATE two_factor SET last_step = ? WHERE user_id = ? AND enrolled_at IS NOT NULL AND (last_step IS NULL OR last_step < ?)
                """, arguments: [step, userID, step])
            return db.changesCount == 1
        }
    }

    /// Uses a recovery code (by its hash) once; false when unknown or already used.
    public func useRecoveryCode(userID: Int64, hash: String, at date: Date = Date()) async throws(StoreError) -> Bool {
        try await write("using a recovery code", changes: .bookkeeping) { db in
            try db.execute(sql: "UPDATE two_factor_recovery SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
                           arguments: [date.unixSeconds, userID, hash])
            return db.changesCount == 1
        }
    }

    /// Removes the agent's second factor and recovery codes (disabling, or an administrator's reset);
    /// true when there was one.
    @discardableResult
    public func removeTwoFactor(userID: Int64) async throws(StoreError) -> Bool {
        try await write("removing a second factor", changes: .agent(userID)) { db in
            try db.execute(sql: "DELETE FROM two_factor_recovery WHERE user_id = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM two_factor WHERE user_id = ?", arguments: [userID])
            return db.changesCount == 1
        }
    }
}
