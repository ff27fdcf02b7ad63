public import Foundation
import GRDB

extension AppDatabase {
    /// The live departments where the viewer may write announcements, by title.
    public func newsDepartments(viewer: DocumentViewer) async throws(StoreError) -> [NewsDepartment] {
        try await read("listing the departments an agent writes for") { db in
            try Row.fetchAll(db, sql: """
                SELECT d.key, d.title, d.approval FROM departments d JOIN department_members m ON m.department_id = d.id
                WHERE m.user_id = ? AND d.retired_at IS NULL AND (m.is_editor = 1 OR d.publisher = 1) ORDER BY d.title
                """, arguments: [viewer.userID]).map { NewsDepartment(id: $0["key"], title: $0["title"], needsApproval: $0["approval"]) }
        }
    }

    /// Whether the viewer writes for the department (editor, or member of a publisher department).
    public func canWriteAnnouncements(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> Bool {
        try await newsDepartments(viewer: viewer).contains { $0.id == departmentID }
    }

    /// The announcement if the viewer may see it at `now` (nil otherwise: a hidden one looks absent).
    public func announcement(id: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> Announcement? {
        try await read("reading announcement \(id)") { db in
            try AnnouncementRows.records(db, where: "a.public_id = :id", ["id": id], viewer: viewer, now: now).first
        }
    }

    /// What the viewer may see, newest publication first: their departments' announcements in any
    /// state for writers, live ones of their audience (archived included) for everyone.
    public func announcements(viewer: DocumentViewer, departmentID: String? = nil, now: Date = Date(),
                              limit: Int = 100) async throws(StoreError) -> [Announcement] {
        try await read("listing announcements") { db in
            try AnnouncementRows.records(db, where: ":dep IS NULL OR a.department_id = (SELECT id FROM departments WHERE key = :dep)",
                                         ["dep": departmentID], viewer: viewer, now: now, limit: limit)
        }
    }

    /// "À la une" for an agent: the live, unexpired announcements of their audience that are
    /// pinned, or must-read and not yet confirmed by them; unconfirmed must-read first.
    public func frontPageAnnouncements(viewer: DocumentViewer, now: Date = Date(), limit: Int = 10) async throws(StoreError) -> [Announcement] {
        try await read("listing the front page announcements") { db in
            try AnnouncementRows.records(db, where: """
                \(AnnouncementRows.live) AND \(AnnouncementRows.audience) AND (a.expire_at IS NULL OR a.expire_at > :now)
                AND (a.pinned = 1 OR (a.must_read = 1 AND NOT EXISTS (SELECT 1 FROM announcement_acknowledgements k
                  WHERE k.announcement_id = a.id AND k.user_id = :user)))
                """, viewer: viewer, now: now,
                order: "(a.must_read = 1 AND acked IS NULL) DESC, a.pinned DESC, a.publish_at DESC, a.id DESC", limit: limit)
        }
    }

    /// Must-read announcements the agent has not confirmed (live, in their audience, not expired),
    /// oldest first: the reminders of the digest.
    public func unacknowledgedMustRead(viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> [Announcement] {
        try await read("listing unconfirmed must-read announcements") { db in
            try AnnouncementRows.records(db, where: """
                \(AnnouncementRows.live) AND \(AnnouncementRows.audience) AND (a.expire_at IS NULL OR a.expire_at > :now)
                AND a.must_read = 1 AND NOT EXISTS (SELECT 1 FROM announcement_acknowledgements k
                  WHERE k.announcement_id = a.id AND k.user_id = :user)
                """, viewer: viewer, now: now, order: "a.publish_at, a.id")
        }
    }

    /// Announcements of `category` of the agent's audience published after `since` and up to `now`,
    /// oldest first (a digest's press reviews): one indexed query, whatever the number of announcements.
    public func publishedAnnouncements(category: String, viewer: DocumentViewer, since: Date,
                                       now: Date = Date()) async throws(StoreError) -> [Announcement] {
        try await read("listing the announcements of a category") { db in
            try AnnouncementRows.records(db, where: """
                \(AnnouncementRows.live) AND \(AnnouncementRows.audience) AND a.publish_at > :since AND a.category = :category
                """, ["since": since.unixSeconds, "category": category], viewer: viewer, now: now, order: "a.publish_at, a.id", limit: 20)
        }
    }

    /// Full-text search of the announcements the viewer may see (archived ones included), best first.
    public func searchAnnouncements(query text: String, viewer: DocumentViewer, now: Date = Date(),
                                    limit: Int = 20) async throws(StoreError) -> [Announcement] {
        let query: SearchQuery
        do { query = try SearchQuery.parse(text) } catch { throw .invalidSearch(error) }
        guard let match = query.ftsExpression else { return [] }
        return try await read("searching announcements") { db in
            try AnnouncementRows.records(db, where: "a.id IN (SELECT rowid FROM announcements_fts WHERE announcements_fts MATCH :match)",
                                         ["match": match], viewer: viewer, now: now,
                                         order: "(SELECT rank FROM announcements_fts WHERE announcements_fts MATCH :match AND rowid = a.id)",
                                         limit: limit)
        }
    }

    /// Records a new announcement for `departmentID`; refused (`.forbidden`) unless the viewer
    /// writes for it. Submitted content is published at once, or waits for a second writer in a
    /// department marked `approval: true`.
    public func createAnnouncement(departmentID: String, content: AnnouncementContent, by viewer: DocumentViewer,
                                   now: Date = Date()) async throws(StoreError) -> Announcement {
        let publicID = DocumentRows.newPublicID()
        let cache = searchCache
        defer { cache.invalidate() }
        return try await write("writing an announcement in \(departmentID)", changes: .shared) { db in
            guard let department = try Row.fetchOne(db, sql: """
                SELECT d.id, d.approval FROM departments d JOIN department_members m ON m.department_id = d.id
                WHERE d.key = ? AND d.retired_at IS NULL AND m.user_id = ? AND (m.is_editor = 1 OR d.publisher = 1)
                """, arguments: [departmentID, viewer.userID]) else {
                throw StoreError.forbidden(what: "department", id: departmentID)
            }
            let state = content.isDraft ? "draft" : (department["approval"] as Bool) ? "pending" : "published"
            try db.execute(sql: """
                INSERT INTO announcements (public_id, department_id, created_by, created_at, updated_at, state, title, publish_at)
                VALUES (?, ?, ?, ?, ?, ?, '', 0)
                """, arguments: [publicID, department["id"] as Int64, viewer.userID, now.unixSeconds, now.unixSeconds, state])
            let rowID = db.lastInsertedRowID
            try Self.saveAnnouncement(db, rowID: rowID, content: content, by: viewer, now: now)
            return try AnnouncementRows.written(db, rowID: rowID, by: viewer, now: now)
        }
    }

    /// Replaces an announcement's content (its history keeps the previous versions). A draft
    /// submitted here goes to approval or publication like a new one. In a department that wants
    /// approval, a substantive change (title, summary, body, category, audience, must-read,
    /// publication time) of a published announcement by a writer goes back to approval — readers no
    /// longer see it until a second writer approves what changed; an administrator's edit, or a
    /// change of pinning or expiry only, keeps it published.
    public func updateAnnouncement(id: String, content: AnnouncementContent, by viewer: DocumentViewer,
                                   now: Date = Date()) async throws(StoreError) -> Announcement {
        let cache = searchCache
        defer { cache.invalidate() }
        return try await write("editing announcement \(id)", changes: .shared) { db in
            let (rowID, state) = try Self.managed(db, id: id, viewer: viewer, now: now)
            let approval = try Bool.fetchOne(db, sql: """
                SELECT d.approval FROM announcements a JOIN departments d ON d.id = a.department_id WHERE a.id = ?
                """, arguments: [rowID]) ?? false
            let current = try AnnouncementRows.written(db, rowID: rowID, by: viewer, now: now).content
            let reviewAgain = approval && !viewer.isAdmin && state == "published" && Self.isSubstantive(from: current, to: content)
            let newState = content.isDraft ? "draft" : state == "published" && !reviewAgain ? "published" : approval ? "pending" : "published"
            try db.execute(sql: "UPDATE announcements SET state = ?, updated_at = ?, approved_by = CASE WHEN ? = 'published' THEN approved_by END WHERE id = ?",
                           arguments: [newState, now.unixSeconds, newState, rowID])
            try Self.saveAnnouncement(db, rowID: rowID, content: content, by: viewer, now: now)
            return try AnnouncementRows.written(db, rowID: rowID, by: viewer, now: now)
        }
    }

    /// A second writer of the department (or an administrator) approves a pending announcement;
    /// its author cannot approve it.
    public func approveAnnouncement(id: String, by viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> Announcement {
        let cache = searchCache
        defer { cache.invalidate() }
        return try await write("approving announcement \(id)", changes: .shared) { db in
            let (rowID, state) = try Self.managed(db, id: id, viewer: viewer, now: now)
            guard state == "pending" else { throw StoreError.conflict(what: "announcement \(id)", detail: "not awaiting approval") }
            // Whoever wrote the version waiting (its author, or the writer whose edit sent it back) cannot approve it.
            let submitter = try Int64.fetchOne(db, sql: """
                SELECT coalesce((SELECT edited_by FROM announcement_revisions WHERE announcement_id = ?1 ORDER BY number DESC LIMIT 1),
                  (SELECT created_by FROM announcements WHERE id = ?1))
                """, arguments: [rowID])
            guard submitter != viewer.userID else {
                throw StoreError.forbidden(what: "announcement", id: id)
            }
            try db.execute(sql: "UPDATE announcements SET state = 'published', approved_by = ?, updated_at = ? WHERE id = ?",
                           arguments: [viewer.userID, now.unixSeconds, rowID])
            try AnnouncementRows.reindex(db, rowID: rowID, now: now.unixSeconds)
            return try AnnouncementRows.written(db, rowID: rowID, by: viewer, now: now)
        }
    }

    /// Deletes an announcement, its item, confirmations and figures.
    public func deleteAnnouncement(id: String, by viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) {
        let cache = searchCache
        defer { cache.invalidate() }
        try await write("deleting announcement \(id)", changes: .shared) { db in
            let (rowID, _) = try Self.managed(db, id: id, viewer: viewer, now: now)
            try db.execute(sql: "DELETE FROM items WHERE id = (SELECT item_id FROM announcements WHERE id = ?)", arguments: [rowID])
            try db.execute(sql: "DELETE FROM announcements_fts WHERE rowid = ?", arguments: [rowID])
            try db.execute(sql: "DELETE FROM announcements WHERE id = ?", arguments: [rowID])
        }
    }

    /// The saved versions, newest first (writers and administrators).
    public func announcementHistory(id: String, viewer: DocumentViewer, now: Date = Date()) async throws(StoreError) -> [AnnouncementRevision] {
        try await read("reading the history of announcement \(id)") { db in
            let (rowID, _) = try Self.managed(db, id: id, viewer: viewer, now: now)
            return try Row.fetchAll(db, sql: """
                SELECT r.*, u.login FROM announcement_revisions r LEFT JOIN users u ON u.id = r.edited_by
                WHERE r.announcement_id = ? ORDER BY r.number DESC
                """, arguments: [rowID]).map {
                AnnouncementRevision(number: $0["number"], title: $0["title"], summary: $0["summary"], bodyMarkdown: $0["body_markdown"],
                                     editedBy: $0["login"], editedAt: Date(unixSeconds: $0["edited_at"]))
            }
        }
    }

    /// Lists in the news channels the announcements whose publication time has come (scheduled ones
    /// get their item then; a targeted one's item is for its audience only). Cheap when there is
    /// nothing to do; returns how many.
    @discardableResult
    public func publishDueAnnouncements(now: Date = Date()) async throws(StoreError) -> Int {
        let due = "SELECT id FROM announcements WHERE state = 'published' AND publish_at <= ? AND item_id IS NULL"
        let pending = try await read("looking for due announcements") { db in try Bool.fetchOne(db, sql: due + " LIMIT 1", arguments: [now.unixSeconds]) ?? false }
        guard pending else { return 0 }
        let cache = searchCache
        defer { cache.invalidate() }
        return try await write("listing due announcements", changes: .shared) { db in
            let ids = try Int64.fetchAll(db, sql: due, arguments: [now.unixSeconds])
            for rowID in ids { try AnnouncementRows.reindex(db, rowID: rowID, now: now.unixSeconds) }
            return ids.count
        }
    }

    /// Changes with the clock whenever an announcement's publication or expiry time passes (no write
    /// marks those moments): a page cached with it is not served past them.
    public func announcementEpoch(now: Date = Date()) async throws(StoreError) -> String {
        try await read("reading the announcements' epoch") { db in
            try String.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM announcements WHERE state = 'published' AND publish_at <= ?1) || '-'
                  || (SELECT count(*) FROM announcements WHERE expire_at IS NOT NULL AND expire_at <= ?1)
                """, arguments: [now.unixSeconds]) ?? ""
        }
    }

    /// Row id and state of an announcement the viewer may manage; hidden ones are not found,
    /// visible ones the viewer may not manage are forbidden.
    static func managed(_ db: Database, id: String, viewer: DocumentViewer, now: Date) throws -> (Int64, String) {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT a.id, a.state, \(AnnouncementRows.manage) AS can_manage FROM announcements a
            WHERE a.public_id = :id AND \(AnnouncementRows.visible)
            """, arguments: StatementArguments(AnnouncementRows.arguments(viewer, now: now).merging(["id": id]) { $1 })) else {
            throw StoreError.notFound(what: "announcement", id: id)
        }
        guard row["can_manage"] as Bool else { throw StoreError.forbidden(what: "announcement", id: id) }
        return (row["id"], row["state"])
    }

    /// Whether an edit changes what readers were approved to read (pinning and expiry are not).
    static func isSubstantive(from old: AnnouncementContent, to new: AnnouncementContent) -> Bool {
        old.title != new.title || old.summary != new.summary || old.bodyMarkdown != new.bodyMarkdown || old.category != new.category
            || Set(old.audience.departments) != Set(new.audience.departments)
            || Set(old.audience.groups.map { $0.lowercased() }) != Set(new.audience.groups.map { $0.lowercased() })
            || old.mustRead != new.mustRead || old.publishAt.unixSeconds != new.publishAt.unixSeconds
    }

    private static func saveAnnouncement(_ db: Database, rowID: Int64, content: AnnouncementContent, by viewer: DocumentViewer,
                                         now: Date) throws {
        if let expire = content.expireAt, expire <= content.publishAt {
            throw StoreError.conflict(what: "announcement", detail: "expire_at must be after publish_at")
        }
        try db.execute(sql: """
            UPDATE announcements SET title = ?, summary = ?, body_markdown = ?, body_html = ?, body_text = ?, category = ?,
              everyone = ?, publish_at = ?, expire_at = ?, pinned = ?, must_read = ? WHERE id = ?
            """, arguments: [content.title, content.summary, content.bodyMarkdown, content.bodyHTML, content.bodyText, content.category,
                             content.audience.isEveryone, content.publishAt.unixSeconds, content.expireAt?.unixSeconds,
                             content.pinned, content.mustRead, rowID])
        try AnnouncementRows.setAudience(db, rowID: rowID, content.audience)
        try AnnouncementRows.addRevision(db, rowID: rowID, content, by: viewer.userID, at: now.unixSeconds)
        if let documents = content.attachedDocuments { try setAnnouncementDocuments(db, rowID: rowID, documents, by: viewer) }
        try AnnouncementRows.reindex(db, rowID: rowID, now: now.unixSeconds)
    }
}
