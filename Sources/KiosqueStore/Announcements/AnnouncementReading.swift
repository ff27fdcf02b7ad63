public import Foundation
import GRDB
import KiosqueModel

extension AppDatabase {
    /// The agent confirms reading a must-read announcement of their audience (idempotent: the
    /// first confirmation's time stays). Returns the announcement as they now see it; not found
    /// when it is hidden from them, not live, or not a must-read.
    public func acknowledgeAnnouncement(id: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> Announcement {
        try await write("confirming announcement \(id)", changes: .agent(viewer.userID)) { db in
            var args = AnnouncementRows.arguments(viewer, now: now)
            args["id"] = id
            guard let rowID = try Int64.fetchOne(db, sql: """
                SELECT a.id FROM announcements a WHERE a.public_id = :id AND a.must_read = 1
                  AND \(AnnouncementRows.live) AND \(AnnouncementRows.audience)
                """, arguments: StatementArguments(args)) else {
                throw StoreError.notFound(what: "announcement", id: id)
            }
            try db.execute(sql: "INSERT OR IGNORE INTO announcement_acknowledgements VALUES (?, ?, ?)",
                           arguments: [rowID, viewer.userID, now.unixSeconds])
            return try AnnouncementRows.records(db, where: "a.id = :row", ["row": rowID], viewer: viewer, now: now)[0]
        }
    }

    /// Counts one view of a live announcement the agent may see (raw event, daily figures and
    /// distinct readers); drafts and previews by their writers are not counted.
    public func recordAnnouncementView(id: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) {
        try await write("counting a view of announcement \(id)", changes: .bookkeeping) { db in
            var args = AnnouncementRows.arguments(viewer, now: now)
            args["id"] = id
            guard let rowID = try Int64.fetchOne(db, sql: """
                SELECT a.id FROM announcements a WHERE a.public_id = :id AND \(AnnouncementRows.live) AND \(AnnouncementRows.visible)
                """, arguments: StatementArguments(args)) else { return }
            try AnnouncementStatistics.countView(db, of: .announcement, rowID: rowID, userID: viewer.userID, now: now)
            try db.execute(sql: "INSERT OR IGNORE INTO announcement_readers VALUES (?, ?, ?)",
                           arguments: [rowID, viewer.userID, now.unixSeconds])
        }
    }

    /// Views, distinct readers, confirmations from the audience and the audience's size; nil when
    /// the viewer may not see it, `.forbidden` when they see it but do not manage it.
    public func announcementStats(id: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> AnnouncementStats {
        try await read("counting the figures of announcement \(id)") { db in
            try Self.announcementStats(db, id: id, viewer: viewer, now: now)
        }
    }

    /// `announcementStats` inside a read (a department's figures count all its announcements in one).
    static func announcementStats(_ db: Database, id: String, viewer: DocumentViewer, now: Date) throws -> AnnouncementStats {
        let (rowID, _) = try Self.managed(db, id: id, viewer: viewer, now: now)
        let row = try Row.fetchOne(db, sql: """
            SELECT (SELECT coalesce(sum(views), 0) FROM announcement_daily WHERE announcement_id = :a) AS views,
              (SELECT count(*) FROM announcement_readers WHERE announcement_id = :a) AS readers,
              (SELECT count(*) FROM announcement_acknowledgements k JOIN users u ON u.id = k.user_id
                WHERE k.announcement_id = :a AND \(AnnouncementStatistics.inAudience))
              -- confirmations forgotten per retention still count (the daily totals keep them)
              + max(0, (SELECT coalesce(sum(acknowledged), 0) FROM announcement_daily WHERE announcement_id = :a)
                - (SELECT count(*) FROM announcement_acknowledgements WHERE announcement_id = :a)) AS acknowledged,
              (SELECT count(*) FROM users u WHERE u.disabled = 0 AND \(AnnouncementStatistics.inAudience)) AS audience
            """, arguments: ["a": rowID])!
        return AnnouncementStats(views: row["views"], readers: row["readers"], acknowledged: row["acknowledged"], audience: row["audience"])
    }

    /// The figures per UTC day since publication (days without activity included), for managers.
    public func announcementDays(id: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> [AnnouncementDay] {
        try await read("counting the daily figures of announcement \(id)") { db in
            let (rowID, _) = try Self.managed(db, id: id, viewer: viewer, now: now)
            let publishAt = try Int64.fetchOne(db, sql: "SELECT publish_at FROM announcements WHERE id = ?", arguments: [rowID]) ?? now.unixSeconds
            var days: [String: AnnouncementDay] = [:]
            // Confirmations per day come from the daily totals, which outlive the confirmations themselves.
            for row in try Row.fetchAll(db, sql: "SELECT day, views, readers, acknowledged FROM announcement_daily WHERE announcement_id = ?",
                                        arguments: [rowID]) {
                days[row["day"]] = AnnouncementDay(day: row["day"], views: row["views"], readers: row["readers"], acknowledged: row["acknowledged"])
            }
            return AnnouncementStatistics.everyDay(from: min(publishAt, now.unixSeconds), now: now, known: days)
        }
    }

    /// The audience of a must-read announcement with each agent's confirmation, unconfirmed first
    /// then by name (the publishing writers and administrators only).
    public func announcementAcknowledgements(id: String, viewer: DocumentViewer,
                                             now: Date = Date()) async throws(StoreError) -> [AcknowledgementEntry] {
        try await read("listing the confirmations of announcement \(id)") { db in
            let (rowID, _) = try Self.managed(db, id: id, viewer: viewer, now: now)
            return try Row.fetchAll(db, sql: """
                SELECT u.login, u.name, k.acknowledged_at FROM users u
                LEFT JOIN announcement_acknowledgements k ON k.announcement_id = :a AND k.user_id = u.id
                WHERE u.disabled = 0 AND \(AnnouncementStatistics.inAudience)
                ORDER BY k.acknowledged_at IS NOT NULL, u.name COLLATE NOCASE, u.login
                """, arguments: ["a": rowID]).map {
                let at: Int64? = $0["acknowledged_at"]
                return AcknowledgementEntry(login: $0["login"], name: $0["name"], acknowledgedAt: at.map(Date.init(unixSeconds:)))
            }
        }
    }

    /// Forgets raw reading events older than `before` (retention.activity_days) — see
    /// `purgeReadingEvents`: views, channel readers, confirmations of expired must-read
    /// announcements; daily figures and distinct readers stay. Returns how many were removed.
    @discardableResult
    public func purgeAnnouncementViews(before: Date) async throws(StoreError) -> Int {
        try await purgeReadingEvents(before: before)
    }

    /// Remembers the agent's directory groups (from their last sign-in), which audiences name:
    /// a group given as a DN (`cn=finances,ou=groups,…`) is also remembered by its CN.
    public func setUserGroups(userID: Int64, groups: [String]) async throws(StoreError) {
        var names = Set<String>()
        for group in groups.map({ $0.trimmingCharacters(in: .whitespaces) }) where !group.isEmpty {
            names.insert(group.lowercased())
            if group.lowercased().hasPrefix("cn="), let rdn = group.split(separator: ",").first {
                names.insert(String(rdn.dropFirst(3)).trimmingCharacters(in: .whitespaces).lowercased())
            }
        }
        let remembered = names
        try await write("remembering directory groups", changes: .agent(userID)) { db in
            try db.execute(sql: "DELETE FROM user_groups WHERE user_id = ?", arguments: [userID])
            for group in remembered where !group.isEmpty {
                try db.execute(sql: "INSERT OR IGNORE INTO user_groups (user_id, name) VALUES (?, ?)", arguments: [userID, group])
            }
        }
    }
}

/// Pieces of SQL and formatting for the figures.
enum AnnouncementStatistics {
    /// What a view is counted for: its raw events table, daily totals table and key column.
    enum Viewed: String {
        case announcement, document
    }

    /// Counts one view (raw event, kept `retention.activity_days`; the day's views and, for the
    /// agent's first view of the day, readers, kept) of the announcement or document `rowID`, whose
    /// visibility the caller checked.
    static func countView(_ db: Database, of kind: Viewed, rowID: Int64, userID: Int64, now: Date) throws {
        let (views, daily, key) = ("\(kind.rawValue)_views", "\(kind.rawValue)_daily", "\(kind.rawValue)_id")
        let day = day(now)
        let firstToday = try Bool.fetchOne(db, sql: "SELECT 1 FROM \(views) WHERE \(key) = ? AND user_id = ? AND day = ?",
                                           arguments: [rowID, userID, day]) != true
        try db.execute(sql: "INSERT INTO \(views) (\(key), user_id, day, viewed_at) VALUES (?, ?, ?, ?)",
                       arguments: [rowID, userID, day, now.unixSeconds])
        try db.execute(sql: """
            INSERT INTO \(daily) (\(key), day, views, readers) VALUES (?, ?, 1, ?)
            ON CONFLICT DO UPDATE SET views = views + 1, readers = readers + excluded.readers
            """, arguments: [rowID, day, firstToday ? 1 : 0])
    }

    /// The agent `u` is in the audience of announcement :a.
    static let inAudience = """
        (EXISTS (SELECT 1 FROM announcements x WHERE x.id = :a AND x.everyone = 1)
          OR EXISTS (SELECT 1 FROM announcement_departments ad JOIN department_members am ON am.department_id = ad.department_id
            WHERE ad.announcement_id = :a AND am.user_id = u.id)
          OR \(AnnouncementRows.inGroups(user: "u.id", announcement: ":a")))
        """

    /// The UTC day of a time, YYYY-MM-DD.
    static func day(_ date: Date) -> String {
        let days = Int((Double(date.unixSeconds) / 86_400).rounded(.down))
        let (y, m, d) = CivilCalendar.civil(days: days)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// Every UTC day from the one of `start` (unix seconds) to today, at most 400, each taken from
    /// `known` or zero (announcements' and documents' daily figures).
    static func everyDay(from start: Int64, now: Date, known: [String: AnnouncementDay]) -> [AnnouncementDay] {
        var result: [AnnouncementDay] = []
        var time = start
        let today = day(now)
        while result.count < 400 {
            let day = day(Date(unixSeconds: time))
            guard day <= today else { break }
            if result.last?.day != day { result.append(known[day] ?? AnnouncementDay(day: day, views: 0, readers: 0, acknowledged: 0)) }
            time += 86_400
        }
        return result
    }
}
