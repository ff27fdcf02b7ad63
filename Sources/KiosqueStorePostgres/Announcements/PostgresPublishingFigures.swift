public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Publishers' figures on PostgreSQL (SQLite's DepartmentFigures.swift and PublishingTotals.swift):
/// the lasting daily totals kept by the v13 triggers, and the purge of the raw reading events.
extension PostgresStore {
    /// The figures of a department for its writers and administrators (`.forbidden` for others,
    /// `.notFound` for an unknown department).
    public func departmentFigures(departmentID: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> DepartmentFigures {
        let logger = self.logger
        return try await read("counting the department's figures") { connection in
            let rowID = try await Self.publishingDepartment(connection, departmentID, viewer: viewer, logger: logger)
            var scope = AnnouncementScope(viewer, now: now)
            let department = scope.bind(rowID)
            var announcements: [DepartmentFigures.Row] = []
            for announcement in try await PostgresAnnouncementRows.records(connection, scope, where: "a.department_id = \(department)",
                                                                           logger: logger)
            where announcement.status == .published || announcement.status == .expired {
                let (announcementRow, _) = try await PostgresAnnouncementRows.managed(connection, id: announcement.id, scope, logger: logger)
                announcements.append(.init(announcement: announcement,
                                           stats: try await PostgresAnnouncementFigures.stats(connection, rowID: announcementRow, logger: logger)))
            }
            let title = try await PostgresRows.all(connection.query("SELECT title FROM departments WHERE id = \(rowID)", logger: logger),
                                                   String.self).first ?? departmentID
            var channels: [(id: Int64, key: String, title: String, subscribers: Int)] = []
            for try await row in try await connection.query("""
                SELECT c.id, c.key, c.title, (SELECT count(*) FROM subscriptions s WHERE s.channel_id = c.id)
                FROM channels c WHERE c.key IN (\("news-" + departmentID), \("service-" + departmentID)) AND c.retired_at IS NULL
                ORDER BY c.key COLLATE "C" DESC
                """, logger: logger).decode((Int64, String, String, Int).self) {
                channels.append((row.0, row.1, row.2, row.3))
            }
            var figures: [DepartmentFigures.Channel] = []
            for channel in channels {
                // The lasting daily totals (v13-publishing-totals), kept after the activity log is purged.
                var days: [(day: String, reads: Int, readers: Int)] = []
                for try await day in try await connection.query("""
                    SELECT day, reads, readers FROM channel_daily WHERE channel_id = \(channel.id) ORDER BY day
                    """, logger: logger).decode((String, Int, Int).self) {
                    days.append((day.0, day.1, day.2))
                }
                figures.append(DepartmentFigures.Channel(id: channel.key, title: channel.title, subscribers: channel.subscribers, days: days))
            }
            return DepartmentFigures(departmentID: departmentID, departmentTitle: title, announcements: announcements, channels: figures)
        }
    }

    /// A department's lasting daily totals, oldest first, from `since` (writers of the department
    /// and administrators; `.forbidden` for others, `.notFound` for an unknown department).
    public func departmentDailyTotals(departmentID: String, viewer: DocumentViewer, since: Date) async throws(StoreError) -> [PublishingDay] {
        let logger = self.logger
        return try await read("reading the daily totals of \(departmentID)") { connection in
            let rowID = try await Self.publishingDepartment(connection, departmentID, viewer: viewer, logger: logger)
            return try await Self.publishingDays(connection.query("""
                SELECT day, announcement_views, document_views, channel_reads, acknowledgements FROM department_daily
                WHERE department_id = \(rowID) AND day >= kiosque_utc_day(\(since.unixSeconds)) ORDER BY day
                """, logger: logger))
        }
    }

    /// A department's documents with their figures, most viewed first (same rights).
    public func departmentDocumentFigures(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> [DocumentFigure] {
        let logger = self.logger
        return try await read("reading the document figures of \(departmentID)") { connection in
            let rowID = try await Self.publishingDepartment(connection, departmentID, viewer: viewer, logger: logger)
            var figures: [DocumentFigure] = []
            for try await (id, title, views, readers) in try await connection.query("""
                SELECT d.public_id, d.title, (SELECT coalesce(sum(views), 0) FROM document_daily x WHERE x.document_id = d.id) AS views,
                  (SELECT count(DISTINCT user_id) FROM document_views v WHERE v.document_id = d.id)
                FROM documents d WHERE d.department_id = \(rowID) ORDER BY views DESC, d.created_at DESC, d.id DESC LIMIT 500
                """, logger: logger).decode((String, String, Int, Int).self) {
                figures.append(DocumentFigure(id: id, title: title, views: views, recentReaders: readers))
            }
            return figures
        }
    }

    /// A document's views and distinct readers per UTC day since it was published (days without
    /// activity included; `acknowledged` stays 0), for its department's writers and administrators:
    /// `.notFound` when the viewer does not see it, `.forbidden` when they see it but do not write for it.
    public func documentDays(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AnnouncementDay] {
        let logger = self.logger
        return try await read("counting the daily figures of document \(id)") { connection in
            var found: (Int64, Int64, String)?
            for try await row in try await connection.query("""
                SELECT d.id, d.created_at, dep.key FROM documents d JOIN departments dep ON dep.id = d.department_id
                WHERE d.public_id = \(id) AND (\(viewer.isAdmin)
                  OR EXISTS (SELECT 1 FROM department_members m WHERE m.user_id = \(viewer.userID) AND m.department_id = d.department_id
                    AND (m.is_editor OR (d.status = 'published' AND d.visibility = 'department')))
                  OR (d.status = 'published' AND d.visibility = 'organisation'))
                """, logger: logger).decode((Int64, Int64, String).self) {
                found = row
            }
            guard let found else { throw StoreError.notFound(what: "document", id: id) }
            do { _ = try await Self.publishingDepartment(connection, found.2, viewer: viewer, logger: logger) } catch {
                throw StoreError.forbidden(what: "document", id: id)
            }
            return try await PostgresAnnouncementFigures.everyDay(
                connection, from: max(found.1, now.unixSeconds - 399 * 86_400), now: now,
                known: "SELECT day, views, readers, 0 AS acknowledged FROM document_daily WHERE document_id = \(found.0)", logger: logger)
        }
    }

    /// The whole portal's publishing figures (administrators only): each department that published
    /// with its totals, and the portal's days from `since`.
    public func portalPublishing(viewer: DocumentViewer, since: Date) async throws(StoreError) -> PortalPublishing {
        guard viewer.isAdmin else { throw StoreError.forbidden(what: "statistics", id: "portal") }
        let logger = self.logger
        return try await read("reading the portal's publishing figures") { connection in
            var departments: [PortalPublishing.Department] = []
            for try await row in try await connection.query("""
                SELECT key, title, announcements, documents, announcement_views, document_views, channel_reads, acknowledgements FROM (
                  SELECT dep.key, dep.title,
                    (SELECT count(*) FROM announcements a WHERE a.department_id = dep.id AND a.state = 'published') AS announcements,
                    (SELECT count(*) FROM documents d WHERE d.department_id = dep.id AND d.status = 'published') AS documents,
                    coalesce(sum(t.announcement_views), 0) AS announcement_views, coalesce(sum(t.document_views), 0) AS document_views,
                    coalesce(sum(t.channel_reads), 0) AS channel_reads, coalesce(sum(t.acknowledgements), 0) AS acknowledgements,
                    count(t.day) AS days
                  FROM departments dep LEFT JOIN department_daily t ON t.department_id = dep.id GROUP BY dep.id) x
                WHERE announcements > 0 OR documents > 0 OR days > 0 ORDER BY title COLLATE "C"
                """, logger: logger).decode((String, String, Int, Int, Int, Int, Int, Int).self) {
                departments.append(PortalPublishing.Department(
                    id: row.0, title: row.1, announcements: row.2, documents: row.3,
                    totals: PublishingDay(day: "total", announcementViews: row.4, documentViews: row.5, channelReads: row.6,
                                          acknowledgements: row.7)))
            }
            let days = try await Self.publishingDays(connection.query("""
                SELECT day, sum(announcement_views), sum(document_views), sum(channel_reads), sum(acknowledgements)
                FROM department_daily WHERE day >= kiosque_utc_day(\(since.unixSeconds)) GROUP BY day ORDER BY day
                """, logger: logger))
            return PortalPublishing(departments: departments, days: days)
        }
    }

    /// Forgets raw reading events older than `before` (`retention.activity_days`): announcement and
    /// document views, who read a channel on a day, and the confirmations of must-read announcements
    /// that expired before then (a live one keeps them: forgetting would ask its readers again).
    /// Every daily total stays. Returns how many rows were removed.
    @discardableResult
    public func purgeReadingEvents(before: Date, now: Date) async throws(StoreError) -> Int {
        let logger = self.logger
        let limit = before.unixSeconds
        return try await write("forgetting old reading events", changes: .bookkeeping) { connection in
            try await PostgresRows.all(connection.query("""
                WITH views AS (DELETE FROM announcement_views WHERE viewed_at < \(limit) RETURNING 1),
                  documents AS (DELETE FROM document_views WHERE viewed_at < \(limit) RETURNING 1),
                  readers AS (DELETE FROM channel_day_readers WHERE day < kiosque_utc_day(\(limit)) RETURNING 1),
                  confirmations AS (DELETE FROM announcement_acknowledgements WHERE acknowledged_at < \(limit) AND announcement_id IN (
                    SELECT id FROM announcements WHERE NOT must_read OR (expire_at IS NOT NULL AND expire_at <= least(\(limit), \(now.unixSeconds))))
                    RETURNING 1)
                SELECT (SELECT count(*) FROM views) + (SELECT count(*) FROM documents) + (SELECT count(*) FROM readers)
                  + (SELECT count(*) FROM confirmations)
                """, logger: logger), Int.self).first ?? 0
        }
    }

    /// The row id of a live department whose figures the viewer may see (its writers, administrators).
    static func publishingDepartment(_ connection: PostgresConnection, _ departmentID: String, viewer: DocumentViewer,
                                     logger: Logger) async throws -> Int64 {
        var found: (Int64, Bool)?
        for try await row in try await connection.query("""
            SELECT d.id, EXISTS (SELECT 1 FROM department_members m
              WHERE m.user_id = \(viewer.userID) AND m.department_id = d.id AND (m.is_editor OR d.publisher))
            FROM departments d WHERE d.key = \(departmentID) AND d.retired_at IS NULL
            """, logger: logger).decode((Int64, Bool).self) {
            found = row
        }
        guard let found else { throw StoreError.notFound(what: "department", id: departmentID) }
        guard found.1 || viewer.isAdmin else { throw StoreError.forbidden(what: "department", id: departmentID) }
        return found.0
    }

    private static func publishingDays(_ rows: PostgresRowSequence) async throws -> [PublishingDay] {
        var days: [PublishingDay] = []
        for try await (day, announcementViews, documentViews, channelReads, acknowledgements) in rows.decode((String, Int, Int, Int, Int).self) {
            days.append(PublishingDay(day: day, announcementViews: announcementViews, documentViews: documentViews,
                                      channelReads: channelReads, acknowledgements: acknowledgements))
        }
        return days
    }
}
