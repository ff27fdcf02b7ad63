public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Account changes and department memberships on PostgreSQL (the rest of SQLite's People/Users.swift).
extension PostgresStore {
    /// Applies `update` to an account and returns it; `.notFound` if it does not exist.
    @discardableResult
    public func updateUser(id: Int64, _ update: UserUpdate) async throws(StoreError) -> UserAccount {
        let logger = self.logger
        return try await write("updating user \(id)", changes: .agent(id)) { connection in
            var builder = SQLBuilder()
            var sets: [String] = []
            func set<T: PostgresNonThrowingEncodable>(_ column: String, _ value: T?) {
                if let value { sets.append("\(column) = \(builder.bind(value))") } else { sets.append("\(column) = NULL") }
            }
            if let v = update.name { set("name", v) }
            if let v = update.email { set("email", v) }
            if let v = update.passwordHash { set("password_hash", v) }
            if let v = update.isAdmin { set("is_admin", v) }
            if let v = update.isDisabled { set("disabled", v) }
            if let v = update.language { set("language", v) }
            if let v = update.homeLayout { set("home_layout", v) }
            if let v = update.digestFrequency { set("digest_frequency", v) }
            if let v = update.digestHour { set("digest_hour", Int32(v)) }
            if let v = update.apiTokenHash { set("api_token_hash", v) }
            if let v = update.atomToken { set("atom_token", v) }
            if !sets.isEmpty {
                builder.sql = "UPDATE users SET \(sets.joined(separator: ", ")) WHERE id = \(builder.bind(id))"
                try await connection.query(builder.query, logger: logger)
            }
            guard let user = try await PostgresUsers.fetch(connection, id: id, logger: logger) else {
                throw StoreError.notFound(what: "user", id: String(id))
            }
            return user
        }
    }

    /// Makes the agent a member (or editor) of a department, or changes the editor flag.
    public func setMembership(userID: Int64, departmentID: String, isEditor: Bool) async throws(StoreError) {
        let logger = self.logger
        try await write("setting a department membership", changes: .agent(userID)) { connection in
            guard let department = try await PostgresRows.all(connection.query(
                "SELECT id FROM departments WHERE key = \(departmentID)", logger: logger), Int64.self).first else {
                throw StoreError.notFound(what: "department", id: departmentID)
            }
            try await connection.query("""
                INSERT INTO department_members (user_id, department_id, is_editor) VALUES (\(userID), \(department), \(isEditor))
                ON CONFLICT (user_id, department_id) DO UPDATE SET is_editor = excluded.is_editor
                """, logger: logger)
        }
    }

    /// Removes the agent from a department.
    public func removeMembership(userID: Int64, departmentID: String) async throws(StoreError) {
        let logger = self.logger
        try await write("removing a department membership", changes: .agent(userID)) { connection in
            try await connection.query("""
                DELETE FROM department_members WHERE user_id = \(userID)
                  AND department_id = (SELECT id FROM departments WHERE key = \(departmentID))
                """, logger: logger)
        }
    }

    /// The agent's departments, by title.
    public func memberships(userID: Int64) async throws(StoreError) -> [DepartmentMembership] {
        let logger = self.logger
        return try await read("listing memberships") { connection in
            var list: [DepartmentMembership] = []
            for try await (key, title, editor) in try await connection.query("""
                SELECT d.key, d.title, m.is_editor FROM department_members m JOIN departments d ON d.id = m.department_id
                WHERE m.user_id = \(userID) AND d.retired_at IS NULL ORDER BY d.title
                """, logger: logger).decode((String, String, Bool).self) {
                list.append(DepartmentMembership(departmentID: key, title: title, isEditor: editor))
            }
            return list
        }
    }

    /// Adds the agent to every department whose channels.yml `groups` meet the directory groups given.
    public func applyDepartmentGroups(userID: Int64, groups: [String]) async throws(StoreError) {
        let logger = self.logger
        let wanted = GroupMatch(groups)
        try await write("mapping directory groups to departments", changes: .agent(userID)) { connection in
            var matching: [Int64] = []
            for try await (id, configured) in try await connection.query(
                "SELECT id, groups::text FROM departments WHERE retired_at IS NULL", logger: logger).decode((Int64, String).self)
                where wanted.meets(JSONList.decode(configured)) {
                matching.append(id)
            }
            try await connection.query("""
                INSERT INTO department_members (user_id, department_id) SELECT \(userID), unnest(\(matching)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }
}
