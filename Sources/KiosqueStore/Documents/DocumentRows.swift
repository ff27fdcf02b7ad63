import Foundation
import GRDB

/// Row mapping, rights in SQL, and the upkeep every change of a document needs (its item in the
/// department's channel, its full-text entry).
enum DocumentRows {
    /// 128 random bits as 32 hex digits: ids that cannot be guessed or enumerated.
    static func newPublicID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The SQL condition (on `d`) under which the viewer may see a document. Arguments: :user, :admin.
    static let visible = """
        (:admin OR EXISTS (SELECT 1 FROM department_members m WHERE m.user_id = :user AND m.department_id = d.department_id
            AND (m.is_editor = 1 OR (d.status = 'published' AND d.visibility = 'department')))
          OR (d.status = 'published' AND d.visibility = 'organisation'))
        """

    static func rowID(_ db: Database, _ publicID: String) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM documents WHERE public_id = ?", arguments: [publicID]) else {
            throw StoreError.notFound(what: "document", id: publicID)
        }
        return id
    }

    static func departments(_ db: Database, viewer: DocumentViewer, key: String?) throws -> [DepartmentInfo] {
        try Row.fetchAll(db, sql: """
            SELECT d.key, d.title, d.categories, m.user_id IS NOT NULL AS member, coalesce(m.is_editor, 0) AS editor
            FROM departments d LEFT JOIN department_members m ON m.department_id = d.id AND m.user_id = ?
            WHERE d.retired_at IS NULL AND (? IS NULL OR d.key = ?) ORDER BY d.title
            """, arguments: [viewer.userID, key, key]).map { row in
            DepartmentInfo(id: row["key"], title: row["title"], categories: JSONList.decode(row["categories"]),
                           isMember: row["member"] || viewer.isAdmin, canPublish: row["editor"] || viewer.isAdmin)
        }
    }

    /// Documents matching `condition`, filtered by what `viewer` may see (nil: no filter, for
    /// answers to a change the caller was already allowed to make).
    static func records(_ db: Database, where condition: String, _ arguments: [String: (any DatabaseValueConvertible)?],
                        viewer: DocumentViewer?, allVersions: Bool, order: String = "d.created_at DESC, d.id DESC",
                        limit: Int = 1_000) throws -> [DocumentRecord] {
        var args = arguments
        var sql = "SELECT d.*, dep.key AS dep_key, dep.title AS dep_title FROM documents d JOIN departments dep ON dep.id = d.department_id WHERE \(condition)"
        if let viewer {
            sql += " AND " + visible
            args["user"] = viewer.userID
            args["admin"] = viewer.isAdmin
        }
        sql += " ORDER BY \(order) LIMIT :rows_limit"
        args["rows_limit"] = limit
        let rows = try db.cachedRows(sql, StatementArguments(args))
        return try rows.map { row in
            let rowID: Int64 = row["id"]
            let versions = try db.cachedRows("""
                SELECT v.*, u.login FROM document_versions v LEFT JOIN users u ON u.id = v.uploaded_by
                WHERE v.document_id = ? ORDER BY v.number DESC LIMIT ?
                """, [rowID, allVersions ? 10_000 : 1]).map(version)
            return DocumentRecord(
                id: row["public_id"], departmentID: row["dep_key"], departmentTitle: row["dep_title"], title: row["title"],
                category: row["category"], description: row["description"], actDate: row["act_date"],
                tags: try db.cachedValues(String.self, "SELECT tag FROM document_tags WHERE document_id = ? ORDER BY tag", [rowID]),
                visibility: DocumentVisibility(rawValue: row["visibility"]) ?? .department,
                status: DocumentStatus(rawValue: row["status"]) ?? .unpublished,
                createdAt: Date(unixSeconds: row["created_at"]), updatedAt: Date(unixSeconds: row["updated_at"]), versions: versions)
        }
    }

    private static func version(_ row: Row) -> DocumentVersion {
        DocumentVersion(number: row["number"], sha256: row["sha256"], fileName: row["file_name"], mediaType: row["media_type"],
                        kind: row["kind"], size: row["size"], uploadedAt: Date(unixSeconds: row["uploaded_at"]),
                        uploadedBy: row["login"], indexStatus: IndexStatus(rawValue: row["index_status"]) ?? .pending,
                        indexError: row["index_error"], rowID: row["id"])
    }

    static func setTags(_ db: Database, rowID: Int64, _ tags: [String]) throws {
        try db.execute(sql: "DELETE FROM document_tags WHERE document_id = ?", arguments: [rowID])
        for tag in tags {
            try db.execute(sql: "INSERT OR IGNORE INTO document_tags (document_id, tag) VALUES (?, ?)", arguments: [rowID, tag])
        }
    }

    static func insertVersion(_ db: Database, rowID: Int64, file: StoredFile, by userID: Int64, at now: Int64) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO document_blobs (sha256, size, created_at) VALUES (?, ?, ?)",
                       arguments: [file.sha256, file.size, now])
        try db.execute(sql: """
            INSERT INTO document_versions (document_id, number, sha256, file_name, media_type, kind, size, uploaded_by, uploaded_at)
            VALUES (?1, (SELECT coalesce(max(number), 0) + 1 FROM document_versions WHERE document_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """, arguments: [rowID, file.sha256, file.fileName, file.mediaType, file.kind, file.size, userID, now])
    }

    /// Brings the document's full-text entry and its item in the department channel in line with
    /// its current state. Only published, organisation-wide documents have an item.
    static func reindex(_ db: Database, rowID: Int64, now: Int64, changed: Bool = false) throws {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT d.*, dep.key AS dep_key, dep.title AS dep_title,
              (SELECT text FROM document_versions WHERE document_id = d.id ORDER BY number DESC LIMIT 1) AS body,
              (SELECT group_concat(tag, ' ') FROM document_tags WHERE document_id = d.id) AS tag_text
            FROM documents d JOIN departments dep ON dep.id = d.department_id WHERE d.id = ?
            """, arguments: [rowID]) else { return }
        try db.execute(sql: "DELETE FROM documents_fts WHERE rowid = ?", arguments: [rowID])
        try db.execute(sql: "INSERT INTO documents_fts (rowid, title, description, category, tags, body) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [rowID, row["title"], row["description"], row["category"], row["tag_text"], row["body"]])

        let listed = row["status"] == "published" && row["visibility"] == "organisation"
        let itemID: Int64? = row["item_id"]
        guard listed else {
            if let itemID { try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [itemID]) }
            return
        }
        let title: String = row["title"], description: String = row["description"], body: String? = row["body"]
        let publicID: String = row["public_id"]
        let hash = ItemIdentity.hash(title, description, body)
        if let itemID, try Bool.fetchOne(db, sql: "SELECT 1 FROM items WHERE id = ?", arguments: [itemID]) == true {
            try db.execute(sql: """
                UPDATE items SET title = ?, summary = ?, content_text = ?, content_hash = ?, fetched_at = ?,
                  is_updated = is_updated OR ? WHERE id = ?
                """, arguments: [title, description, body, hash, now, changed, itemID])
            return
        }
        let departmentKey: String = row["dep_key"]
        guard let source = try Int64.fetchOne(db, sql: "SELECT id FROM sources WHERE key = ?", arguments: ["service:" + departmentKey]) else {
            return
        }
        let createdAt: Int64 = row["created_at"]
        try db.execute(sql: """
            INSERT INTO items (source_id, guid, guid_hash, title, link, author, summary, content_text, published, sort_at,
              fetched_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [source, publicID, ItemIdentity.hash(publicID), title, "/documents/" + publicID, row["dep_title"],
                             description, body, createdAt, createdAt, now, hash])
        let newItem = db.lastInsertedRowID
        try db.execute(sql: "UPDATE documents SET item_id = ? WHERE id = ?", arguments: [newItem, rowID])
        try db.execute(sql: """
            INSERT OR IGNORE INTO channel_items (channel_id, sort_at, item_id)
            SELECT id, ?, ? FROM channels WHERE key = ? AND retired_at IS NULL
            """, arguments: [createdAt, newItem, "service-" + departmentKey])
    }
}
