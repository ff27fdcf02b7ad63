public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Confirmations, reading figures and the agents' directory groups on PostgreSQL (SQLite's
/// Announcements/AnnouncementReading.swift).
extension PostgresStore {
    /// The agent confirms reading a must-read announcement of their audience (idempotent: the
    /// first confirmation's time stays). Returns the announcement as they now see it; not found
    /// when it is hidden from them, not live, or not a must-read.
    public func acknowledgeAnnouncement(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> Announcement {
        let logger = self.logger
        return try await write("confirming announcement \(id)", changes: .agent(viewer.userID)) { connection in
            var scope = AnnouncementScope(viewer, now: now)
            let publicID = scope.bind(id)
            guard let rowID = try await PostgresRows.all(connection.query(scope.query("""
                SELECT a.id FROM announcements a WHERE a.public_id = \(publicID) AND a.must_read AND \(scope.live) AND \(scope.audience)
                """), logger: logger), Int64.self).first else {
                throw StoreError.notFound(what: "announcement", id: id)
            }
            try await connection.query("""
                INSERT INTO announcement_acknowledgements (announcement_id, user_id, acknowledged_at)
                VALUES (\(rowID), \(viewer.userID), \(now.unixSeconds)) ON CONFLICT DO NOTHING
                """, logger: logger)
            let row = scope.bind(rowID)
            guard let record = try await PostgresAnnouncementRows.records(connection, scope, where: "a.id = \(row)", logger: logger).first else {
                throw StoreError.notFound(what: "announcement", id: id)
            }
            return record
        }
    }

    /// Counts one view of a live announcement the agent may see (raw event, daily figures and
    /// distinct readers); drafts and previews by their writers are not counted.
    public func recordAnnouncementView(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("counting a view of announcement \(id)", changes: .bookkeeping) { connection in
            var scope = AnnouncementScope(viewer, now: now)
            let publicID = scope.bind(id)
            var found: (Int64, String)?
            for try await row in try await connection.query(scope.query("""
                SELECT a.id, kiosque_utc_day(\(scope.now)) FROM announcements a
                WHERE a.public_id = \(publicID) AND \(scope.live) AND \(scope.visible)
                """), logger: logger).decode((Int64, String).self) {
                found = row
            }
            guard let found else { return }
            let (rowID, day) = found
            // The day's row first: its lock orders concurrent views, so that the reader's first view
            // of the day is counted once (SQLite writes one at a time).
            try await connection.query("""
                INSERT INTO announcement_daily (announcement_id, day, views, readers) VALUES (\(rowID), \(day), 1, 0)
                ON CONFLICT (announcement_id, day) DO UPDATE SET views = announcement_daily.views + 1
                """, logger: logger)
            let seenToday = try await PostgresRows.all(connection.query("""
                SELECT 1 FROM announcement_views WHERE announcement_id = \(rowID) AND user_id = \(viewer.userID) AND day = \(day) LIMIT 1
                """, logger: logger), Int32.self).isEmpty == false
            try await connection.query("""
                INSERT INTO announcement_views (announcement_id, user_id, day, viewed_at)
                VALUES (\(rowID), \(viewer.userID), \(day), \(now.unixSeconds))
                """, logger: logger)
            if !seenToday {
                try await connection.query("""
                    UPDATE announcement_daily SET readers = readers + 1 WHERE announcement_id = \(rowID) AND day = \(day)
                    """, logger: logger)
            }
            try await connection.query("""
                INSERT INTO announcement_readers (announcement_id, user_id, first_viewed_at)
                VALUES (\(rowID), \(viewer.userID), \(now.unixSeconds)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// Views, distinct readers, confirmations from the audience and the audience's size; not found
    /// when the viewer may not see it, `.forbidden` when they see it but do not manage it.
    public func announcementStats(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> AnnouncementStats {
        let logger = self.logger
        return try await read("counting the figures of announcement \(id)") { connection in
            let (rowID, _) = try await PostgresAnnouncementRows.managed(connection, id: id, AnnouncementScope(viewer, now: now), logger: logger)
            return try await PostgresAnnouncementFigures.stats(connection, rowID: rowID, logger: logger)
        }
    }

    /// The figures per UTC day since publication (days without activity included), for managers.
    public func announcementDays(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AnnouncementDay] {
        let logger = self.logger
        return try await read("counting the daily figures of announcement \(id)") { connection in
            let (rowID, _) = try await PostgresAnnouncementRows.managed(connection, id: id, AnnouncementScope(viewer, now: now), logger: logger)
            let publishAt = try await PostgresRows.all(connection.query(
                "SELECT publish_at FROM announcements WHERE id = \(rowID)", logger: logger), Int64.self).first ?? now.unixSeconds
            // Confirmations per day come from the daily totals, which outlive the confirmations themselves.
            return try await PostgresAnnouncementFigures.everyDay(
                connection, from: min(publishAt, now.unixSeconds), now: now,
                known: "SELECT day, views, readers, acknowledged FROM announcement_daily WHERE announcement_id = \(rowID)", logger: logger)
        }
    }

    /// The audience of a must-read announcement with each agent's confirmation, unconfirmed first
    /// then by name (the publishing writers and administrators only).
    public func announcementAcknowledgements(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AcknowledgementEntry] {
        let logger = self.logger
        return try await read("listing the confirmations of announcement \(id)") { connection in
            let (rowID, _) = try await PostgresAnnouncementRows.managed(connection, id: id, AnnouncementScope(viewer, now: now), logger: logger)
            var builder = SQLBuilder()
            let a = builder.bind(rowID)
            builder.sql = """
                SELECT u.login, u.name, k.acknowledged_at FROM users u
                LEFT JOIN announcement_acknowledgements k ON k.announcement_id = \(a) AND k.user_id = u.id
                WHERE NOT u.disabled AND \(PostgresAnnouncementFigures.inAudience(a))
                ORDER BY k.acknowledged_at IS NOT NULL, lower(u.name COLLATE "C"), u.login COLLATE "C"
                """
            var entries: [AcknowledgementEntry] = []
            for try await (login, name, at) in try await connection.query(builder.query, logger: logger).decode((String, String, Int64?).self) {
                entries.append(AcknowledgementEntry(login: login, name: name, acknowledgedAt: at.map(Date.init(unixSeconds:))))
            }
            return entries
        }
    }

    /// Forgets raw reading events older than `before` (see `purgeReadingEvents`); daily figures and
    /// distinct readers stay. Returns how many were removed.
    @discardableResult
    public func purgeAnnouncementViews(before: Date) async throws(StoreError) -> Int {
        try await purgeReadingEvents(before: before, now: Date())
    }

    /// Remembers the agent's directory groups (from their last sign-in), which audiences name:
    /// a group given as a DN (`cn=finances,ou=groups,…`) is also remembered by its CN.
    public func setUserGroups(userID: Int64, groups: [String]) async throws(StoreError) {
        let names = Set(groups.flatMap { given -> [String] in
            let group = given.trimmingCharacters(in: .whitespaces).lowercased()
            guard group.hasPrefix("cn="), let rdn = group.split(separator: ",").first else { return [group] }
            return [group, String(rdn.dropFirst(3)).trimmingCharacters(in: .whitespaces)]
        }.filter { !$0.isEmpty })
        let logger = self.logger
        try await write("remembering directory groups", changes: .agent(userID)) { connection in
            try await connection.query("DELETE FROM user_groups WHERE user_id = \(userID)", logger: logger)
            try await connection.query("""
                INSERT INTO user_groups (user_id, name) SELECT \(userID), unnest(\(Array(names))) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }
}

/// Pieces of SQL for the figures (SQLite's AnnouncementStatistics).
enum PostgresAnnouncementFigures {
    /// The agent `u` is in the audience of the announcement whose row id is the SQL `announcement`
    /// (a number or a placeholder).
    static func inAudience(_ announcement: String) -> String {
        """
        (EXISTS (SELECT 1 FROM announcements x WHERE x.id = \(announcement) AND x.everyone)
          OR EXISTS (SELECT 1 FROM announcement_departments ad JOIN department_members am ON am.department_id = ad.department_id
            WHERE ad.announcement_id = \(announcement) AND am.user_id = u.id)
          OR \(AnnouncementScope.inGroups(user: "u.id", announcement: announcement)))
        """
    }

    /// An announcement's views, readers, confirmations from its audience and audience size.
    static func stats(_ connection: PostgresConnection, rowID: Int64, logger: Logger) async throws -> AnnouncementStats {
        var builder = SQLBuilder()
        let a = builder.bind(rowID)
        builder.sql = """
            SELECT (SELECT coalesce(sum(views), 0) FROM announcement_daily WHERE announcement_id = \(a)),
              (SELECT count(*) FROM announcement_readers WHERE announcement_id = \(a)),
              (SELECT count(*) FROM announcement_acknowledgements k JOIN users u ON u.id = k.user_id
                WHERE k.announcement_id = \(a) AND \(inAudience(a)))
              -- confirmations forgotten per retention still count (the daily totals keep them)
              + greatest(0, (SELECT coalesce(sum(acknowledged), 0) FROM announcement_daily WHERE announcement_id = \(a))
                - (SELECT count(*) FROM announcement_acknowledgements WHERE announcement_id = \(a))),
              (SELECT count(*) FROM users u WHERE NOT u.disabled AND \(inAudience(a)))
            """
        for try await (views, readers, acknowledged, audience) in try await connection.query(builder.query, logger: logger)
            .decode((Int, Int, Int, Int).self) {
            return AnnouncementStats(views: views, readers: readers, acknowledged: acknowledged, audience: audience)
        }
        throw PostgresStoreError.unexpected(what: "counting the figures of an announcement")
    }

    /// Every UTC day from the one of `start` (Unix seconds) to today, at most 400, each with the
    /// figures `known` (SQL giving day, views, readers and optionally acknowledged) or zeros.
    static func everyDay(_ connection: PostgresConnection, from start: Int64, now: Date, known: PostgresQuery,
                         logger: Logger) async throws -> [AnnouncementDay] {
        var builder = SQLBuilder()
        builder.binds = known.binds
        let first = builder.bind(start), today = builder.bind(now.unixSeconds)
        builder.sql = """
            WITH known AS (\(known.sql))
            SELECT s.day, coalesce(k.views, 0), coalesce(k.readers, 0), coalesce(k.acknowledged, 0)
            FROM (SELECT kiosque_utc_day(t) AS day FROM generate_series(\(first), \(first) + 399 * 86400, 86400) t) s
            LEFT JOIN known k ON k.day = s.day WHERE s.day <= kiosque_utc_day(\(today)) ORDER BY s.day
            """
        var days: [AnnouncementDay] = []
        for try await (day, views, readers, acknowledged) in try await connection.query(builder.query, logger: logger)
            .decode((String, Int, Int, Int).self) {
            days.append(AnnouncementDay(day: day, views: views, readers: readers, acknowledged: acknowledged))
        }
        return days
    }
}
