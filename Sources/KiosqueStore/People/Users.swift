public import Foundation
import GRDB

extension AppDatabase {
    /// Creates an account; a login already taken (case-insensitively) is a `.conflict`.
    public func createUser(_ user: NewUser, at date: Date = Date()) async throws(StoreError) -> UserAccount {
        let login = user.login.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !login.isEmpty else { throw .conflict(what: "login", detail: "the login is empty") }
        return try await write("creating user \(login)", changes: .shared) { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE login = ?", arguments: [login]) == true {
                throw StoreError.conflict(what: "login", detail: "\(login) is already taken")
            }
            try db.execute(sql: """
                INSERT INTO users (login, name, email, password_hash, is_admin, language, digest_frequency, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [login, user.name, user.email, user.passwordHash, user.isAdmin, user.language, user.digestFrequency,
                                 date.unixSeconds])
            return try Users.fetch(db, "id = ?", db.lastInsertedRowID)!
        }
    }

    /// The account with this id, or nil.
    public func user(id: Int64) async throws(StoreError) -> UserAccount? {
        try await read("reading user \(id)") { db in try Users.fetch(db, "id = ?", id) }
    }

    /// The account with this login (case-insensitive), or nil.
    public func user(login: String) async throws(StoreError) -> UserAccount? {
        try await read("reading user \(login)") { db in try Users.fetch(db, "login = ?", login) }
    }

    /// The account whose API token hash is this one, or nil.
    public func user(apiTokenHash: String) async throws(StoreError) -> UserAccount? {
        try await read("reading user by token") { db in try Users.fetch(db, "api_token_hash = ?", apiTokenHash) }
    }

    /// The account whose private Atom feed token is this one, or nil.
    public func user(atomToken: String) async throws(StoreError) -> UserAccount? {
        try await read("reading user by feed token") { db in try Users.fetch(db, "atom_token = ?", atomToken) }
    }

    /// All accounts, by login.
    public func users() async throws(StoreError) -> [UserAccount] {
        try await read("listing users") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY login").map(Users.account)
        }
    }

    /// Applies `update` to an account and returns it; `.notFound` if it does not exist.
    @discardableResult
    public func updateUser(id: Int64, _ update: UserUpdate) async throws(StoreError) -> UserAccount {
        try await write("updating user \(id)", changes: .agent(id)) { db in
            var sets: [String] = [], args: [(any DatabaseValueConvertible)?] = []
            func set(_ column: String, _ value: (any DatabaseValueConvertible)?) { sets.append("\(column) = ?"); args.append(value) }
            if let v = update.name { set("name", v) }
            if let v = update.email { set("email", v) }
            if let v = update.passwordHash { set("password_hash", v) }
            if let v = update.isAdmin { set("is_admin", v) }
            if let v = update.isDisabled { set("disabled", v) }
            if let v = update.language { set("language", v) }
            if let v = update.homeLayout { set("home_layout", v) }
            if let v = update.digestFrequency { set("digest_frequency", v) }
            if let v = update.digestHour { set("digest_hour", v) }
            if let v = update.apiTokenHash { set("api_token_hash", v) }
            if let v = update.atomToken { set("atom_token", v) }
            if !sets.isEmpty {
                try db.execute(sql: "UPDATE users SET \(sets.joined(separator: ", ")) WHERE id = ?",
                               arguments: StatementArguments(args + [id]))
            }
            guard let user = try Users.fetch(db, "id = ?", id) else { throw StoreError.notFound(what: "user", id: String(id)) }
            return user
        }
    }

    /// Records a visit: the previous "last seen" becomes the reference for "since my last visit".
    public func touchUser(id: Int64, at date: Date = Date()) async throws(StoreError) {
        try await write("recording a visit", changes: .agent(id)) { db in
            try db.execute(sql: "UPDATE users SET previous_seen_at = last_seen_at, last_seen_at = ? WHERE id = ?",
                           arguments: [date.unixSeconds, id])
        }
    }

    /// Deletes an account with its subscriptions, marks and sessions.
    public func deleteUser(id: Int64) async throws(StoreError) {
        try await write("deleting user \(id)", changes: .shared) { db in
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError.notFound(what: "user", id: String(id)) }
        }
    }

    /// Makes the agent a member (or editor) of a department, or changes the editor flag.
    public func setMembership(userID: Int64, departmentID: String, isEditor: Bool) async throws(StoreError) {
        try await write("setting a department membership", changes: .agent(userID)) { db in
            guard let dept = try Int64.fetchOne(db, sql: "SELECT id FROM departments WHERE key = ?", arguments: [departmentID]) else {
                throw StoreError.notFound(what: "department", id: departmentID)
            }
            try db.execute(sql: """
                INSERT INTO department_members (user_id, department_id, is_editor) VALUES (?, ?, ?)
                ON CONFLICT(user_id, department_id) DO UPDATE SET is_editor = excluded.is_editor
                """, arguments: [userID, dept, isEditor])
        }
    }

    /// Removes the agent from a department.
    public func removeMembership(userID: Int64, departmentID: String) async throws(StoreError) {
        try await write("removing a department membership", changes: .agent(userID)) { db in
            try db.execute(sql: """
                DELETE FROM department_members WHERE user_id = ? AND department_id = (SELECT id FROM departments WHERE key = ?)
                """, arguments: [userID, departmentID])
        }
    }

    /// The agent's departments.
    public func memberships(userID: Int64) async throws(StoreError) -> [DepartmentMembership] {
        try await read("listing memberships") { db in
            try Row.fetchAll(db, sql: """
                SELECT d.key, d.title, m.is_editor FROM department_members m JOIN departments d ON d.id = m.department_id
                WHERE m.user_id = ? AND d.retired_at IS NULL ORDER BY d.title
                """, arguments: [userID]).map { DepartmentMembership(departmentID: $0["key"], title: $0["title"], isEditor: $0["is_editor"]) }
        }
    }

    /// Adds the agent to every department whose channels.yml `groups` meet the directory groups given.
    public func applyDepartmentGroups(userID: Int64, groups: [String]) async throws(StoreError) {
        try await write("mapping directory groups to departments", changes: .agent(userID)) { db in
            for row in try Row.fetchAll(db, sql: "SELECT id, groups FROM departments WHERE retired_at IS NULL") {
                guard GroupMatch(groups).meets(JSONList.decode(row["groups"])) else { continue }  // by DN or CN
                try db.execute(sql: "INSERT OR IGNORE INTO department_members (user_id, department_id) VALUES (?, ?)",
                               arguments: [userID, row["id"] as Int64])
            }
        }
    }
}

/// Row mapping for `users`.
enum Users {
    static func fetch(_ db: Database, _ condition: String, _ value: some DatabaseValueConvertible) throws -> UserAccount? {
        try Row.fetchOne(db, sql: "SELECT * FROM users WHERE \(condition)", arguments: [value]).map(account)
    }

    static func account(_ row: Row) -> UserAccount {
        let lastSeen: Int64? = row["last_seen_at"], previous: Int64? = row["previous_seen_at"]
        return UserAccount(
            id: row["id"], login: row["login"], name: row["name"], email: row["email"], passwordHash: row["password_hash"],
            isAdmin: row["is_admin"], isDisabled: row["disabled"], language: row["language"], homeLayout: row["home_layout"],
            digestFrequency: row["digest_frequency"], digestHour: row["digest_hour"], apiTokenHash: row["api_token_hash"],
            atomToken: row["atom_token"], createdAt: Date(unixSeconds: row["created_at"]),
            lastSeenAt: lastSeen.map(Date.init(unixSeconds:)), previousSeenAt: previous.map(Date.init(unixSeconds:)))
    }
}
