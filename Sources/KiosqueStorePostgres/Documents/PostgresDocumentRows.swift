import Foundation
import KiosqueStoreContract
import Logging
import PostgresNIO

/// Departmental documents' rows on PostgreSQL (SQLite's DocumentRows): rights in SQL, records with
/// their versions and tags, and the upkeep every change needs (the search vector, the item in the
/// department's channel).
struct PostgresDocumentRows {
    let connection: PostgresConnection
    let logger: Logger

    /// The condition (on `d`) under which the viewer may see a document, its values bound in `builder`.
    static func visible(_ viewer: DocumentViewer, _ builder: inout SQLBuilder) -> String {
        let user = builder.bind(viewer.userID)
        return """
            (\(builder.bind(viewer.isAdmin)) OR EXISTS (SELECT 1 FROM department_members m WHERE m.user_id = \(user)
                AND m.department_id = d.department_id AND (m.is_editor OR (d.status = 'published' AND d.visibility = 'department')))
              OR (d.status = 'published' AND d.visibility = 'organisation'))
            """
    }

    /// The row id of a document, or notFound.
    func rowID(_ publicID: String) async throws -> Int64 {
        guard let id = try await PostgresRows.all(connection.query("SELECT id FROM documents WHERE public_id = \(publicID)", logger: logger),
                                                  Int64.self).first else {
            throw StoreError.notFound(what: "document", id: publicID)
        }
        return id
    }

    /// Live departments (or the one `key`) with the viewer's role, by title.
    func departments(viewer: DocumentViewer, key: String?) async throws -> [DepartmentInfo] {
        var list: [DepartmentInfo] = []
        for try await (key, title, categories, member, editor) in try await connection.query("""
            SELECT d.key, d.title, d.categories::text, m.user_id IS NOT NULL, coalesce(m.is_editor, false)
            FROM departments d LEFT JOIN department_members m ON m.department_id = d.id AND m.user_id = \(viewer.userID)
            WHERE d.retired_at IS NULL AND (\(key)::text IS NULL OR d.key = \(key)) ORDER BY d.title COLLATE "C", d.id
            """, logger: logger).decode((String, String, String, Bool, Bool).self) {
            list.append(DepartmentInfo(id: key, title: title, categories: JSONList.decode(categories),
                                       isMember: member || viewer.isAdmin, canPublish: editor || viewer.isAdmin))
        }
        return list
    }

    /// Documents matching `condition` (SQL on `d` and `dep` whose values are bound in `builder`),
    /// filtered by what `viewer` may see (nil: no filter, for answers to a change the caller was
    /// already allowed to make), newest first.
    func records(where condition: String, _ builder: SQLBuilder, viewer: DocumentViewer?, allVersions: Bool,
                 limit: Int = 1_000) async throws -> [DocumentRecord] {
        try await keyedRecords(where: condition, builder, viewer: viewer, allVersions: allVersions, limit: limit).map(\.record)
    }

