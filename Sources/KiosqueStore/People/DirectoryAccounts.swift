public import Foundation
import GRDB

extension AppDatabase {
    static func migrateDirectoryAccounts(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE directory_accounts (
              user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
              dn TEXT NOT NULL,
              groups TEXT NOT NULL DEFAULT '[]',
              synced_at INTEGER NOT NULL,
              disabled_by_sync INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE sign_in_log (
              id INTEGER PRIMARY KEY,
              at INTEGER NOT NULL,
              method TEXT NOT NULL,
              provider TEXT,
              login TEXT NOT NULL,
              user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
              address TEXT,
              success INTEGER NOT NULL,
              reason TEXT
            );
            CREATE INDEX sign_in_log_at ON sign_in_log(at);
            """)
    }

    /// The directory link of an account, nil for local and proxy accounts.
    public func directoryLink(userID: Int64) async throws(StoreError) -> DirectoryLink? {
        try await read("reading a directory link") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM directory_accounts WHERE user_id = ?", arguments: [userID]).map(Self.link)
        }
    }

    /// Every directory-provisioned account with its link, by login.
    public func directoryAccounts() async throws(StoreError) -> [(account: UserAccount, link: DirectoryLink)] {
        try await read("listing directory accounts") { db in
            try Row.fetchAll(db, sql: """
                SELECT u.*, d.dn, d.groups AS directory_groups, d.synced_at, d.disabled_by_sync
                FROM users u JOIN directory_accounts d ON d.user_id = u.id ORDER BY u.login
                """).map { (Users.account($0), Self.link($0)) }
        }
    }

    /// Records that the directory confirmed the account now, with its DN and groups; an account
    /// disabled by a sync is enabled again (not one an administrator disabled).
    public func confirmDirectoryAccount(userID: Int64, dn: String, groups: [String], at date: Date = Date()) async throws(StoreError) {
        try await write("confirming a directory account", changes: .agent(userID)) { db in
            if try Bool.fetchOne(db, sql: "SELECT disabled_by_sync FROM directory_accounts WHERE user_id = ?", arguments: [userID]) == true {
                try db.execute(sql: "UPDATE users SET disabled = 0 WHERE id = ?", arguments: [userID])
            }
            try db.execute(sql: """
                INSERT INTO directory_accounts (user_id, dn, groups, synced_at, disabled_by_sync) VALUES (?, ?, ?, ?, 0)
                ON CONFLICT(user_id) DO UPDATE SET dn = excluded.dn, groups = excluded.groups, synced_at = excluded.synced_at,
                  disabled_by_sync = 0
                """, arguments: [userID, dn, JSONList.encode(groups), date.unixSeconds])
        }
    }

    /// Disables an account the directory no longer holds (its sessions end with it).
    public func disableGoneDirectoryAccount(userID: Int64) async throws(StoreError) {
        try await write("disabling a directory account", changes: .agent(userID)) { db in
            try db.execute(sql: "UPDATE users SET disabled = 1 WHERE id = ? AND disabled = 0", arguments: [userID])
            if db.changesCount > 0 {
                try db.execute(sql: "UPDATE directory_accounts SET disabled_by_sync = 1 WHERE user_id = ?", arguments: [userID])
            }
            try db.execute(sql: "DELETE FROM sessions WHERE user_id = ?", arguments: [userID])
        }
    }

    /// Follows a change of directory groups: bouquets of newly matched groups are subscribed,
    /// departments of matched groups joined, and departments only the lost groups matched left
    /// (editors stay: an administrator made them so). Returns the department ids joined and left.
    @discardableResult
    public func followDirectoryGroups(userID: Int64, previous: [String], current: [String],
                                      at date: Date = Date()) async throws(StoreError) -> (joined: [String], left: [String]) {
        let before = GroupMatch(previous), now = GroupMatch(current)
        return try await write("following directory groups", changes: .agent(userID)) { db in
            let gained = try Row.fetchAll(db, sql: "SELECT id, groups FROM bouquets WHERE retired_at IS NULL").filter { row in
                let configured = JSONList.decode(row["groups"])
                return now.meets(configured) && !before.meets(configured)
            }.map { $0["id"] as Int64 }
            _ = try Subscriptions.addBouquets(db, userID: userID, bouquetRowIDs: gained, at: date.unixSeconds)
            var joined: [String] = [], left: [String] = []
            for row in try Row.fetchAll(db, sql: "SELECT id, key, groups FROM departments WHERE retired_at IS NULL") {
                let configured = JSONList.decode(row["groups"]), id: Int64 = row["id"], key: String = row["key"]
                if now.meets(configured) {
                    try db.execute(sql: "INSERT OR IGNORE INTO department_members (user_id, department_id) VALUES (?, ?)",
                                   arguments: [userID, id])
                    if db.changesCount > 0 { joined.append(key) }
                } else if before.meets(configured) {
                    try db.execute(sql: "DELETE FROM department_members WHERE user_id = ? AND department_id = ? AND is_editor = 0",
                                   arguments: [userID, id])
                    if db.changesCount > 0 { left.append(key) }
                }
            }
            return (joined, left)
        }
    }

    private static func link(_ row: Row) -> DirectoryLink {
        let groups: String? = row["directory_groups"] ?? row["groups"]
        return DirectoryLink(dn: row["dn"], groups: JSONList.decode(groups), syncedAt: Date(unixSeconds: row["synced_at"]),
                             disabledBySync: row["disabled_by_sync"])
    }
}
