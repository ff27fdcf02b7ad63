public import Foundation
import GRDB

/// The documents attached to announcements (issue 17): links from an announcement to existing
/// documents of its own department, in order. A link goes with either side (ON DELETE CASCADE);
/// every read checks the announcement's rights AND the document's (`DocumentRows.visible`) in SQL,
/// so an agent who may not see a document does not learn it is attached.
enum AnnouncementDocumentSchema {
    /// Migration "v15-announcement-documents".
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE announcement_documents (
              announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
              document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
              position INTEGER NOT NULL,
              PRIMARY KEY (announcement_id, document_id)
            ) WITHOUT ROWID;
            CREATE INDEX announcement_documents_document ON announcement_documents(document_id);
            """)
    }
}

extension AppDatabase {
    /// The documents attached to several announcements, by announcement id, each in its order:
    /// listed only when the viewer may see the announcement and the document.
    public func announcementDocuments(announcementIDs: [String], viewer: DocumentViewer,
                                      now: Date = Date()) async throws(StoreError) -> [String: [AnnouncementDocument]] {
        guard !announcementIDs.isEmpty else { return [:] }
        return try await read("listing the documents of \(announcementIDs.count) announcements") { db in
            var args = AnnouncementRows.arguments(viewer, now: now)
            for (index, id) in announcementIDs.enumerated() { args["id\(index)"] = id }
            let ids = announcementIDs.indices.map { ":id\($0)" }.joined(separator: ", ")
            var found: [String: [AnnouncementDocument]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT a.public_id AS announcement, d.public_id, d.title, x.position, v.kind, v.media_type, v.size
                FROM announcement_documents x JOIN announcements a ON a.id = x.announcement_id
                JOIN documents d ON d.id = x.document_id
                LEFT JOIN document_versions v ON v.id = (SELECT id FROM document_versions WHERE document_id = d.id ORDER BY number DESC LIMIT 1)
                WHERE a.public_id IN (\(ids)) AND \(AnnouncementRows.visible) AND \(DocumentRows.visible)
                ORDER BY a.id, x.position
                """, arguments: StatementArguments(args)) {
                found[row["announcement"], default: []].append(AnnouncementDocument(
                    id: row["public_id"], title: row["title"], kind: row["kind"] ?? "", mediaType: row["media_type"] ?? "",
                    size: row["size"] ?? 0, position: row["position"]))
            }
            return found
        }
    }

    /// Replaces the documents attached to announcement `rowID` (in the caller's transaction):
    /// `ids` in order, duplicates once. A document must be one the writer may see (else it is
    /// unknown: `.notFound(what: "document")`) and belong to the announcement's department
    /// (else `.conflict` naming it); at most `AnnouncementDocument.maxPerAnnouncement`. Attached
    /// documents the writer may not see (unpublished, for a writer who is not an editor) stay, after
    /// the given ones: nobody removes what they cannot see.
    static func setAnnouncementDocuments(_ db: Database, rowID: Int64, _ ids: [String], by viewer: DocumentViewer) throws {
        var seen = Set<String>()
        let wanted = ids.filter { seen.insert($0).inserted }
        let department = try Row.fetchOne(db, sql: """
            SELECT dep.id, dep.key FROM announcements a JOIN departments dep ON dep.id = a.department_id WHERE a.id = ?
            """, arguments: [rowID])
        let departmentID: Int64? = department?["id"], departmentKey: String = department?["key"] ?? ""
        var rows: [Int64] = []
        for id in wanted {
            guard let row = try Row.fetchOne(db, sql: """
                SELECT d.id, d.department_id FROM documents d WHERE d.public_id = :document AND \(DocumentRows.visible)
                """, arguments: ["document": id, "user": viewer.userID, "admin": viewer.isAdmin]) else {
                throw StoreError.notFound(what: "document", id: id)
            }
            guard row["department_id"] as Int64? == departmentID else {
                throw StoreError.conflict(what: "document \(id)",
                                          detail: "document \(id) belongs to another department: only documents of \(departmentKey) may be attached")
            }
            rows.append(row["id"])
        }
        rows += try Int64.fetchAll(db, sql: """
            SELECT x.document_id FROM announcement_documents x JOIN documents d ON d.id = x.document_id
            WHERE x.announcement_id = :announcement AND NOT \(DocumentRows.visible) ORDER BY x.position
            """, arguments: ["announcement": rowID, "user": viewer.userID, "admin": viewer.isAdmin])
        guard rows.count <= AnnouncementDocument.maxPerAnnouncement else {
            throw StoreError.conflict(what: "announcement documents",
                                      detail: "at most \(AnnouncementDocument.maxPerAnnouncement) documents may be attached")
        }
        try db.execute(sql: "DELETE FROM announcement_documents WHERE announcement_id = ?", arguments: [rowID])
        for (position, document) in rows.enumerated() {
            try db.execute(sql: "INSERT INTO announcement_documents (announcement_id, document_id, position) VALUES (?, ?, ?)",
                           arguments: [rowID, document, position])
        }
    }
}
