public import Foundation
import GRDB

extension AppDatabase {
    /// The figures of a department for its writers and administrators (`.forbidden` for others,
    /// `.notFound` for an unknown department).
    public func departmentFigures(departmentID: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> DepartmentFigures {
        // One read for the announcements and their totals (was one more read per announcement).
        let announcements = try await read("counting the department's announcements") { db -> [DepartmentFigures.Row] in
            let rowID = try Self.publishingDepartment(db, departmentID, viewer: viewer)
            return try AnnouncementRows.records(db, where: "a.department_id = :dep", ["dep": rowID], viewer: viewer, now: now)
                .filter { $0.status == .published || $0.status == .expired }
                .map { .init(announcement: $0, stats: try Self.announcementStats(db, id: $0.id, viewer: viewer, now: now)) }
        }
        return try await read("counting the department's channels") { db in
            let title = try String.fetchOne(db, sql: "SELECT title FROM departments WHERE key = ?", arguments: [departmentID]) ?? departmentID
            let channels = try Row.fetchAll(db, sql: """
                SELECT c.id, c.key, c.title, (SELECT count(*) FROM subscriptions s WHERE s.channel_id = c.id) AS subscribers
                FROM channels c WHERE c.key IN (?, ?) AND c.retired_at IS NULL ORDER BY c.key DESC
                """, arguments: ["news-" + departmentID, "service-" + departmentID]).map { row -> DepartmentFigures.Channel in
                let key: String = row["key"]
                // The lasting daily totals (v13-publishing-totals), kept after the activity log is purged.
                let days = try Row.fetchAll(db, sql: """
                    SELECT day, reads, readers FROM channel_daily WHERE channel_id = ? ORDER BY day
                    """, arguments: [row["id"] as Int64]).map { (day: $0["day"] as String, reads: $0["reads"] as Int, readers: $0["readers"] as Int) }
                return DepartmentFigures.Channel(id: key, title: row["title"], subscribers: row["subscribers"], days: days)
            }
            return DepartmentFigures(departmentID: departmentID, departmentTitle: title, announcements: announcements, channels: channels)
        }
    }
}
