import Foundation
import KiosqueStoreContract
import Logging
import PostgresNIO

/// Row mapping and the upkeep every change of an announcement needs (its item in the department's
/// news channel, its history), as SQLite's AnnouncementRows; rights are `AnnouncementScope`'s SQL.
/// The full-text entry is the table's generated `search_vector`: nothing to maintain.
enum PostgresAnnouncementRows {
    /// Announcements matching `condition` (SQL over `a`, with values bound in `scope`) that the
    /// scope's viewer may see (or manage, `asManager`), as that viewer sees them.
    static func records(_ connection: PostgresConnection, _ scope: AnnouncementScope, where condition: String,
                        order: String = "a.publish_at DESC, a.id DESC", limit: Int = 200, asManager: Bool = false,
                        logger: Logger) async throws -> [Announcement] {
        var scope = scope
        let limit = scope.bind(max(0, limit))
        let sql = """
            SELECT a.public_id, dep.key, dep.title, a.title, a.summary, a.body_markdown, a.body_html, a.body_text, a.category,
              a.everyone, a.publish_at, a.expire_at, a.pinned, a.must_read, a.state, au.login, ap.login, a.created_at, a.updated_at,
              \(scope.status), \(scope.manage), \(scope.audience),
              (SELECT acknowledged_at FROM announcement_acknowledgements k WHERE k.announcement_id = a.id AND k.user_id = \(scope.user)),
              a.item_id,
              ARRAY(SELECT d.key FROM announcement_departments x JOIN departments d ON d.id = x.department_id
                WHERE x.announcement_id = a.id ORDER BY d.key COLLATE "C"),
              ARRAY(SELECT g.name FROM announcement_groups g WHERE g.announcement_id = a.id ORDER BY lower(g.name COLLATE "C"))
            FROM announcements a JOIN departments dep ON dep.id = a.department_id
            LEFT JOIN users au ON au.id = a.created_by LEFT JOIN users ap ON ap.id = a.approved_by
            WHERE \(asManager ? scope.manage : scope.visible) AND (\(condition)) ORDER BY \(order) LIMIT \(limit)
            """
        var found: [Announcement] = []
        for try await row in try await connection.query(scope.query(sql), logger: logger) {
            found.append(try record(row))
        }
        return found
    }

    /// An announcement just written by the scope's viewer, read back as the one who may manage it
    /// (an administrator saving someone's draft may manage it without being its reader).
    static func written(_ connection: PostgresConnection, rowID: Int64, _ scope: AnnouncementScope,
                        logger: Logger) async throws -> Announcement {
        var scope = scope
        let row = scope.bind(rowID)
        guard let record = try await records(connection, scope, where: "a.id = \(row)", asManager: true, logger: logger).first else {
            throw StoreError.notFound(what: "announcement", id: "\(rowID)")
        }
        return record
    }

    /// Row id and state of an announcement the viewer may manage; hidden ones are not found,
    /// visible ones the viewer may not manage are forbidden.
    static func managed(_ connection: PostgresConnection, id: String, _ scope: AnnouncementScope,
                        logger: Logger) async throws -> (Int64, String) {
        var scope = scope
        let publicID = scope.bind(id)
        let sql = "SELECT a.id, a.state, \(scope.manage) FROM announcements a WHERE a.public_id = \(publicID) AND \(scope.visible)"
        for try await (rowID, state, canManage) in try await connection.query(scope.query(sql), logger: logger)
            .decode((Int64, String, Bool).self) {
            guard canManage else { throw StoreError.forbidden(what: "announcement", id: id) }
            return (rowID, state)
        }
        throw StoreError.notFound(what: "announcement", id: id)
    }

    private static func record(_ row: PostgresRow) throws -> Announcement {
        let c = row.makeRandomAccess()
        func date(_ seconds: Int64) -> Date { Date(unixSeconds: seconds) }
        let everyone = try c[9].decode(Bool.self)
        let audience = everyone ? AnnouncementAudience.everyone
            : AnnouncementAudience(departments: try c[24].decode([String].self), groups: try c[25].decode([String].self))
        let state = try c[14].decode(String.self)
        let content = AnnouncementContent(
            title: try c[3].decode(String.self), summary: try c[4].decode(String.self), bodyMarkdown: try c[5].decode(String.self),
            bodyHTML: try c[6].decode(String.self), bodyText: try c[7].decode(String.self), category: try c[8].decode(String?.self),
            audience: audience, publishAt: date(try c[10].decode(Int64.self)), expireAt: try c[11].decode(Int64?.self).map(date),
            pinned: try c[12].decode(Bool.self), mustRead: try c[13].decode(Bool.self), isDraft: state == "draft")
        return Announcement(
            id: try c[0].decode(String.self), departmentID: try c[1].decode(String.self), departmentTitle: try c[2].decode(String.self),
            content: content, status: AnnouncementStatus(rawValue: try c[19].decode(String.self)) ?? .draft,
            author: try c[15].decode(String?.self), approvedBy: try c[16].decode(String?.self),
            createdAt: date(try c[17].decode(Int64.self)), updatedAt: date(try c[18].decode(Int64.self)),
            acknowledgedAt: try c[22].decode(Int64?.self).map(date), canManage: try c[20].decode(Bool.self),
            inAudience: try c[21].decode(Bool.self), itemID: try c[23].decode(Int64?.self))
    }

