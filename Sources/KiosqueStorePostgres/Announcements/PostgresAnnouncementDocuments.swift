public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// The documents attached to announcements on PostgreSQL (SQLite's AnnouncementDocuments.swift):
/// every read checks the announcement's rights (`AnnouncementScope.visible`) AND the document's
/// (`PostgresDocumentRows.visible`) in SQL.
extension PostgresStore {
    /// The documents attached to several announcements, by announcement id, each in its order:
    /// listed only when the viewer may see the announcement and the document.
    public func announcementDocuments(announcementIDs: [String], viewer: DocumentViewer,
                                      now: Date) async throws(StoreError) -> [String: [AnnouncementDocument]] {
        guard !announcementIDs.isEmpty else { return [:] }
        let logger = self.logger
        let rows = try await read("listing the documents of \(announcementIDs.count) announcements") { connection in
            var scope = AnnouncementScope(viewer, now: now)
            let ids = scope.bind(announcementIDs)
            let announcementVisible = scope.visible
            var builder = scope.builder
            let documentVisible = PostgresDocumentRows.visible(viewer, &builder)
            var found: [AttachedDocumentRow] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT a.public_id, d.public_id, d.title, x.position, v.kind, v.media_type, v.size
                FROM announcement_documents x JOIN announcements a ON a.id = x.announcement_id
                JOIN documents d ON d.id = x.document_id
                LEFT JOIN LATERAL (SELECT kind, media_type, size FROM document_versions WHERE document_id = d.id
                  ORDER BY number DESC LIMIT 1) v ON true
                WHERE a.public_id = ANY(\(ids)) AND \(announcementVisible) AND \(documentVisible)
                ORDER BY a.id, x.position
                """, binds: builder.binds), logger: logger).decode((String, String, String, Int32, String?, String?, Int64?).self) {
                found.append(AttachedDocumentRow(announcement: row.0, document: AnnouncementDocument(
                    id: row.1, title: row.2, kind: row.4 ?? "", mediaType: row.5 ?? "", size: row.6 ?? 0, position: Int(row.3))))
            }
            return found
        }
        return Dictionary(grouping: rows, by: \.announcement).mapValues { $0.map(\.document) }
    }
}

/// An attached document with the public id of its announcement.
private struct AttachedDocumentRow: Sendable {
    let announcement: String
    let document: AnnouncementDocument
}

enum PostgresAnnouncementDocuments {
    /// Replaces the documents attached to announcement `rowID` (in the caller's transaction): `ids`
    /// in order, duplicates once; a document the writer may not see is unknown (`.notFound`), one
    /// of another department refused (`.conflict` naming it); attached documents the writer may not
    /// see stay after the given ones — as on SQLite.
    static func set(_ connection: PostgresConnection, rowID: Int64, _ ids: [String], by viewer: DocumentViewer,
                    logger: Logger) async throws {
        var seen = Set<String>()
        let wanted = ids.filter { seen.insert($0).inserted }
        var department: (id: Int64, key: String)?
        for try await row in try await connection.query("""
            SELECT dep.id, dep.key FROM announcements a JOIN departments dep ON dep.id = a.department_id WHERE a.id = \(rowID)
            """, logger: logger).decode((Int64, String).self) {
            department = (row.0, row.1)
        }
        var documents: [Int64] = []
        for id in wanted {
            var builder = SQLBuilder()
            let document = builder.bind(id)
            let visible = PostgresDocumentRows.visible(viewer, &builder)
            var found: (id: Int64, department: Int64)?
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT d.id, d.department_id FROM documents d WHERE d.public_id = \(document) AND \(visible)
                """, binds: builder.binds), logger: logger).decode((Int64, Int64).self) {
                found = (row.0, row.1)
            }
            guard let found else { throw StoreError.notFound(what: "document", id: id) }
            guard found.department == department?.id else {
                throw StoreError.conflict(what: "document \(id)", detail: "document \(id) belongs to another department: only documents of "
                                          + "\(department?.key ?? "") may be attached")
            }
            documents.append(found.id)
        }
        var builder = SQLBuilder()
        let announcement = builder.bind(rowID)
        let visible = PostgresDocumentRows.visible(viewer, &builder)
        documents += try await PostgresRows.all(connection.query(PostgresQuery(unsafeSQL: """
            SELECT x.document_id FROM announcement_documents x JOIN documents d ON d.id = x.document_id
            WHERE x.announcement_id = \(announcement) AND NOT \(visible) ORDER BY x.position
            """, binds: builder.binds), logger: logger), Int64.self)
        guard documents.count <= AnnouncementDocument.maxPerAnnouncement else {
            throw StoreError.conflict(what: "announcement documents",
                                      detail: "at most \(AnnouncementDocument.maxPerAnnouncement) documents may be attached")
        }
        try await connection.query("DELETE FROM announcement_documents WHERE announcement_id = \(rowID)", logger: logger)
        for (position, document) in documents.enumerated() {
            try await connection.query("""
                INSERT INTO announcement_documents (announcement_id, document_id, position) VALUES (\(rowID), \(document), \(Int32(position)))
                """, logger: logger)
        }
    }
}
