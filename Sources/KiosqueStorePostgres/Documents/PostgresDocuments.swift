public import Foundation
public import KiosqueStoreContract
import Logging
import PostgresNIO

/// Departmental documents on PostgreSQL: departments, one document, its changes, extraction and
/// views (SQLite's Documents/DocumentStore.swift and `recordDocumentView`).
extension PostgresStore {
    /// Live departments with the viewer's role in each, by title.
    public func documentDepartments(viewer: DocumentViewer) async throws(StoreError) -> [DepartmentInfo] {
        try await documentRead("listing departments") { rows in try await rows.departments(viewer: viewer, key: nil) }
    }

    /// One live department with the viewer's role, or nil.
    public func documentDepartment(id: String, viewer: DocumentViewer) async throws(StoreError) -> DepartmentInfo? {
        try await documentRead("reading department \(id)") { rows in try await rows.departments(viewer: viewer, key: id).first }
    }

    /// The document if the viewer may see it (nil otherwise: a hidden document looks absent).
    public func document(id: String, viewer: DocumentViewer) async throws(StoreError) -> DocumentRecord? {
        try await documentRead("reading document \(id)") { rows in
            var builder = SQLBuilder()
            let condition = "d.public_id = \(builder.bind(id))"
            return try await rows.records(where: condition, builder, viewer: viewer, allVersions: true).first
        }
    }

    /// Whether the viewer may change this document (editor of its department, or administrator).
    public func canManageDocument(id: String, viewer: DocumentViewer) async throws(StoreError) -> Bool {
        try await documentRead("checking document rights") { rows in
            try await !PostgresRows.all(rows.connection.query("""
                SELECT 1 FROM documents d WHERE d.public_id = \(id) AND (\(viewer.isAdmin) OR EXISTS (SELECT 1 FROM department_members m
                  WHERE m.user_id = \(viewer.userID) AND m.department_id = d.department_id AND m.is_editor))
                """, logger: rows.logger), Int32.self).isEmpty
        }
    }

    /// Records a new document whose file is already durable; returns it.
    public func createDocument(departmentID: String, metadata: DocumentMetadata, file: StoredFile, by viewer: DocumentViewer,
                               now: Date) async throws(StoreError) -> DocumentRecord {
        let publicID = Self.newDocumentID()
        let at = now.unixSeconds
        return try await documentWrite("publishing a document in \(departmentID)") { rows in
            guard let department = try await PostgresRows.all(rows.connection.query(
                "SELECT id FROM departments WHERE key = \(departmentID) AND retired_at IS NULL", logger: rows.logger), Int64.self).first else {
                throw StoreError.notFound(what: "department", id: departmentID)
            }
            guard let rowID = try await PostgresRows.all(rows.connection.query("""
                INSERT INTO documents (public_id, department_id, title, category, description, act_date, visibility, created_by,
                  created_at, updated_at) VALUES (\(publicID), \(department), \(metadata.title), \(metadata.category),
                  \(metadata.description), \(metadata.actDate), \(metadata.visibility.rawValue), \(viewer.userID), \(at), \(at))
                RETURNING id
                """, logger: rows.logger), Int64.self).first else {
                throw PostgresStoreError.unexpected(what: "publishing a document")
            }
            try await rows.setTags(rowID: rowID, metadata.tags)
            try await rows.insertVersion(rowID: rowID, file: file, by: viewer.userID, at: at)
            try await rows.reindex(rowID: rowID, now: at)
            return try await rows.record(rowID: rowID)
        }
    }

    /// Adds a version (numbered inside the transaction, so concurrent uploads never share a number).
    public func addDocumentVersion(id: String, file: StoredFile, by viewer: DocumentViewer, now: Date) async throws(StoreError) -> DocumentRecord {
        let at = now.unixSeconds
        return try await documentWrite("adding a version to document \(id)") { rows in
            let rowID = try await rows.rowID(id)
            try await rows.insertVersion(rowID: rowID, file: file, by: viewer.userID, at: at)
            try await rows.connection.query("UPDATE documents SET updated_at = \(at) WHERE id = \(rowID)", logger: rows.logger)
            try await rows.reindex(rowID: rowID, now: at, changed: true)
            return try await rows.record(rowID: rowID)
        }
    }

    /// Replaces a document's metadata.
    public func updateDocument(id: String, metadata: DocumentMetadata, now: Date) async throws(StoreError) -> DocumentRecord {
        let at = now.unixSeconds
        return try await documentWrite("editing document \(id)") { rows in
            let rowID = try await rows.rowID(id)
            try await rows.connection.query("""
                UPDATE documents SET title = \(metadata.title), category = \(metadata.category), description = \(metadata.description),
                  act_date = \(metadata.actDate), visibility = \(metadata.visibility.rawValue), updated_at = \(at) WHERE id = \(rowID)
                """, logger: rows.logger)
            try await rows.setTags(rowID: rowID, metadata.tags)
            try await rows.reindex(rowID: rowID, now: at)
            return try await rows.record(rowID: rowID)
        }
    }