    /// Saves the content, the audience and a revision of an announcement, then lists or unlists it.
    static func save(_ connection: PostgresConnection, rowID: Int64, content: AnnouncementContent, by userID: Int64, now: Int64,
                     logger: Logger) async throws {
        if let expire = content.expireAt, expire <= content.publishAt {
            throw StoreError.conflict(what: "announcement", detail: "expire_at must be after publish_at")
        }
        try await connection.query("""
            UPDATE announcements SET title = \(content.title), summary = \(content.summary), body_markdown = \(content.bodyMarkdown),
              body_html = \(content.bodyHTML), body_text = \(content.bodyText), category = \(content.category),
              everyone = \(content.audience.isEveryone), publish_at = \(content.publishAt.unixSeconds),
              expire_at = \(content.expireAt?.unixSeconds), pinned = \(content.pinned), must_read = \(content.mustRead)
            WHERE id = \(rowID)
            """, logger: logger)
        try await setAudience(connection, rowID: rowID, content.audience, logger: logger)
        try await connection.query("""
            INSERT INTO announcement_revisions (announcement_id, number, title, summary, body_markdown, edited_by, edited_at)
            VALUES (\(rowID), (SELECT coalesce(max(number), 0) + 1 FROM announcement_revisions WHERE announcement_id = \(rowID)),
              \(content.title), \(content.summary), \(content.bodyMarkdown), \(userID), \(now))
            """, logger: logger)
        try await reindex(connection, rowID: rowID, now: now, logger: logger)
    }

    /// Replaces the audience lists; unknown departments are refused.
    private static func setAudience(_ connection: PostgresConnection, rowID: Int64, _ audience: AnnouncementAudience,
                                    logger: Logger) async throws {
        try await connection.query("DELETE FROM announcement_departments WHERE announcement_id = \(rowID)", logger: logger)
        try await connection.query("DELETE FROM announcement_groups WHERE announcement_id = \(rowID)", logger: logger)
        let known = try await PostgresRows.all(connection.query("""
            SELECT key FROM departments WHERE key = ANY(\(audience.departments)) AND retired_at IS NULL
            """, logger: logger), String.self)
        if let unknown = audience.departments.first(where: { !known.contains($0) }) {
            throw StoreError.notFound(what: "department", id: unknown)
        }
        try await connection.query("""
            INSERT INTO announcement_departments (announcement_id, department_id)
            SELECT \(rowID), id FROM departments WHERE key = ANY(\(audience.departments)) AND retired_at IS NULL ON CONFLICT DO NOTHING
            """, logger: logger)
        for group in audience.groups {
            try await connection.query("""
                INSERT INTO announcement_groups (announcement_id, name) VALUES (\(rowID), \(group)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// Brings the news channel item in line with the announcement's current state. Live
    /// announcements have an item, whatever their audience (one for a targeted audience is hidden
    /// from everyone else on every read of items: `AnnouncementScope.itemVisible`); one that goes
    /// back to draft or to a later date loses it.
    static func reindex(_ connection: PostgresConnection, rowID: Int64, now: Int64, logger: Logger) async throws {
        var found: PostgresRandomAccessRow?
        for try await row in try await connection.query("""
            SELECT a.public_id, a.title, a.summary, a.body_html, a.body_text, a.publish_at, a.state, a.everyone, a.item_id,
              a.department_id, dep.key, dep.title, EXISTS (SELECT 1 FROM items i WHERE i.id = a.item_id)
            FROM announcements a JOIN departments dep ON dep.id = a.department_id WHERE a.id = \(rowID)
            """, logger: logger) {
            found = row.makeRandomAccess()
        }
        guard let c = found else { return }
        let publishAt = try c[5].decode(Int64.self)
        let itemID = try c[8].decode(Int64?.self)
        let listed = try c[6].decode(String.self) == "published" && publishAt <= now
        guard listed else {
            if let itemID { try await connection.query("DELETE FROM items WHERE id = \(itemID)", logger: logger) }
            try await connection.query("UPDATE announcements SET item_id = NULL WHERE id = \(rowID)", logger: logger)
            return
        }
        let publicID = try c[0].decode(String.self), title = try c[1].decode(String.self), summary = try c[2].decode(String.self)
        let html = try c[3].decode(String.self), text = try c[4].decode(String.self)
        let hash = ItemIdentity.hash(title, summary, text)
        if let itemID, try c[12].decode(Bool.self) {
            try await connection.query("""
                UPDATE items SET title = \(title), summary = \(summary), content_html = \(html), content_text = \(text),
                  content_hash = \(hash), fetched_at = \(now), is_updated = is_updated OR content_hash <> \(hash) WHERE id = \(itemID)
                """, logger: logger)
            return
        }
        let departmentKey = try c[10].decode(String.self)
        try await connection.query("SELECT kiosque_department_news_channel(\(try c[9].decode(Int64.self)))", logger: logger)
        guard let source = try await PostgresRows.all(connection.query(
            "SELECT id FROM sources WHERE key = \("news:" + departmentKey)", logger: logger), Int64.self).first else { return }
        guard let newItem = try await PostgresRows.all(connection.query("""
            INSERT INTO items (source_id, guid, guid_hash, title, link, author, summary, content_html, content_text, published, sort_at,
              fetched_at, content_hash)
            VALUES (\(source), \(publicID), \(ItemIdentity.hash(publicID)), \(title), \("/annonces/" + publicID), \(try c[11].decode(String.self)),
              \(summary), \(html), \(text), \(publishAt), \(publishAt), \(now), \(hash))
            RETURNING id
            """, logger: logger), Int64.self).first else { return }
        try await connection.query("UPDATE announcements SET item_id = \(newItem) WHERE id = \(rowID)", logger: logger)
        try await connection.query("""
            INSERT INTO channel_items (channel_id, sort_at, item_id)
            SELECT id, \(publishAt), \(newItem) FROM channels WHERE key = \("news-" + departmentKey) AND retired_at IS NULL
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// 128 random bits as 32 hex digits: ids that cannot be guessed or enumerated (as SQLite's).
    static func newPublicID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%016llx%016llx", generator.next() as UInt64, generator.next() as UInt64)
    }
}
