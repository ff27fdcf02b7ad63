public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// The agents' second factor on PostgreSQL (SQLite's People/TwoFactor.swift): each check-and-write
/// is one statement, so two instances cannot both accept a code or a recovery code.
extension PostgresStore {
    /// The agent's second factor, enrolled or being set up; nil when there is none.
    public func twoFactor(userID: Int64) async throws(StoreError) -> TwoFactorRecord? {
        let logger = self.logger
        return try await read("reading a second factor") { connection in
            for try await (secret, step, enrolled, left) in try await connection.query("""
                SELECT secret_sealed, last_step, enrolled_at,
                       (SELECT count(*) FROM two_factor_recovery r WHERE r.user_id = t.user_id AND r.used_at IS NULL)
                FROM two_factor t WHERE user_id = \(userID)
                """, logger: logger).decode((ByteBuffer, Int64?, Int64?, Int64).self) {
                return TwoFactorRecord(sealedSecret: Data(buffer: secret), lastStep: step,
                                       enrolledAt: enrolled.map { Date(timeIntervalSince1970: TimeInterval($0)) },
                                       recoveryCodesLeft: Int(left))
            }
            return nil
        }
    }

    /// Starts (or restarts) an enrolment; false when the agent is already enrolled.
    public func beginTwoFactor(userID: Int64, sealedSecret: Data) async throws(StoreError) -> Bool {
        try await changedOne("starting a second factor", """
            INSERT INTO two_factor (user_id, secret_sealed) VALUES (\(userID), \(ByteBuffer(data: sealedSecret)))
            ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, last_step = NULL
            WHERE two_factor.enrolled_at IS NULL
            RETURNING 1
            """)
    }

    /// Confirms an enrolment with its first code's step and new recovery codes; false when none is being set up.
    public func confirmTwoFactor(userID: Int64, step: Int64, recoveryHashes: [String], at date: Date) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await write("confirming a second factor", changes: .agent(userID)) { connection in
            guard try await !PostgresRows.all(connection.query("""
                UPDATE two_factor SET enrolled_at = \(date.unixSeconds), last_step = \(step)
                WHERE user_id = \(userID) AND enrolled_at IS NULL RETURNING 1
                """, logger: logger), Int32.self).isEmpty else { return false }
            try await connection.query("DELETE FROM two_factor_recovery WHERE user_id = \(userID)", logger: logger)
            try await connection.query("""
                INSERT INTO two_factor_recovery (user_id, code_hash) SELECT \(userID), unnest(\(recoveryHashes)) ON CONFLICT DO NOTHING
                """, logger: logger)
            return true
        }
    }

    /// Accepts a code's step once: true only when it is later than every step accepted before.
    public func acceptTwoFactorStep(userID: Int64, step: Int64) async throws(StoreError) -> Bool {
        try await changedOne("accepting a second-factor code", """
            UPDATE two_factor SET last_step = \(step)
            WHERE user_id = \(userID) AND enrolled_at IS NOT NULL AND (last_step IS NULL OR last_step < \(step)) RETURNING 1
            """)
    }

    /// Uses a recovery code (by its hash) once; false when unknown or already used.
    public func useRecoveryCode(userID: Int64, hash: String, at date: Date) async throws(StoreError) -> Bool {
        try await changedOne("using a recovery code", """
            UPDATE two_factor_recovery SET used_at = \(date.unixSeconds)
            WHERE user_id = \(userID) AND code_hash = \(hash) AND used_at IS NULL RETURNING 1
            """)
    }

    /// Removes the agent's second factor and recovery codes; true when there was one.
    @discardableResult
    public func removeTwoFactor(userID: Int64) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await write("removing a second factor", changes: .agent(userID)) { connection in
            try await connection.query("DELETE FROM two_factor_recovery WHERE user_id = \(userID)", logger: logger)
            return try await !PostgresRows.all(connection.query(
                "DELETE FROM two_factor WHERE user_id = \(userID) RETURNING 1", logger: logger), Int32.self).isEmpty
        }
    }

    /// Runs one statement ending in `RETURNING 1`; true when it changed exactly one row.
    private func changedOne(_ what: String, _ statement: PostgresQuery) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await write(what) { connection in
            try await PostgresRows.all(connection.query(statement, logger: logger), Int32.self).count == 1
        }
    }
}