    /// `records` with each document's row id.
    func keyedRecords(where condition: String, _ builder: SQLBuilder, viewer: DocumentViewer?, allVersions: Bool,
                      limit: Int = 1_000) async throws -> [(rowID: Int64, record: DocumentRecord)] {
        var builder = builder
        var sql = """
            SELECT d.id, d.public_id, dep.key, dep.title, d.title, d.category, d.description, d.act_date, d.visibility, d.status,
              d.created_at, d.updated_at
            FROM documents d JOIN departments dep ON dep.id = d.department_id WHERE \(condition)
            """
        if let viewer { sql += " AND " + Self.visible(viewer, &builder) }
        sql += " ORDER BY d.created_at DESC, d.id DESC LIMIT \(builder.bind(max(0, limit)))"
        builder.sql = sql
        var rows: [(rowID: Int64, record: DocumentRecord)] = []
        for try await row in try await connection.query(builder.query, logger: logger) {
            let (rowID, publicID, departmentKey, departmentTitle, title, category, description, actDate, visibility, status, created, updated) =
                try row.decode((Int64, String, String, String, String, String?, String, String?, String, String, Int64, Int64).self)
            rows.append((rowID, DocumentRecord(
                id: publicID, departmentID: departmentKey, departmentTitle: departmentTitle, title: title, category: category,
                description: description, actDate: actDate, tags: [], visibility: DocumentVisibility(rawValue: visibility) ?? .department,
                status: DocumentStatus(rawValue: status) ?? .unpublished, createdAt: Date(unixSeconds: created),
                updatedAt: Date(unixSeconds: updated), versions: [])))
        }
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.rowID)
        var versions: [Int64: [DocumentVersion]] = [:]
        let latestOnly = allVersions ? "" : "DISTINCT ON (v.document_id)"
        for try await row in try await connection.query("""
            SELECT \(unescaped: latestOnly) v.document_id, v.id, v.number, v.sha256, v.file_name, v.media_type, v.kind, v.size,
              v.uploaded_at, u.login, v.index_status, v.index_error
            FROM document_versions v LEFT JOIN users u ON u.id = v.uploaded_by
            WHERE v.document_id = ANY(\(ids)) ORDER BY v.document_id, v.number DESC
            """, logger: logger) {
            let (document, id, number, sha256, fileName, mediaType, kind, size, uploaded, login, status, error) =
                try row.decode((Int64, Int64, Int, String, String, String, String, Int64, Int64, String?, String, String?).self)
            versions[document, default: []].append(DocumentVersion(
                number: number, sha256: sha256, fileName: fileName, mediaType: mediaType, kind: kind, size: size,
                uploadedAt: Date(unixSeconds: uploaded), uploadedBy: login, indexStatus: IndexStatus(rawValue: status) ?? .pending,
                indexError: error, rowID: id))
        }
        var tags: [Int64: [String]] = [:]
        for try await (document, tag) in try await connection.query("""
            SELECT document_id, tag FROM document_tags WHERE document_id = ANY(\(ids)) ORDER BY document_id, tag COLLATE "C"
            """, logger: logger).decode((Int64, String).self) {
            tags[document, default: []].append(tag)
        }
        return rows.map { row in
            var record = row.record
            record.versions = versions[row.rowID] ?? []
            record.tags = tags[row.rowID] ?? []
            return (row.rowID, record)
        }
    }

    /// One document by row id, unfiltered (the answer to a change already allowed).
    func record(rowID: Int64) async throws -> DocumentRecord {
        var builder = SQLBuilder()
        let condition = "d.id = \(builder.bind(rowID))"
        guard let record = try await records(where: condition, builder, viewer: nil, allVersions: true).first else {
            throw StoreError.notFound(what: "document", id: String(rowID))
        }
        return record
    }

    func setTags(rowID: Int64, _ tags: [String]) async throws {
        try await connection.query("DELETE FROM document_tags WHERE document_id = \(rowID)", logger: logger)
        try await connection.query("""
            INSERT INTO document_tags (document_id, tag) SELECT \(rowID), unnest(\(tags)::text[]) ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// Adds a version numbered after the last one. The document's row is locked first, so that
    /// concurrent uploads to one document take their numbers one after the other.
    func insertVersion(rowID: Int64, file: StoredFile, by userID: Int64, at now: Int64) async throws {
        try await connection.query("SELECT 1 FROM documents WHERE id = \(rowID) FOR UPDATE", logger: logger)
        try await lockBlobs([file.sha256])
        try await connection.query("""
            INSERT INTO document_blobs (sha256, size, created_at) VALUES (\(file.sha256), \(file.size), \(now)) ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            INSERT INTO document_versions (document_id, number, sha256, file_name, media_type, kind, size, uploaded_by, uploaded_at)
            VALUES (\(rowID), (SELECT coalesce(max(number), 0) + 1 FROM document_versions WHERE document_id = \(rowID)), \(file.sha256),
              \(file.fileName), \(file.mediaType), \(file.kind), \(file.size), \(userID), \(now))
            """, logger: logger)
    }

    /// Serialises, until the transaction ends, the writers that add or drop these blobs: a deletion
    /// that finds a blob unused and an upload that reuses it never cross (SQLite has one writer).
    /// Each statement after the lock reads what the other transaction committed.
    func lockBlobs(_ hashes: [String]) async throws {
        try await connection.query("""
            SELECT pg_advisory_xact_lock(\(Self.blobLockSpace), hashtext(h)) FROM unnest(\(hashes.sorted())::text[]) AS h
            """, logger: logger)
    }

    /// The first key of the blob locks (advisory locks with two keys are a space of their own).
    static let blobLockSpace: Int32 = 18_004

    /// Brings the document's search vector and its item in the department channel in line with its
    /// current state. Only published, organisation-wide documents have an item.
    func reindex(rowID: Int64, now: Int64, changed: Bool = false) async throws {
        var found: (publicID: String, departmentKey: String, departmentTitle: String, title: String, description: String,
                    status: String, visibility: String, itemID: Int64?, createdAt: Int64, body: String?)?
        for try await row in try await connection.query("""
            SELECT d.public_id, dep.key, dep.title, d.title, d.description, d.status, d.visibility, d.item_id, d.created_at,
              (SELECT text FROM document_versions WHERE document_id = d.id ORDER BY number DESC LIMIT 1)
            FROM documents d JOIN departments dep ON dep.id = d.department_id WHERE d.id = \(rowID)
            """, logger: logger) {
            found = try row.decode((String, String, String, String, String, String, String, Int64?, Int64, String?).self)
        }
        guard let document = found else { return }
        try await updateVector(rowID: rowID)

        let listed = document.status == "published" && document.visibility == "organisation"
        guard listed else {
            if let itemID = document.itemID { try await connection.query("DELETE FROM items WHERE id = \(itemID)", logger: logger) }
            return
        }
        let hash = ItemIdentity.hash(document.title, document.description, document.body)
        if let itemID = document.itemID {
            let updated = try await PostgresRows.all(connection.query("""
                UPDATE items SET title = \(document.title), summary = \(document.description), content_text = \(document.body),
                  content_hash = \(hash), fetched_at = \(now), is_updated = is_updated OR \(changed) WHERE id = \(itemID) RETURNING 1
                """, logger: logger), Int32.self)
            if !updated.isEmpty { return }
        }
        guard let source = try await PostgresRows.all(connection.query(
            "SELECT id FROM sources WHERE key = \("service:" + document.departmentKey)", logger: logger), Int64.self).first else {
            return
        }
        let created = document.createdAt
        guard let item = try await PostgresRows.all(connection.query("""
            INSERT INTO items (source_id, guid, guid_hash, title, link, author, summary, content_text, published, sort_at, fetched_at,
              content_hash) VALUES (\(source), \(document.publicID), \(ItemIdentity.hash(document.publicID)), \(document.title),
              \("/documents/" + document.publicID), \(document.departmentTitle), \(document.description), \(document.body), \(created),
              \(created), \(now), \(hash))
            RETURNING id
            """, logger: logger), Int64.self).first else { return }
        try await connection.query("UPDATE documents SET item_id = \(item) WHERE id = \(rowID)", logger: logger)
        try await connection.query("""
            INSERT INTO channel_items (channel_id, sort_at, item_id)
            SELECT id, \(created), \(item) FROM channels WHERE key = \("service-" + document.departmentKey) AND retired_at IS NULL
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// SQLite's documents_fts columns as one weighted vector: title (A) above description and tags
    /// (B), category (C) and the current version's text (D). A text too large for one tsvector
    /// (PostgreSQL's 1 MB limit; SQLite has none) is indexed on its first characters instead of
    /// failing the extraction.
    private func updateVector(rowID: Int64) async throws {
        try await connection.query("SAVEPOINT document_vector", logger: logger)
        do {
            try await connection.query(Self.vectorUpdate(rowID: rowID, bodyLimit: nil), logger: logger)
            try await connection.query("RELEASE SAVEPOINT document_vector", logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "54000" {
            try await connection.query("ROLLBACK TO SAVEPOINT document_vector", logger: logger)
            try await connection.query(Self.vectorUpdate(rowID: rowID, bodyLimit: Self.oversizedBodyCharacters), logger: logger)
        }
    }

    /// How much of an oversized text is indexed.
    static let oversizedBodyCharacters = 200_000

    private static func vectorUpdate(rowID: Int64, bodyLimit: Int?) -> PostgresQuery {
        var builder = SQLBuilder()
        let body = "(SELECT text FROM document_versions WHERE document_id = d.id ORDER BY number DESC LIMIT 1)"
        let limited = bodyLimit.map { "left(\(body), \(builder.bind($0))::int)" } ?? body
        builder.sql = """
            UPDATE documents d SET search_vector = \(vector(text: limited))
            WHERE d.id = \(builder.bind(rowID))
            """
        return builder.query
    }

    /// The weighted vector of the document `d` whose text is the SQL `text` (also `kiosque migrate-store`'s
    /// rebuild). `<` and `>` become spaces first: PostgreSQL's parser takes "<Mairie>" for an XML tag
    /// and drops the word, as it did in items' titles (kiosque_item_vector).
    static func vector(text: String) -> String {
        func words(_ sql: String) -> String { "to_tsvector('kiosque_french', translate(\(sql), '<>', '  '))" }
        return """
            setweight(\(words("d.title")), 'A')
              || setweight(\(words("d.description")), 'B')
              || setweight(\(words("coalesce(d.category, '')")), 'C')
              || setweight(\(words("coalesce((SELECT string_agg(tag, ' ') FROM document_tags WHERE document_id = d.id), '')")), 'B')
              || setweight(\(words("coalesce(\(text), '')")), 'D')
            """
    }
}