    /// Publishes or unpublishes (archives) a document.
    public func setDocumentStatus(id: String, _ status: DocumentStatus, now: Date) async throws(StoreError) -> DocumentRecord {
        let at = now.unixSeconds
        return try await documentWrite("changing the status of document \(id)") { rows in
            let rowID = try await rows.rowID(id)
            try await rows.connection.query("UPDATE documents SET status = \(status.rawValue), updated_at = \(at) WHERE id = \(rowID)",
                                            logger: rows.logger)
            try await rows.reindex(rowID: rowID, now: at)
            return try await rows.record(rowID: rowID)
        }
    }

    /// Deletes a document for good, logging who did it; returns the blob hashes no longer used
    /// (their files may now be removed).
    public func deleteDocument(id: String, by viewer: DocumentViewer, login: String, now: Date) async throws(StoreError) -> [String] {
        try await documentWrite("deleting document \(id)") { rows in
            let (connection, logger) = (rows.connection, rows.logger)
            let rowID = try await rows.rowID(id)
            let hashes = try await PostgresRows.all(connection.query(
                "SELECT DISTINCT sha256 FROM document_versions WHERE document_id = \(rowID) ORDER BY sha256", logger: logger), String.self)
            try await connection.query("""
                INSERT INTO documents_deleted (public_id, department_key, title, versions, deleted_by, deleted_by_login, deleted_at)
                SELECT d.public_id, dep.key, d.title, (SELECT count(*) FROM document_versions WHERE document_id = d.id), \(viewer.userID),
                  \(login), \(now.unixSeconds)
                FROM documents d JOIN departments dep ON dep.id = d.department_id WHERE d.id = \(rowID)
                """, logger: logger)
            try await connection.query("DELETE FROM items WHERE id = (SELECT item_id FROM documents WHERE id = \(rowID))", logger: logger)
            try await connection.query("DELETE FROM documents WHERE id = \(rowID)", logger: logger)
            try await rows.lockBlobs(hashes)
            let unused = Set(try await PostgresRows.all(connection.query("""
                DELETE FROM document_blobs b WHERE b.sha256 = ANY(\(hashes))
                  AND NOT EXISTS (SELECT 1 FROM document_versions v WHERE v.sha256 = b.sha256)
                RETURNING b.sha256
                """, logger: logger), String.self))
            return hashes.filter(unused.contains)
        }
    }

    /// The deletion log, newest first: (public id, title, department, login, time).
    public func deletedDocuments(limit: Int) async throws(StoreError) -> [(id: String, title: String, department: String, by: String, at: Date)] {
        try await documentRead("reading the deletion log") { rows in
            var log: [(id: String, title: String, department: String, by: String, at: Date)] = []
            for try await (id, title, department, login, at) in try await rows.connection.query("""
                SELECT public_id, title, department_key, deleted_by_login, deleted_at FROM documents_deleted ORDER BY id DESC
                LIMIT \(max(0, limit))
                """, logger: rows.logger).decode((String, String, String, String, Int64).self) {
                log.append((id: id, title: title, department: department, by: login, at: Date(unixSeconds: at)))
            }
            return log
        }
    }

    /// Versions whose text is still to be extracted: (row id, blob hash, kind).
    public func pendingDocumentExtractions(limit: Int) async throws(StoreError) -> [(rowID: Int64, sha256: String, kind: String)] {
        try await documentRead("listing pending extractions") { rows in
            var pending: [(rowID: Int64, sha256: String, kind: String)] = []
            for try await (id, sha256, kind) in try await rows.connection.query("""
                SELECT id, sha256, kind FROM document_versions WHERE index_status = 'pending' ORDER BY id LIMIT \(max(0, limit))
                """, logger: rows.logger).decode((Int64, String, String).self) {
                pending.append((rowID: id, sha256: sha256, kind: kind))
            }
            return pending
        }
    }

    /// Records the outcome of a version's text extraction and re-indexes its document.
    public func setDocumentText(versionRowID: Int64, text: String?, error: String?, now: Date) async throws(StoreError) {
        try await documentWrite("recording extracted text") { rows in
            let documents = try await PostgresRows.all(rows.connection.query("""
                UPDATE document_versions SET text = \(text), index_status = \(error == nil ? "indexed" : "failed"), index_error = \(error)
                WHERE id = \(versionRowID) RETURNING document_id
                """, logger: rows.logger), Int64.self)
            if let rowID = documents.first { try await rows.reindex(rowID: rowID, now: now.unixSeconds) }
        }
    }

