public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// The press review on PostgreSQL (SQLite's Announcements/PressReview.swift): the writers of a
/// publisher department collect items from any channel, order and comment them.
extension PostgresStore {
    /// Adds an item at the end of the department's review (once: adding it again changes nothing).
    public func addToPressReview(departmentID: String, itemID: Int64, viewer: DocumentViewer, now: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("adding to the press review", changes: .bookkeeping) { connection in
            let department = try await Self.pressReviewDepartment(connection, key: departmentID, viewer: viewer, logger: logger)
            var probe = SQLBuilder()
            let item = probe.bind(itemID), user = probe.bind(viewer.userID)
            probe.sql = "SELECT 1 FROM items i WHERE i.id = \(item) AND \(AnnouncementScope.itemVisible(item: "i.id", user: user))"
            guard try await !PostgresRows.all(connection.query(probe.query, logger: logger), Int32.self).isEmpty else {
                throw StoreError.notFound(what: "item", id: String(itemID))
            }
            try await connection.query("""
                INSERT INTO press_review_entries (department_id, item_id, position, added_by, added_at)
                SELECT \(department), \(itemID),
                  (SELECT coalesce(max(position), 0) + 1 FROM press_review_entries WHERE department_id = \(department)),
                  \(viewer.userID), \(now.unixSeconds)
                -- Checked first: a conflict would use up an entry id (SQLite's INSERT OR IGNORE does not).
                WHERE NOT EXISTS (SELECT 1 FROM press_review_entries WHERE department_id = \(department) AND item_id = \(itemID))
                ON CONFLICT (department_id, item_id) DO NOTHING
                """, logger: logger)
        }
    }

    /// The review being prepared.
    public func pressReview(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> PressReviewDraft {
        let logger = self.logger
        return try await read("reading the press review") { connection in
            let department = try await Self.pressReviewDepartment(connection, key: departmentID, viewer: viewer, logger: logger)
            var title = departmentID, intro = ""
            for try await (name, text) in try await connection.query("""
                SELECT d.title, coalesce((SELECT intro FROM press_review_intros WHERE department_id = d.id), '')
                FROM departments d WHERE d.id = \(department)
                """, logger: logger).decode((String, String).self) {
                (title, intro) = (name, text)
            }
            var entries: [PressReviewEntry] = []
            for try await c in try await connection.query("""
                SELECT e.id, e.item_id, e.comment, i.title, i.link, coalesce(i.published, i.sort_at), s.title
                FROM press_review_entries e JOIN items i ON i.id = e.item_id JOIN sources s ON s.id = i.source_id
                WHERE e.department_id = \(department) ORDER BY e.position, e.id
                """, logger: logger).decode((Int64, Int64, String, String?, String?, Int64, String).self) {
                entries.append(PressReviewEntry(id: c.0, itemID: c.1, title: c.3 ?? "—", link: c.4, source: c.6,
                                                date: Date(unixSeconds: c.5), comment: c.2))
            }
            return PressReviewDraft(departmentID: departmentID, departmentTitle: title, intro: intro, entries: entries)
        }
    }

    /// Saves the introduction, each entry's comment and the order (`order` lists entry ids first to
    /// last; entries it leaves out keep their relative order after them); removes the `removed` entries.
    public func savePressReview(departmentID: String, intro: String, comments: [Int64: String], order: [Int64],
                                removed: Set<Int64>, viewer: DocumentViewer) async throws(StoreError) {
        let logger = self.logger
        try await write("saving the press review", changes: .bookkeeping) { connection in
            let department = try await Self.pressReviewDepartment(connection, key: departmentID, viewer: viewer, logger: logger)
            try await connection.query("""
                INSERT INTO press_review_intros (department_id, intro) VALUES (\(department), \(intro))
                ON CONFLICT (department_id) DO UPDATE SET intro = excluded.intro
                """, logger: logger)
            try await connection.query("""
                DELETE FROM press_review_entries WHERE id = ANY(\(Array(removed))) AND department_id = \(department)
                """, logger: logger)
            try await connection.query("""
                UPDATE press_review_entries e SET comment = c.comment
                FROM unnest(\(Array(comments.keys)), \(Array(comments.values))) AS c(id, comment)
                WHERE e.id = c.id AND e.department_id = \(department)
                """, logger: logger)
            let current = try await PostgresRows.all(connection.query("""
                SELECT id FROM press_review_entries WHERE department_id = \(department) ORDER BY position, id
                """, logger: logger), Int64.self)
            let known = Set(current)
            var seen = Set<Int64>()
            let ordered = order.filter { known.contains($0) && seen.insert($0).inserted } + current.filter { !seen.contains($0) }
            try await connection.query("""
                UPDATE press_review_entries e SET position = o.position
                FROM unnest(\(ordered)) WITH ORDINALITY AS o(id, position)
                WHERE e.id = o.id AND e.department_id = \(department)
                """, logger: logger)
        }
    }

    /// Empties the review once published.
    public func clearPressReview(departmentID: String, viewer: DocumentViewer) async throws(StoreError) {
        let logger = self.logger
        try await write("emptying the press review", changes: .bookkeeping) { connection in
            let department = try await Self.pressReviewDepartment(connection, key: departmentID, viewer: viewer, logger: logger)
            try await connection.query("DELETE FROM press_review_entries WHERE department_id = \(department)", logger: logger)
            try await connection.query("DELETE FROM press_review_intros WHERE department_id = \(department)", logger: logger)
        }
    }

    /// The department's row id when the viewer writes for it and it is a publisher department.
    private static func pressReviewDepartment(_ connection: PostgresConnection, key: String, viewer: DocumentViewer,
                                              logger: Logger) async throws -> Int64 {
        guard let id = try await PostgresRows.all(connection.query("""
            SELECT d.id FROM departments d JOIN department_members m ON m.department_id = d.id
            WHERE d.key = \(key) AND d.retired_at IS NULL AND d.publisher AND m.user_id = \(viewer.userID)
            """, logger: logger), Int64.self).first else {
            throw StoreError.forbidden(what: "press review", id: key)
        }
        return id
    }
}
