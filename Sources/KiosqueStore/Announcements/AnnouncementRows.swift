import Foundation
import GRDB

/// Rights in SQL, row mapping, and the upkeep every change of an announcement needs (its item
/// in the department's news channel, its full-text entry, its history).
enum AnnouncementRows {
    /// The viewer writes for the announcement's department: an editor, or any member of a
    /// department marked `publisher: true`. Arguments: :user.
    static let writer = """
        EXISTS (SELECT 1 FROM department_members wm JOIN departments wd ON wd.id = wm.department_id
          WHERE wm.user_id = :user AND wm.department_id = a.department_id AND (wm.is_editor = 1 OR wd.publisher = 1))
        """
    /// The agent `user` (an SQL expression) is in one of announcement `announcement`'s directory groups:
    /// the groups remembered at single sign-on, or those the directory gave at the last sign-in or
    /// sync (`directory_accounts.groups`, full DNs: a group is met by its DN or its CN).
    static func inGroups(user: String, announcement: String) -> String {
        """
        (EXISTS (SELECT 1 FROM announcement_groups ag JOIN user_groups ug ON ug.name = ag.name
            WHERE ag.announcement_id = \(announcement) AND ug.user_id = \(user))
          OR EXISTS (SELECT 1 FROM announcement_groups ag, directory_accounts da, json_each(da.groups) j
            WHERE ag.announcement_id = \(announcement) AND da.user_id = \(user)
              AND (lower(j.value) = lower(ag.name)
                OR substr(lower(j.value), 1, length(ag.name) + 4) = 'cn=' || lower(ag.name) || ',')))
        """
    }

    /// The viewer is in the audience. Arguments: :user.
    static let audience = inAudience("a", user: ":user")

    /// The agent `user` (an SQL expression) is in the audience of the announcement aliased `a`.
    static func inAudience(_ a: String, user: String) -> String {
        """
        (\(a).everyone = 1
          OR EXISTS (SELECT 1 FROM announcement_departments ad JOIN department_members am ON am.department_id = ad.department_id
            WHERE ad.announcement_id = \(a).id AND am.user_id = \(user))
          OR \(inGroups(user: user, announcement: "\(a).id")))
        """
    }
    /// Published and past its publication time. Arguments: :now.
    static let live = "(a.state = 'published' AND a.publish_at <= :now)"
    /// What the viewer may see: their department's announcements in any state (writers), the live
    /// ones of their audience, and every live one for administrators (who follow confirmations).
    /// Drafts, pending and scheduled announcements are their department's writers' only.
    /// Arguments: :user, :admin, :now.
    static let visible = "(\(writer) OR (\(live) AND (:admin OR \(audience))))"
    /// The viewer may edit, delete, approve and see figures. Arguments: :user, :admin.
    static let manage = "(\(writer) OR :admin)"

    /// The status computed at :now.
    static let status = """
        CASE WHEN a.state <> 'published' THEN a.state WHEN a.publish_at > :now THEN 'scheduled'
          WHEN a.expire_at IS NOT NULL AND a.expire_at <= :now THEN 'expired' ELSE 'published' END
        """

    static func arguments(_ viewer: DocumentViewer, now: Date) -> [String: (any DatabaseValueConvertible)?] {
        ["user": viewer.userID, "admin": viewer.isAdmin, "now": now.unixSeconds]
    }