    /// Every blob hash the database knows, for the storage check.
    public func documentBlobHashes() async throws(StoreError) -> Set<String> {
        try await documentRead("listing stored files") { rows in
            Set(try await PostgresRows.all(rows.connection.query("SELECT sha256 FROM document_blobs", logger: rows.logger), String.self))
        }
    }

    /// Documents whose text could not be extracted, for IT: (id, title, department, error).
    public func unindexedDocuments() async throws(StoreError) -> [(id: String, title: String, error: String)] {
        try await documentRead("listing unindexed documents") { rows in
            var list: [(id: String, title: String, error: String)] = []
            for try await (id, title, error) in try await rows.connection.query("""
                SELECT d.public_id, d.title, v.index_error FROM documents d JOIN document_versions v ON v.document_id = d.id
                WHERE v.index_status = 'failed' AND v.number = (SELECT max(number) FROM document_versions WHERE document_id = d.id)
                ORDER BY d.id DESC
                """, logger: rows.logger).decode((String, String, String?).self) {
                list.append((id: id, title: title, error: error ?? ""))
            }
            return list
        }
    }

    /// Counts one consultation (page or download) of a published document the agent may see: a raw
    /// event (kept `retention.activity_days`) and the document's and department's daily totals (kept;
    /// the department's by the trigger on document_views).
    public func recordDocumentView(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError) {
        try await documentWrite("counting a view of document \(id)", changes: .bookkeeping) { rows in
            var builder = SQLBuilder()
            builder.sql = "SELECT d.id FROM documents d WHERE d.public_id = \(builder.bind(id)) AND d.status = 'published' AND "
                + PostgresDocumentRows.visible(viewer, &builder)
            guard let rowID = try await PostgresRows.all(rows.connection.query(builder.query, logger: rows.logger), Int64.self).first else {
                return
            }
            // The UTC day, YYYY-MM-DD, as SQLite's AnnouncementStatistics.day writes it.
            try await rows.connection.query("""
                WITH today AS (SELECT kiosque_utc_day(\(now.unixSeconds)) AS day),
                seen AS (SELECT EXISTS (SELECT 1 FROM document_views v, today WHERE v.document_id = \(rowID)
                  AND v.user_id = \(viewer.userID) AND v.day = today.day) AS before),
                event AS (INSERT INTO document_views (document_id, user_id, day, viewed_at)
                  SELECT \(rowID), \(viewer.userID), today.day, \(now.unixSeconds) FROM today)
                INSERT INTO document_daily (document_id, day, views, readers)
                  SELECT \(rowID), today.day, 1, CASE WHEN seen.before THEN 0 ELSE 1 END FROM today, seen
                ON CONFLICT (document_id, day) DO UPDATE SET views = document_daily.views + 1,
                  readers = document_daily.readers + excluded.readers
                """, logger: rows.logger)
        }
    }

    /// 128 random bits as 32 hex digits: ids that cannot be guessed or enumerated.
    static func newDocumentID() -> String {
        var generator = SystemRandomNumberGenerator()
        let words: [UInt64] = [generator.next(), generator.next()]
        return words.map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// A read of the documents' tables on one connection.
    func documentRead<T: Sendable>(_ what: String, _ body: (PostgresDocumentRows) async throws -> T) async throws(StoreError) -> T {
        try await scoped(what, writing: false, body)
    }

    /// One transaction over the documents' tables.
    func documentWrite<T: Sendable>(_ what: String, changes scope: ChangeScope = .shared,
                                    _ body: (PostgresDocumentRows) async throws -> T) async throws(StoreError) -> T {
        try await scoped(what, writing: true, changes: scope, body)
    }

    /// `body` on one connection wrapped in the helper `Scope` (a read, or one transaction).
    func scoped<Scope: PostgresConnectionScope, T: Sendable>(_ what: String, writing: Bool, changes scope: ChangeScope = .shared,
                                                            _ body: (Scope) async throws -> T) async throws(StoreError) -> T {
        let logger = self.logger
        if writing { return try await write(what, changes: scope) { connection in try await body(Scope(connection: connection, logger: logger)) } }
        return try await read(what) { connection in try await body(Scope(connection: connection, logger: logger)) }
    }
}

/// Statements of one area on one connection (documents, mail).
protocol PostgresConnectionScope {
    init(connection: PostgresConnection, logger: Logger)
}

extension PostgresDocumentRows: PostgresConnectionScope {}
extension PostgresMail: PostgresConnectionScope {}

extension PostgresStore: DocumentStore {}
