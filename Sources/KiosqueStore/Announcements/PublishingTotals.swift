public import Foundation
import GRDB

/// Lasting daily totals for publishers (issue 17: the services "see that they are read"), migration
/// "v13-publishing-totals". Raw reading events — `announcement_views`, `document_views`, the
/// activity log's channel reads, `channel_day_readers`, must-read confirmations — follow
/// `retention.activity_days`; what they add up to per day stays in `department_daily`,
/// `document_daily`, `channel_daily` and `announcement_daily.acknowledged`. Triggers keep the totals
/// as the events are written, so no purge can lose a count.
enum PublishingTotalsSchema {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE announcement_daily ADD COLUMN acknowledged INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE department_daily (
              department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
              day TEXT NOT NULL,
              announcement_views INTEGER NOT NULL DEFAULT 0,
              document_views INTEGER NOT NULL DEFAULT 0,
              channel_reads INTEGER NOT NULL DEFAULT 0,
              acknowledgements INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (department_id, day)
            ) WITHOUT ROWID;
            CREATE TABLE document_views (
              id INTEGER PRIMARY KEY,
              document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
              user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              day TEXT NOT NULL,
              viewed_at INTEGER NOT NULL
            );
            CREATE INDEX document_views_reader ON document_views(document_id, user_id, day);
            CREATE INDEX document_views_time ON document_views(viewed_at);
            CREATE TABLE document_daily (
              document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
              day TEXT NOT NULL,
              views INTEGER NOT NULL DEFAULT 0,
              readers INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (document_id, day)
            ) WITHOUT ROWID;
            CREATE TABLE channel_daily (
              channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
              day TEXT NOT NULL,
              reads INTEGER NOT NULL DEFAULT 0,
              readers INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (channel_id, day)
            ) WITHOUT ROWID;
            -- Who read a channel on a day (raw, purged like the activity log): counts distinct readers.
            CREATE TABLE channel_day_readers (
              channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
              day TEXT NOT NULL,
              user_id INTEGER NOT NULL,
              PRIMARY KEY (channel_id, day, user_id)
            ) WITHOUT ROWID;

            -- What was there before: announcement views, confirmations, channel reads still in the log.
            UPDATE announcement_daily SET acknowledged = (SELECT count(*) FROM announcement_acknowledgements k
              WHERE k.announcement_id = announcement_daily.announcement_id AND date(k.acknowledged_at, 'unixepoch') = announcement_daily.day);
            INSERT INTO announcement_daily (announcement_id, day, acknowledged)
              SELECT announcement_id, date(acknowledged_at, 'unixepoch'), count(*) FROM announcement_acknowledgements WHERE 1
              GROUP BY 1, 2 ON CONFLICT DO NOTHING;
            INSERT INTO department_daily (department_id, day, announcement_views, acknowledgements)
              SELECT a.department_id, d.day, sum(d.views), sum(d.acknowledged) FROM announcement_daily d
              JOIN announcements a ON a.id = d.announcement_id WHERE 1 GROUP BY 1, 2;
            INSERT OR IGNORE INTO channel_day_readers (channel_id, day, user_id)
              SELECT c.id, date(l.at, 'unixepoch'), l.user_id FROM activity_log l JOIN channels c ON c.key = l.detail
              WHERE l.action = 'read' AND l.user_id IS NOT NULL;
            INSERT INTO channel_daily (channel_id, day, reads, readers)
              SELECT c.id, date(l.at, 'unixepoch'), count(*), count(DISTINCT l.user_id) FROM activity_log l JOIN channels c ON c.key = l.detail
              WHERE l.action = 'read' GROUP BY 1, 2;
            INSERT INTO department_daily (department_id, day, channel_reads)
              SELECT c.department_id, d.day, sum(d.reads) FROM channel_daily d JOIN channels c ON c.id = d.channel_id
              WHERE c.department_id IS NOT NULL GROUP BY 1, 2
              ON CONFLICT (department_id, day) DO UPDATE SET channel_reads = excluded.channel_reads;

