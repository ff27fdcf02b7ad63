public import Foundation
import GRDB

/// The press review's tables (issue 17), registered as migration "v9-press-review": the writers of a
/// publisher department (Communication) collect items from any channel, order and comment them, and
/// publish the review as an announcement of category "Revue de presse".
enum PressReviewSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE press_review_entries (
              id INTEGER PRIMARY KEY,
              department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
              item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
              position INTEGER NOT NULL,
              comment TEXT NOT NULL DEFAULT '',
              added_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
              added_at INTEGER NOT NULL,
              UNIQUE (department_id, item_id)
            );
            CREATE TABLE press_review_intros (
              department_id INTEGER PRIMARY KEY REFERENCES departments(id) ON DELETE CASCADE,
              intro TEXT NOT NULL DEFAULT ''
            );
            """)
    }

    /// The department's row id when the viewer writes for it and it is a publisher department.
    static func department(_ db: Database, key: String, viewer: DocumentViewer) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: """
            SELECT d.id FROM departments d JOIN department_members m ON m.department_id = d.id
            WHERE d.key = ? AND d.retired_at IS NULL AND d.publisher = 1 AND m.user_id = ?
            """, arguments: [key, viewer.userID]) else {
            throw StoreError.forbidden(what: "press review", id: key)
        }
        return id
    }
}

extension AppDatabase {
    /// The publisher departments (Communication…) where the viewer prepares press reviews, by title.
    public func pressReviewDepartments(viewer: DocumentViewer) async throws(StoreError) -> [NewsDepartment] {
        try await read("listing the press review departments") { db in
            try Row.fetchAll(db, sql: """
                SELECT d.key, d.title, d.approval FROM departments d JOIN department_members m ON m.department_id = d.id
                WHERE m.user_id = ? AND d.retired_at IS NULL AND d.publisher = 1 ORDER BY d.title
                """, arguments: [viewer.userID]).map { NewsDepartment(id: $0["key"], title: $0["title"], needsApproval: $0["approval"]) }
        }
    }

    /// Adds an item at the end of the department's review (once: adding it again changes nothing).
    public func addToPressReview(departmentID: String, itemID: Int64, viewer: DocumentViewer,
                                 now: Date = Date()) async throws(StoreError) {
        try await write("adding to the press review", changes: .bookkeeping) { db in
            let department = try PressReviewSchema.department(db, key: departmentID, viewer: viewer)
            try ItemRows.requireItem(db, itemID, userID: viewer.userID)
            try db.execute(sql: """
                INSERT OR IGNORE INTO press_review_entries (department_id, item_id, position, added_by, added_at)
                VALUES (?1, ?2, (SELECT coalesce(max(position), 0) + 1 FROM press_review_entries WHERE department_id = ?1), ?3, ?4)
                """, arguments: [department, itemID, viewer.userID, now.unixSeconds])
        }
    }

    /// The review being prepared.
    public func pressReview(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> PressReviewDraft {
        try await read("reading the press review") { db in
            let department = try PressReviewSchema.department(db, key: departmentID, viewer: viewer)
            let title = try String.fetchOne(db, sql: "SELECT title FROM departments WHERE id = ?", arguments: [department]) ?? departmentID
            let intro = try String.fetchOne(db, sql: "SELECT intro FROM press_review_intros WHERE department_id = ?", arguments: [department]) ?? ""
            let entries = try Row.fetchAll(db, sql: """
                SELECT e.id, e.item_id, e.comment, i.title, i.link, coalesce(i.published, i.sort_at) AS at, s.title AS source
                FROM press_review_entries e JOIN items i ON i.id = e.item_id JOIN sources s ON s.id = i.source_id
                WHERE e.department_id = ? ORDER BY e.position, e.id
                """, arguments: [department]).map {
                PressReviewEntry(id: $0["id"], itemID: $0["item_id"], title: $0["title"] ?? "—", link: $0["link"], source: $0["source"],
                                 date: Date(unixSeconds: $0["at"]), comment: $0["comment"])
            }
            return PressReviewDraft(departmentID: departmentID, departmentTitle: title, intro: intro, entries: entries)
        }
    }

    /// Saves the introduction, each entry's comment and the order (`order` lists entry ids first to
    /// last; entries it leaves out keep their relative order after them); removes the `removed` entries.
    public func savePressReview(departmentID: String, intro: String, comments: [Int64: String], order: [Int64], removed: Set<Int64>,
                                viewer: DocumentViewer) async throws(StoreError) {
        try await write("saving the press review", changes: .bookkeeping) { db in
            let department = try PressReviewSchema.department(db, key: departmentID, viewer: viewer)
            try db.execute(sql: """
                INSERT INTO press_review_intros (department_id, intro) VALUES (?, ?)
                ON CONFLICT(department_id) DO UPDATE SET intro = excluded.intro
                """, arguments: [department, intro])
            for id in removed {
                try db.execute(sql: "DELETE FROM press_review_entries WHERE id = ? AND department_id = ?", arguments: [id, department])
            }
            for (id, comment) in comments {
                try db.execute(sql: "UPDATE press_review_entries SET comment = ? WHERE id = ? AND department_id = ?",
                               arguments: [comment, id, department])
            }
            let current = try Int64.fetchAll(db, sql: "SELECT id FROM press_review_entries WHERE department_id = ? ORDER BY position, id",
                                             arguments: [department])
            let known = Set(current)
            var seen = Set<Int64>()
            let ordered = order.filter { known.contains($0) && seen.insert($0).inserted } + current.filter { !seen.contains($0) }
            for (position, id) in ordered.enumerated() {
                try db.execute(sql: "UPDATE press_review_entries SET position = ? WHERE id = ?", arguments: [position + 1, id])
            }
        }
    }

    /// Empties the review once published.
    public func clearPressReview(departmentID: String, viewer: DocumentViewer) async throws(StoreError) {
        try await write("emptying the press review", changes: .bookkeeping) { db in
            let department = try PressReviewSchema.department(db, key: departmentID, viewer: viewer)
            try db.execute(sql: "DELETE FROM press_review_entries WHERE department_id = ?", arguments: [department])
            try db.execute(sql: "DELETE FROM press_review_intros WHERE department_id = ?", arguments: [department])
        }
    }
}
