public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Accounts provisioned from the directory on PostgreSQL (SQLite's People/DirectoryAccounts.swift).
extension PostgresStore: PeopleStore {
    /// The directory link of an account, nil for local and proxy accounts.
    public func directoryLink(userID: Int64) async throws(StoreError) -> DirectoryLink? {
        let logger = self.logger
        return try await read("reading a directory link") { connection in
            for try await row in try await connection.query("""
                SELECT dn, groups::text, synced_at, disabled_by_sync FROM directory_accounts WHERE user_id = \(userID)
                """, logger: logger).decode((String, String, Int64, Bool).self) {
                return Self.link(row)
            }
            return nil
        }
    }

    /// Every directory-provisioned account with its link, by login.
    public func directoryAccounts() async throws(StoreError) -> [(account: UserAccount, link: DirectoryLink)] {
        let logger = self.logger
        let rows = try await read("listing directory accounts") { connection -> [DirectoryRow] in
            var rows: [DirectoryRow] = []
            for try await row in try await connection.query("""
                SELECT \(unescaped: PostgresUsers.columns), d.dn, d.groups::text, d.synced_at, d.disabled_by_sync
                FROM users u JOIN directory_accounts d ON d.user_id = u.id ORDER BY u.login
                """, logger: logger) {
                let account = try PostgresUsers.account(row)
                let columns = try row.decode((Int64, String, String, String?, String?, Bool, Bool, String, String, String, Int32,
                                              String?, String?, Int64, Int64?, Int64?, String, String, Int64, Bool).self)
                rows.append(DirectoryRow(account: account, link: Self.link((columns.16, columns.17, columns.18, columns.19))))
            }
            return rows
        }
        return rows.map { ($0.account, $0.link) }
    }

    /// Records that the directory confirmed the account now; an account disabled by a sync is enabled again.
    public func confirmDirectoryAccount(userID: Int64, dn: String, groups: [String], at date: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("confirming a directory account", changes: .agent(userID)) { connection in
            try await connection.query("""
                UPDATE users SET disabled = false WHERE id = \(userID)
                  AND EXISTS (SELECT 1 FROM directory_accounts WHERE user_id = \(userID) AND disabled_by_sync)
                """, logger: logger)
            try await connection.query("""
                INSERT INTO directory_accounts (user_id, dn, groups, synced_at, disabled_by_sync)
                VALUES (\(userID), \(dn), \(JSONList.encode(groups))::jsonb, \(date.unixSeconds), false)
                ON CONFLICT (user_id) DO UPDATE SET dn = excluded.dn, groups = excluded.groups, synced_at = excluded.synced_at,
                  disabled_by_sync = false
                """, logger: logger)
        }
    }

    /// Disables an account the directory no longer holds (its sessions end with it).
    public func disableGoneDirectoryAccount(userID: Int64) async throws(StoreError) {
        let logger = self.logger
        try await write("disabling a directory account", changes: .agent(userID)) { connection in
            let disabled = try await PostgresRows.all(connection.query(
                "UPDATE users SET disabled = true WHERE id = \(userID) AND NOT disabled RETURNING 1", logger: logger), Int32.self)
            if !disabled.isEmpty {
                try await connection.query("UPDATE directory_accounts SET disabled_by_sync = true WHERE user_id = \(userID)", logger: logger)
            }
            try await connection.query("DELETE FROM sessions WHERE user_id = \(userID)", logger: logger)
        }
    }

    /// Follows a change of directory groups: bouquets of newly matched groups subscribed, departments
    /// of matched groups joined, those only the lost groups matched left (editors stay).
    @discardableResult
    public func followDirectoryGroups(userID: Int64, previous: [String], current: [String],
                                      at date: Date) async throws(StoreError) -> (joined: [String], left: [String]) {
        let logger = self.logger
        let before = GroupMatch(previous), now = GroupMatch(current)
        let moves = try await write("following directory groups", changes: .agent(userID)) { connection -> GroupMoves in
            var gained: [Int64] = []
            for try await (id, configured) in try await connection.query(
                "SELECT id, groups::text FROM bouquets WHERE retired_at IS NULL", logger: logger).decode((Int64, String).self) {
                let list = JSONList.decode(configured)
                if now.meets(list) && !before.meets(list) { gained.append(id) }
            }
            _ = try await Self.addBouquets(connection, userID: userID, bouquets: gained, at: date.unixSeconds, logger: logger)
            var departments: [(Int64, String, [String])] = []
            for try await (id, key, configured) in try await connection.query(
                "SELECT id, key, groups::text FROM departments WHERE retired_at IS NULL ORDER BY id", logger: logger)
                .decode((Int64, String, String).self) {
                departments.append((id, key, JSONList.decode(configured)))
            }
            var moves = GroupMoves()
            for (id, key, configured) in departments {
                if now.meets(configured) {
                    if try await !PostgresRows.all(connection.query("""
                        INSERT INTO department_members (user_id, department_id) VALUES (\(userID), \(id)) ON CONFLICT DO NOTHING RETURNING 1
                        """, logger: logger), Int32.self).isEmpty { moves.joined.append(key) }
                } else if before.meets(configured) {
                    if try await !PostgresRows.all(connection.query("""
                        DELETE FROM department_members WHERE user_id = \(userID) AND department_id = \(id) AND NOT is_editor RETURNING 1
                        """, logger: logger), Int32.self).isEmpty { moves.left.append(key) }
                }
            }
            return moves
        }
        return (moves.joined, moves.left)
    }

    private static func link(_ row: (String, String, Int64, Bool)) -> DirectoryLink {
        DirectoryLink(dn: row.0, groups: JSONList.decode(row.1), syncedAt: Date(timeIntervalSince1970: TimeInterval(row.2)),
                      disabledBySync: row.3)
    }
}

private struct DirectoryRow: Sendable {
    var account: UserAccount
    var link: DirectoryLink
}

private struct GroupMoves: Sendable {
    var joined: [String] = []
    var left: [String] = []
}
