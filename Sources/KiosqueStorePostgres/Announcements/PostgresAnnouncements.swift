public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Announcements on PostgreSQL (SQLite's Announcements/AnnouncementStore.swift): the audience is
/// checked in SQL on every read (`AnnouncementScope.visible`), one transaction per use case.
extension PostgresStore {
    /// The live departments where the viewer may write announcements, by title.
    public func newsDepartments(viewer: DocumentViewer) async throws(StoreError) -> [NewsDepartment] {
        try await departments("listing the departments an agent writes for", viewer: viewer, condition: "(m.is_editor OR d.publisher)")
    }

    /// The publisher departments (Communication…) where the viewer prepares press reviews, by title.
    public func pressReviewDepartments(viewer: DocumentViewer) async throws(StoreError) -> [NewsDepartment] {
        try await departments("listing the press review departments", viewer: viewer, condition: "d.publisher")
    }

    /// Whether the viewer writes for the department (editor, or member of a publisher department).
    public func canWriteAnnouncements(departmentID: String, viewer: DocumentViewer) async throws(StoreError) -> Bool {
        try await newsDepartments(viewer: viewer).contains { $0.id == departmentID }
    }

    /// The announcement if the viewer may see it at `now` (nil otherwise: a hidden one looks absent).
    public func announcement(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> Announcement? {
        var scope = AnnouncementScope(viewer, now: now)
        let publicID = scope.bind(id)
        return try await announcementRecords("reading announcement \(id)", scope, where: "a.public_id = \(publicID)").first
    }

    /// What the viewer may see, newest publication first: their departments' announcements in any
    /// state for writers, live ones of their audience (archived included) for everyone.
    public func announcements(viewer: DocumentViewer, departmentID: String?, now: Date, limit: Int) async throws(StoreError) -> [Announcement] {
        var scope = AnnouncementScope(viewer, now: now)
        let department = scope.bind(departmentID, as: "text")
        return try await announcementRecords("listing announcements", scope, where: """
            \(department) IS NULL OR a.department_id = (SELECT id FROM departments WHERE key = \(department))
            """, limit: limit)
    }

    /// "À la une" for an agent: the live, unexpired announcements of their audience that are
    /// pinned, or must-read and not yet confirmed by them; unconfirmed must-read first.
    public func frontPageAnnouncements(viewer: DocumentViewer, now: Date, limit: Int) async throws(StoreError) -> [Announcement] {
        let scope = AnnouncementScope(viewer, now: now)
        return try await announcementRecords("listing the front page announcements", scope, where: """
            \(scope.live) AND \(scope.audience) AND \(scope.unexpired) AND (a.pinned OR (a.must_read AND \(scope.unconfirmed)))
            """, order: "(a.must_read AND \(scope.unconfirmed)) DESC, a.pinned DESC, a.publish_at DESC, a.id DESC", limit: limit)
    }

    /// Must-read announcements the agent has not confirmed (live, in their audience, not expired),
    /// oldest first: the reminders of the digest.
    public func unacknowledgedMustRead(viewer: DocumentViewer, now: Date) async throws(StoreError) -> [Announcement] {
        let scope = AnnouncementScope(viewer, now: now)
        return try await announcementRecords("listing unconfirmed must-read announcements", scope, where: """
            \(scope.live) AND \(scope.audience) AND \(scope.unexpired) AND a.must_read AND \(scope.unconfirmed)
            """, order: "a.publish_at, a.id")
    }

    /// Announcements of `category` of the agent's audience published after `since` and up to `now`,
    /// oldest first (a digest's press reviews).
    public func publishedAnnouncements(category: String, viewer: DocumentViewer, since: Date, now: Date) async throws(StoreError) -> [Announcement] {
        var scope = AnnouncementScope(viewer, now: now)
        let after = scope.bind(since.unixSeconds), wanted = scope.bind(category)
        return try await announcementRecords("listing the announcements of a category", scope, where: """
            \(scope.live) AND \(scope.audience) AND a.publish_at > \(after) AND a.category = \(wanted)
            """, order: "a.publish_at, a.id", limit: 20)
    }

    /// Full-text search (French text search over the stored `search_vector`) of the announcements
    /// the viewer may see, archived ones included, best first.
    public func searchAnnouncements(query text: String, viewer: DocumentViewer, now: Date, limit: Int) async throws(StoreError) -> [Announcement] {
        let query: SearchQuery
        do { query = try SearchQuery.parse(text) } catch { throw .invalidSearch(error) }
        var scope = AnnouncementScope(viewer, now: now)
        guard let match = scope.textQuery(query) else { return [] }
        return try await announcementRecords("searching announcements", scope, where: "a.search_vector @@ \(match)",
                                       order: "ts_rank_cd('{0.05, 0.2, 0.4, 1.0}', a.search_vector, \(match), 1) DESC, a.id DESC",
                                       limit: limit)
    }

    /// Records a new announcement for `departmentID`; refused (`.forbidden`) unless the viewer
    /// writes for it. Submitted content is published at once, or waits for a second writer in a
    /// department marked `approval: true`.
    public func createAnnouncement(departmentID: String, content: AnnouncementContent, by viewer: DocumentViewer,
                                   now: Date) async throws(StoreError) -> Announcement {
        let publicID = PostgresAnnouncementRows.newPublicID()
        let logger = self.logger
        return try await write("writing an announcement in \(departmentID)") { connection in
            var department: (id: Int64, approval: Bool)?
            for try await row in try await connection.query("""
                SELECT d.id, d.approval FROM departments d JOIN department_members m ON m.department_id = d.id
                WHERE d.key = \(departmentID) AND d.retired_at IS NULL AND m.user_id = \(viewer.userID) AND (m.is_editor OR d.publisher)
                """, logger: logger).decode((Int64, Bool).self) {
                department = (row.0, row.1)
            }
            guard let department else { throw StoreError.forbidden(what: "department", id: departmentID) }
            let state = content.isDraft ? "draft" : department.approval ? "pending" : "published"
            guard let rowID = try await PostgresRows.all(connection.query("""
                INSERT INTO announcements (public_id, department_id, created_by, created_at, updated_at, state, title, publish_at)
                VALUES (\(publicID), \(department.id), \(viewer.userID), \(now.unixSeconds), \(now.unixSeconds), \(state), '', 0)
                RETURNING id
                """, logger: logger), Int64.self).first else {
                throw PostgresStoreError.unexpected(what: "writing an announcement")
            }
            try await PostgresAnnouncementRows.save(connection, rowID: rowID, content: content, by: viewer.userID, now: now.unixSeconds,
                                                    logger: logger)
            if let documents = content.attachedDocuments {
                try await PostgresAnnouncementDocuments.set(connection, rowID: rowID, documents, by: viewer, logger: logger)
            }
            return try await PostgresAnnouncementRows.written(connection, rowID: rowID, AnnouncementScope(viewer, now: now), logger: logger)
        }
    }

    /// Replaces an announcement's content (its history keeps the previous versions). A draft
    /// submitted here goes to approval or publication like a new one. In a department that wants
    /// approval, a substantive change of a published announcement by a writer goes back to
    /// approval; an administrator's edit, or a change of pinning or expiry only, keeps it published.
    public func updateAnnouncement(id: String, content: AnnouncementContent, by viewer: DocumentViewer,
                                   now: Date) async throws(StoreError) -> Announcement {
        let logger = self.logger
        return try await write("editing announcement \(id)") { connection in
            let scope = AnnouncementScope(viewer, now: now)
            let (rowID, state) = try await PostgresAnnouncementRows.managed(connection, id: id, scope, logger: logger)
            let approval = try await PostgresRows.all(connection.query("""
                SELECT d.approval FROM announcements a JOIN departments d ON d.id = a.department_id WHERE a.id = \(rowID)
                """, logger: logger), Bool.self).first ?? false
            let current = try await PostgresAnnouncementRows.written(connection, rowID: rowID, scope, logger: logger).content
            let reviewAgain = approval && !viewer.isAdmin && state == "published" && Self.isSubstantive(from: current, to: content)
            let newState = content.isDraft ? "draft" : state == "published" && !reviewAgain ? "published" : approval ? "pending" : "published"
            try await connection.query("""
                UPDATE announcements SET state = \(newState), updated_at = \(now.unixSeconds),
                  approved_by = CASE WHEN \(newState) = 'published' THEN approved_by END WHERE id = \(rowID)
                """, logger: logger)
            try await PostgresAnnouncementRows.save(connection, rowID: rowID, content: content, by: viewer.userID, now: now.unixSeconds,
                                                    logger: logger)
            if let documents = content.attachedDocuments {
                try await PostgresAnnouncementDocuments.set(connection, rowID: rowID, documents, by: viewer, logger: logger)
            }
            return try await PostgresAnnouncementRows.written(connection, rowID: rowID, scope, logger: logger)
        }
    }

    /// A second writer of the department (or an administrator) approves a pending announcement;
    /// whoever wrote the version waiting cannot approve it.
    public func approveAnnouncement(id: String, by viewer: DocumentViewer, now: Date) async throws(StoreError) -> Announcement {
        let logger = self.logger
        return try await write("approving announcement \(id)") { connection in
            let scope = AnnouncementScope(viewer, now: now)
            let (rowID, state) = try await PostgresAnnouncementRows.managed(connection, id: id, scope, logger: logger)
            guard state == "pending" else { throw StoreError.conflict(what: "announcement \(id)", detail: "not awaiting approval") }
            let submitter = try await PostgresRows.all(connection.query("""
                SELECT coalesce((SELECT edited_by FROM announcement_revisions WHERE announcement_id = \(rowID) ORDER BY number DESC LIMIT 1),
                  (SELECT created_by FROM announcements WHERE id = \(rowID)))
                """, logger: logger), Int64?.self).first ?? nil
            guard submitter != viewer.userID else { throw StoreError.forbidden(what: "announcement", id: id) }
            try await connection.query("""
                UPDATE announcements SET state = 'published', approved_by = \(viewer.userID), updated_at = \(now.unixSeconds)
                WHERE id = \(rowID)
                """, logger: logger)
            try await PostgresAnnouncementRows.reindex(connection, rowID: rowID, now: now.unixSeconds, logger: logger)
            return try await PostgresAnnouncementRows.written(connection, rowID: rowID, scope, logger: logger)
        }
    }

    /// Deletes an announcement, its item, confirmations and figures.
    public func deleteAnnouncement(id: String, by viewer: DocumentViewer, now: Date) async throws(StoreError) {
        let logger = self.logger
        try await write("deleting announcement \(id)") { connection in
            let (rowID, _) = try await PostgresAnnouncementRows.managed(connection, id: id, AnnouncementScope(viewer, now: now), logger: logger)
            try await connection.query("DELETE FROM items WHERE id = (SELECT item_id FROM announcements WHERE id = \(rowID))", logger: logger)
            try await connection.query("DELETE FROM announcements WHERE id = \(rowID)", logger: logger)
        }
    }

    /// The saved versions, newest first (writers and administrators).
    public func announcementHistory(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) -> [AnnouncementRevision] {
        let logger = self.logger
        return try await read("reading the history of announcement \(id)") { connection in
            let (rowID, _) = try await PostgresAnnouncementRows.managed(connection, id: id, AnnouncementScope(viewer, now: now), logger: logger)
            var revisions: [AnnouncementRevision] = []
            for try await (number, title, summary, body, login, at) in try await connection.query("""
                SELECT r.number, r.title, r.summary, r.body_markdown, u.login, r.edited_at
                FROM announcement_revisions r LEFT JOIN users u ON u.id = r.edited_by
                WHERE r.announcement_id = \(rowID) ORDER BY r.number DESC
                """, logger: logger).decode((Int, String, String, String, String?, Int64).self) {
                revisions.append(AnnouncementRevision(number: number, title: title, summary: summary, bodyMarkdown: body, editedBy: login,
                                                      editedAt: Date(unixSeconds: at)))
            }
            return revisions
        }
    }

    /// Lists in the news channels the announcements whose publication time has come (scheduled ones
    /// get their item then; a targeted one's item is for its audience only). Cheap when there is
    /// nothing to do; returns how many.
    @discardableResult
    public func publishDueAnnouncements(now: Date) async throws(StoreError) -> Int {
        let logger = self.logger
        let time = now.unixSeconds
        let pending = try await read("looking for due announcements") { connection in
            try await PostgresRows.all(connection.query("""
                SELECT 1 FROM announcements WHERE state = 'published' AND publish_at <= \(time) AND item_id IS NULL LIMIT 1
                """, logger: logger), Int32.self).isEmpty == false
        }
        guard pending else { return 0 }
        return try await write("listing due announcements") { connection in
            // Locked: two instances publishing at once list each announcement once.
            let ids = try await PostgresRows.all(connection.query("""
                SELECT id FROM announcements WHERE state = 'published' AND publish_at <= \(time) AND item_id IS NULL
                ORDER BY id FOR UPDATE SKIP LOCKED
                """, logger: logger), Int64.self)
            for rowID in ids { try await PostgresAnnouncementRows.reindex(connection, rowID: rowID, now: time, logger: logger) }
            return ids.count
        }
    }

    /// Changes with the clock whenever an announcement's publication or expiry time passes (no write
    /// marks those moments): a page cached with it is not served past them.
    public func announcementEpoch(now: Date) async throws(StoreError) -> String {
        let logger = self.logger
        return try await read("reading the announcements' epoch") { connection in
            try await PostgresRows.all(connection.query("""
                SELECT (SELECT count(*) FROM announcements WHERE state = 'published' AND publish_at <= \(now.unixSeconds)) || '-'
                  || (SELECT count(*) FROM announcements WHERE expire_at IS NOT NULL AND expire_at <= \(now.unixSeconds))
                """, logger: logger), String.self).first ?? ""
        }
    }

    /// Whether an edit changes what readers were approved to read (pinning and expiry are not).
    static func isSubstantive(from old: AnnouncementContent, to new: AnnouncementContent) -> Bool {
        old.title != new.title || old.summary != new.summary || old.bodyMarkdown != new.bodyMarkdown || old.category != new.category
            || Set(old.audience.departments) != Set(new.audience.departments)
            || Set(old.audience.groups.map { $0.lowercased() }) != Set(new.audience.groups.map { $0.lowercased() })
            || old.mustRead != new.mustRead || old.publishAt.unixSeconds != new.publishAt.unixSeconds
    }

    /// Announcements read with `scope`'s rights in one read.
    private func announcementRecords(_ what: String, _ scope: AnnouncementScope, where condition: String,
                               order: String = "a.publish_at DESC, a.id DESC", limit: Int = 200) async throws(StoreError) -> [Announcement] {
        let logger = self.logger
        return try await read(what) { connection in
            try await PostgresAnnouncementRows.records(connection, scope, where: condition, order: order, limit: limit, logger: logger)
        }
    }

    /// The viewer's live departments meeting `condition` (over `d` and the membership `m`), by title.
    private func departments(_ what: String, viewer: DocumentViewer, condition: String) async throws(StoreError) -> [NewsDepartment] {
        let logger = self.logger
        return try await read(what) { connection in
            var list: [NewsDepartment] = []
            for try await (key, title, approval) in try await connection.query("""
                SELECT d.key, d.title, d.approval FROM departments d JOIN department_members m ON m.department_id = d.id
                WHERE m.user_id = \(viewer.userID) AND d.retired_at IS NULL AND \(unescaped: condition) ORDER BY d.title COLLATE "C"
                """, logger: logger).decode((String, String, Bool).self) {
                list.append(NewsDepartment(id: key, title: title, needsApproval: approval))
            }
            return list
        }
    }
}

extension PostgresStore: AnnouncementStore {}