    static func rowID(_ db: Database, _ publicID: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM announcements WHERE public_id = ?", arguments: [publicID]) else {
            throw StoreError.notFound(what: "announcement", id: publicID)
        }
        return id
    }

    /// Announcements matching `condition` that `viewer` may see, as that viewer sees them.
    static func records(_ db: Database, where condition: String, _ extra: [String: (any DatabaseValueConvertible)?] = [:],
                        viewer: DocumentViewer, now: Date, order: String = "a.publish_at DESC, a.id DESC",
                        limit: Int = 200, asManager: Bool = false) throws -> [Announcement] {
        var args = arguments(viewer, now: now)
        args.merge(extra) { $1 }
        args["limit"] = max(0, limit)
        let rows = try db.cachedRows("""
            SELECT a.*, dep.key AS dep_key, dep.title AS dep_title, au.login AS author_login, ap.login AS approver_login,
              \(status) AS computed_status, \(manage) AS can_manage, \(audience) AS in_audience,
              (SELECT acknowledged_at FROM announcement_acknowledgements k WHERE k.announcement_id = a.id AND k.user_id = :user) AS acked
            FROM announcements a JOIN departments dep ON dep.id = a.department_id
            LEFT JOIN users au ON au.id = a.created_by LEFT JOIN users ap ON ap.id = a.approved_by
            WHERE \(asManager ? manage : visible) AND (\(condition)) ORDER BY \(order) LIMIT :limit
            """, StatementArguments(args))
        return try rows.map { try record(db, $0) }
    }

    /// An announcement just written by `viewer`, read back as the one who may manage it: an
    /// administrator who saves someone's announcement as a draft, or for later, may manage it
    /// without being its reader (reading it as a reader found nothing and crashed the request).
    static func written(_ db: Database, rowID: Int64, by viewer: DocumentViewer, now: Date) throws -> Announcement {
        guard let record = try records(db, where: "a.id = :row", ["row": rowID], viewer: viewer, now: now, asManager: true).first else {
            throw StoreError.notFound(what: "announcement", id: "\(rowID)")
        }
        return record
    }

    private static func record(_ db: Database, _ row: Row) throws -> Announcement {
        let rowID: Int64 = row["id"]
        let everyone: Bool = row["everyone"]
        let audience = everyone ? AnnouncementAudience.everyone : AnnouncementAudience(
            departments: try db.cachedValues(String.self, """
                SELECT d.key FROM announcement_departments x JOIN departments d ON d.id = x.department_id
                WHERE x.announcement_id = ? ORDER BY d.key
                """, [rowID]),
            groups: try db.cachedValues(String.self, "SELECT name FROM announcement_groups WHERE announcement_id = ? ORDER BY name",
                                        [rowID]))
        let expire: Int64? = row["expire_at"], acked: Int64? = row["acked"]
        let state: String = row["state"]
        let content = AnnouncementContent(
            title: row["title"], summary: row["summary"], bodyMarkdown: row["body_markdown"], bodyHTML: row["body_html"],
            bodyText: row["body_text"], category: row["category"], audience: audience, publishAt: Date(unixSeconds: row["publish_at"]),
            expireAt: expire.map(Date.init(unixSeconds:)), pinned: row["pinned"], mustRead: row["must_read"], isDraft: state == "draft")
        return Announcement(
            id: row["public_id"], departmentID: row["dep_key"], departmentTitle: row["dep_title"], content: content,
            status: AnnouncementStatus(rawValue: row["computed_status"]) ?? .draft, author: row["author_login"],
            approvedBy: row["approver_login"], createdAt: Date(unixSeconds: row["created_at"]),
            updatedAt: Date(unixSeconds: row["updated_at"]), acknowledgedAt: acked.map(Date.init(unixSeconds:)),
            canManage: row["can_manage"], inAudience: row["in_audience"], itemID: row["item_id"])
    }

    /// Replaces the audience lists; unknown departments are refused.
    static func setAudience(_ db: Database, rowID: Int64, _ audience: AnnouncementAudience) throws {
        try db.execute(sql: "DELETE FROM announcement_departments WHERE announcement_id = ?", arguments: [rowID])
        try db.execute(sql: "DELETE FROM announcement_groups WHERE announcement_id = ?", arguments: [rowID])
        for key in audience.departments {
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM departments WHERE key = ? AND retired_at IS NULL", arguments: [key]) else {
                throw StoreError.notFound(what: "department", id: key)
            }
            try db.execute(sql: "INSERT OR IGNORE INTO announcement_departments VALUES (?, ?)", arguments: [rowID, id])
        }
        for group in audience.groups {
            try db.execute(sql: "INSERT OR IGNORE INTO announcement_groups VALUES (?, ?)", arguments: [rowID, group])
        }
    }

    static func addRevision(_ db: Database, rowID: Int64, _ content: AnnouncementContent, by userID: Int64, at now: Int64) throws {
        try db.execute(sql: """
            INSERT INTO announcement_revisions (announcement_id, number, title, summary, body_markdown, edited_by, edited_at)
            VALUES (?1, (SELECT coalesce(max(number), 0) + 1 FROM announcement_revisions WHERE announcement_id = ?1), ?2, ?3, ?4, ?5, ?6)
            """, arguments: [rowID, content.title, content.summary, content.bodyMarkdown, userID, now])
    }

    /// Brings the full-text entry and the news channel item in line with the announcement's
    /// current state. Live announcements have an item, whatever their audience (one for a targeted
    /// audience is hidden from everyone else on every read: `ItemAudience`); one that goes back to
    /// draft or to a later date loses it.
    static func reindex(_ db: Database, rowID: Int64, now: Int64) throws {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT a.*, dep.key AS dep_key, dep.title AS dep_title FROM announcements a
            JOIN departments dep ON dep.id = a.department_id WHERE a.id = ?
            """, arguments: [rowID]) else { return }
        try db.execute(sql: "DELETE FROM announcements_fts WHERE rowid = ?", arguments: [rowID])
        try db.execute(sql: "INSERT INTO announcements_fts (rowid, title, summary, category, body) VALUES (?, ?, ?, ?, ?)",
                       arguments: [rowID, row["title"], row["summary"], row["category"], row["body_text"]])

        let publishAt: Int64 = row["publish_at"]
        let listed = row["state"] == "published" && publishAt <= now
        let itemID: Int64? = row["item_id"]
        let existing = try itemID.flatMap { try Bool.fetchOne(db, sql: "SELECT 1 FROM items WHERE id = ?", arguments: [$0]) } == true
        guard listed else {
            if let itemID { try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [itemID]) }
            try db.execute(sql: "UPDATE announcements SET item_id = NULL WHERE id = ?", arguments: [rowID])
            return
        }
        let title: String = row["title"], summary: String = row["summary"], html: String = row["body_html"], text: String = row["body_text"]
        let publicID: String = row["public_id"]
        let hash = ItemIdentity.hash(title, summary, text)
        if let itemID, existing {
            try db.execute(sql: """
                UPDATE items SET title = ?, summary = ?, content_html = ?, content_text = ?, content_hash = ?, fetched_at = ?,
                  is_updated = is_updated OR content_hash <> ? WHERE id = ?
                """, arguments: [title, summary, html, text, hash, now, hash, itemID])
            return
        }
        let departmentID: Int64 = row["department_id"]
        try AnnouncementSchema.ensureChannel(db, departmentID: departmentID)
        let departmentKey: String = row["dep_key"]
        guard let source = try Int64.fetchOne(db, sql: "SELECT id FROM sources WHERE key = ?", arguments: ["news:" + departmentKey]) else {
            return
        }
        try db.execute(sql: """
            INSERT INTO items (source_id, guid, guid_hash, title, link, author, summary, content_html, content_text, published, sort_at,
              fetched_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [source, publicID, ItemIdentity.hash(publicID), title, "/annonces/" + publicID, row["dep_title"],
                             summary, html, text, publishAt, publishAt, now, hash])
        let newItem = db.lastInsertedRowID
        try db.execute(sql: "UPDATE announcements SET item_id = ? WHERE id = ?", arguments: [newItem, rowID])
        try db.execute(sql: """
            INSERT OR IGNORE INTO channel_items (channel_id, sort_at, item_id)
            SELECT id, ?, ? FROM channels WHERE key = ? AND retired_at IS NULL
            """, arguments: [publishAt, newItem, "news-" + departmentKey])
    }
}