            -- From now on the totals follow the events as they are written.
            CREATE TRIGGER announcement_views_totals AFTER INSERT ON announcement_views BEGIN
              INSERT INTO department_daily (department_id, day, announcement_views)
                SELECT department_id, NEW.day, 1 FROM announcements WHERE id = NEW.announcement_id
                ON CONFLICT (department_id, day) DO UPDATE SET announcement_views = announcement_views + 1;
            END;
            CREATE TRIGGER announcement_acknowledgements_totals AFTER INSERT ON announcement_acknowledgements BEGIN
              INSERT INTO announcement_daily (announcement_id, day, acknowledged)
                VALUES (NEW.announcement_id, date(NEW.acknowledged_at, 'unixepoch'), 1)
                ON CONFLICT (announcement_id, day) DO UPDATE SET acknowledged = acknowledged + 1;
              INSERT INTO department_daily (department_id, day, acknowledgements)
                SELECT department_id, date(NEW.acknowledged_at, 'unixepoch'), 1 FROM announcements WHERE id = NEW.announcement_id
                ON CONFLICT (department_id, day) DO UPDATE SET acknowledgements = acknowledgements + 1;
            END;
            CREATE TRIGGER document_views_totals AFTER INSERT ON document_views BEGIN
              INSERT INTO department_daily (department_id, day, document_views)
                SELECT department_id, NEW.day, 1 FROM documents WHERE id = NEW.document_id
                ON CONFLICT (department_id, day) DO UPDATE SET document_views = document_views + 1;
            END;
            CREATE TRIGGER activity_log_channel_reads AFTER INSERT ON activity_log
              WHEN NEW.action = 'read' AND NEW.detail IS NOT NULL BEGIN
              INSERT OR IGNORE INTO channel_day_readers (channel_id, day, user_id)
                SELECT id, date(NEW.at, 'unixepoch'), NEW.user_id FROM channels WHERE key = NEW.detail AND NEW.user_id IS NOT NULL;
              INSERT INTO channel_daily (channel_id, day, reads, readers)
                SELECT c.id, date(NEW.at, 'unixepoch'), 1, (SELECT count(*) FROM channel_day_readers r
                  WHERE r.channel_id = c.id AND r.day = date(NEW.at, 'unixepoch')) FROM channels c WHERE c.key = NEW.detail
                ON CONFLICT (channel_id, day) DO UPDATE SET reads = reads + 1, readers = excluded.readers;
              INSERT INTO department_daily (department_id, day, channel_reads)
                SELECT department_id, date(NEW.at, 'unixepoch'), 1 FROM channels WHERE key = NEW.detail AND department_id IS NOT NULL
                ON CONFLICT (department_id, day) DO UPDATE SET channel_reads = channel_reads + 1;
            END;
            """)
    }
}

extension AppDatabase {
    /// Counts one consultation (page or download) of a published document the agent may see: a raw
    /// event (kept `retention.activity_days`) and the document's and department's daily totals (kept).
    public func recordDocumentView(id: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) {
        try await write("counting a view of document \(id)", changes: .bookkeeping) { db in
            guard let rowID = try Int64.fetchOne(db, sql: """
                SELECT d.id FROM documents d WHERE d.public_id = :id AND d.status = 'published' AND \(DocumentRows.visible)
                """, arguments: ["id": id, "user": viewer.userID, "admin": viewer.isAdmin]) else { return }
            try AnnouncementStatistics.countView(db, of: .document, rowID: rowID, userID: viewer.userID, now: now)
        }
    }

    /// A department's lasting daily totals, oldest first, from `since` (writers of the department
    /// and administrators; `.forbidden` for others, `.notFound` for an unknown department).
    public func departmentDailyTotals(departmentID: String, viewer: DocumentViewer, since: Date) async throws(StoreError) -> [PublishingDay] {
        try await read("reading the daily totals of \(departmentID)") { db in
            let rowID = try Self.publishingDepartment(db, departmentID, viewer: viewer)
            return try Row.fetchAll(db, sql: """
                SELECT * FROM department_daily WHERE department_id = ? AND day >= ? ORDER BY day
                """, arguments: [rowID, AnnouncementStatistics.day(since)]).map(Self.publishingDay)
        }
    }

    /// A department's documents with their figures, most viewed first (same rights).
    public func departmentDocumentFigures(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> [DocumentFigure] {
        try await read("reading the document figures of \(departmentID)") { db in
            let rowID = try Self.publishingDepartment(db, departmentID, viewer: viewer)
            return try Row.fetchAll(db, sql: """
                SELECT d.public_id, d.title, (SELECT coalesce(sum(views), 0) FROM document_daily x WHERE x.document_id = d.id) AS views,
                  (SELECT count(DISTINCT user_id) FROM document_views v WHERE v.document_id = d.id) AS readers
                FROM documents d WHERE d.department_id = ? ORDER BY views DESC, d.created_at DESC LIMIT 500
                """, arguments: [rowID]).map {
                DocumentFigure(id: $0["public_id"], title: $0["title"], views: $0["views"], recentReaders: $0["readers"])
            }
        }
    }

    /// A document's views and distinct readers per UTC day since it was published (days without
    /// activity included; `acknowledged` stays 0), for its department's writers and administrators:
    /// `.notFound` when the viewer does not see it, `.forbidden` when they see it but do not write for it.
    public func documentDays(id: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> [AnnouncementDay] {
        try await read("counting the daily figures of document \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT d.id, d.created_at, dep.key FROM documents d JOIN departments dep ON dep.id = d.department_id
                WHERE d.public_id = :id AND \(DocumentRows.visible)
                """, arguments: ["id": id, "user": viewer.userID, "admin": viewer.isAdmin]) else {
                throw StoreError.notFound(what: "document", id: id)
            }
            do { _ = try Self.publishingDepartment(db, row["key"], viewer: viewer) } catch { throw StoreError.forbidden(what: "document", id: id) }
            var days: [String: AnnouncementDay] = [:]
            for day in try Row.fetchAll(db, sql: "SELECT day, views, readers FROM document_daily WHERE document_id = ?", arguments: [row["id"] as Int64]) {
                days[day["day"]] = AnnouncementDay(day: day["day"], views: day["views"], readers: day["readers"], acknowledged: 0)
            }
            return AnnouncementStatistics.everyDay(from: max(row["created_at"] as Int64, now.unixSeconds - 399 * 86_400), now: now, known: days)
        }
    }

    /// The whole portal's publishing figures (administrators only): each department that published
    /// with its totals, and the portal's days from `since`.
    public func portalPublishing(viewer: DocumentViewer, since: Date) async throws(StoreError) -> PortalPublishing {
        guard viewer.isAdmin else { throw StoreError.forbidden(what: "statistics", id: "portal") }
        return try await read("reading the portal's publishing figures") { db in
            let departments = try Row.fetchAll(db, sql: """
                SELECT dep.key, dep.title,
                  (SELECT count(*) FROM announcements a WHERE a.department_id = dep.id AND a.state = 'published') AS announcements,
                  (SELECT count(*) FROM documents d WHERE d.department_id = dep.id AND d.status = 'published') AS documents,
                  'total' AS day, coalesce(sum(t.announcement_views), 0) AS announcement_views,
                  coalesce(sum(t.document_views), 0) AS document_views, coalesce(sum(t.channel_reads), 0) AS channel_reads,
                  coalesce(sum(t.acknowledgements), 0) AS acknowledgements
                FROM departments dep LEFT JOIN department_daily t ON t.department_id = dep.id
                GROUP BY dep.id HAVING announcements > 0 OR documents > 0 OR count(t.day) > 0 ORDER BY dep.title
                """).map {
                PortalPublishing.Department(id: $0["key"], title: $0["title"], announcements: $0["announcements"],
                                            documents: $0["documents"], totals: Self.publishingDay($0))
            }
            let days = try Row.fetchAll(db, sql: """
                SELECT day, sum(announcement_views) AS announcement_views, sum(document_views) AS document_views,
                  sum(channel_reads) AS channel_reads, sum(acknowledgements) AS acknowledgements
                FROM department_daily WHERE day >= ? GROUP BY day ORDER BY day
                """, arguments: [AnnouncementStatistics.day(since)]).map(Self.publishingDay)
            return PortalPublishing(departments: departments, days: days)
        }
    }

    /// Forgets raw reading events older than `before` (`retention.activity_days`): announcement and
    /// document views, who read a channel on a day, and the confirmations of must-read announcements
    /// that expired before then (a live one keeps them: forgetting would ask its readers again).
    /// Every daily total stays. Returns how many rows were removed.
    @discardableResult
    public func purgeReadingEvents(before: Date, now: Date = Date()) async throws(StoreError) -> Int {
        try await write("forgetting old reading events", changes: .bookkeeping) { db in
            var removed = 0
            try db.execute(sql: "DELETE FROM announcement_views WHERE viewed_at < ?", arguments: [before.unixSeconds])
            removed += db.changesCount
            try db.execute(sql: "DELETE FROM document_views WHERE viewed_at < ?", arguments: [before.unixSeconds])
            removed += db.changesCount
            try db.execute(sql: "DELETE FROM channel_day_readers WHERE day < ?", arguments: [AnnouncementStatistics.day(before)])
            removed += db.changesCount
            try db.execute(sql: """
                DELETE FROM announcement_acknowledgements WHERE acknowledged_at < ?1 AND announcement_id IN (
                  SELECT id FROM announcements WHERE must_read = 0 OR (expire_at IS NOT NULL AND expire_at <= min(?1, ?2)))
                """, arguments: [before.unixSeconds, now.unixSeconds])
            removed += db.changesCount
            return removed
        }
    }

    /// The row id of a live department whose figures the viewer may see (its writers, administrators).
    static func publishingDepartment(_ db: Database, _ departmentID: String, viewer: DocumentViewer) throws -> Int64 {
        guard let rowID = try Int64.fetchOne(db, sql: "SELECT id FROM departments WHERE key = ? AND retired_at IS NULL",
                                             arguments: [departmentID]) else {
            throw StoreError.notFound(what: "department", id: departmentID)
        }
        let writer = try Bool.fetchOne(db, sql: """
            SELECT 1 FROM department_members m JOIN departments d ON d.id = m.department_id
            WHERE m.user_id = ? AND d.id = ? AND (m.is_editor = 1 OR d.publisher = 1)
            """, arguments: [viewer.userID, rowID]) ?? false
        guard writer || viewer.isAdmin else { throw StoreError.forbidden(what: "department", id: departmentID) }
        return rowID
    }

    private static func publishingDay(_ row: Row) -> PublishingDay {
        PublishingDay(day: row["day"], announcementViews: row["announcement_views"], documentViews: row["document_views"],
                      channelReads: row["channel_reads"], acknowledgements: row["acknowledgements"])
    }
}
