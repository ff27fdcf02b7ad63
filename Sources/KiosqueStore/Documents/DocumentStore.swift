public import Foundation
import GRDB

extension AppDatabase {
    /// Live departments with the viewer's role in each, by title.
    public func documentDepartments(viewer: DocumentViewer) async throws(StoreError) -> [DepartmentInfo] {
        try await read("listing departments") { db in try DocumentRows.departments(db, viewer: viewer, key: nil) }
    }

    /// One live department with the viewer's role, or nil.
    public func documentDepartment(id: String, viewer: DocumentViewer) async throws(StoreError) -> DepartmentInfo? {
        try await read("reading department \(id)") { db in try DocumentRows.departments(db, viewer: viewer, key: id).first }
    }

    /// The document if the viewer may see it (nil otherwise: a hidden document looks absent).
    public func document(id: String, viewer: DocumentViewer) async throws(StoreError) -> DocumentRecord? {
        try await read("reading document \(id)") { db in
            try DocumentRows.records(db, where: "d.public_id = :id", ["id": id], viewer: viewer, allVersions: true).first
        }
    }

    /// Whether the viewer may change this document (editor of its department, or administrator).
    public func canManageDocument(id: String, viewer: DocumentViewer) async throws(StoreError) -> Bool {
        try await read("checking document rights") { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM documents d WHERE d.public_id = ? AND (? OR EXISTS (SELECT 1 FROM department_members m
                  WHERE m.user_id = ? AND m.department_id = d.department_id AND m.is_editor = 1))
                """, arguments: [id, viewer.isAdmin, viewer.userID]) ?? false
        }
    }

    /// Records a new document whose file is already durable; returns it.
    public func createDocument(departmentID: String, metadata: DocumentMetadata, file: StoredFile, by viewer: DocumentViewer,
                               now: Date = Date()) async throws(StoreError) -> DocumentRecord {
        let publicID = DocumentRows.newPublicID()
        return try await write("publishing a document in \(departmentID)", changes: .shared) { db in
            guard let department = try Int64.fetchOne(db, sql: "SELECT id FROM departments WHERE key = ? AND retired_at IS NULL",
                                                      arguments: [departmentID]) else {
                throw StoreError.notFound(what: "department", id: departmentID)
            }
            try db.execute(sql: """
                INSERT INTO documents (public_id, department_id, title, category, description, act_date, visibility,
                  created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [publicID, department, metadata.title, metadata.category, metadata.description, metadata.actDate,
                                 metadata.visibility.rawValue, viewer.userID, now.unixSeconds, now.unixSeconds])
            let rowID = db.lastInsertedRowID
            try DocumentRows.setTags(db, rowID: rowID, metadata.tags)
            try DocumentRows.insertVersion(db, rowID: rowID, file: file, by: viewer.userID, at: now.unixSeconds)
            try DocumentRows.reindex(db, rowID: rowID, now: now.unixSeconds)
            return try DocumentRows.records(db, where: "d.id = :id", ["id": rowID], viewer: nil, allVersions: true)[0]
        }
    }

    /// Adds a version (numbered inside the transaction, so concurrent uploads never share a number).
    public func addDocumentVersion(id: String, file: StoredFile, by viewer: DocumentViewer,
                                   now: Date = Date()) async throws(StoreError) -> DocumentRecord {
        try await write("adding a version to document \(id)", changes: .shared) { db in
            let rowID = try DocumentRows.rowID(db, id)
            try DocumentRows.insertVersion(db, rowID: rowID, file: file, by: viewer.userID, at: now.unixSeconds)
            try db.execute(sql: "UPDATE documents SET updated_at = ? WHERE id = ?", arguments: [now.unixSeconds, rowID])
            try DocumentRows.reindex(db, rowID: rowID, now: now.unixSeconds, changed: true)
            return try DocumentRows.records(db, where: "d.id = :id", ["id": rowID], viewer: nil, allVersions: true)[0]
        }
    }

    /// Replaces a document's metadata.
    public func updateDocument(id: String, metadata: DocumentMetadata, now: Date = Date()) async throws(StoreError) -> DocumentRecord {
        try await write("editing document \(id)", changes: .shared) { db in
            let rowID = try DocumentRows.rowID(db, id)
            try db.execute(sql: """
                UPDATE documents SET title = ?, category = ?, description = ?, act_date = ?, visibility = ?, updated_at = ? WHERE id = ?
                """, arguments: [metadata.title, metadata.category, metadata.description, metadata.actDate,
                                 metadata.visibility.rawValue, now.unixSeconds, rowID])
            try DocumentRows.setTags(db, rowID: rowID, metadata.tags)
            try DocumentRows.reindex(db, rowID: rowID, now: now.unixSeconds)
            return try DocumentRows.records(db, where: "d.id = :id", ["id": rowID], viewer: nil, allVersions: true)[0]
        }
    }

    /// Publishes or unpublishes (archives) a document.
    public func setDocumentStatus(id: String, _ status: DocumentStatus, now: Date = Date()) async throws(StoreError) -> DocumentRecord {
        try await write("changing the status of document \(id)", changes: .shared) { db in
            let rowID = try DocumentRows.rowID(db, id)
            try db.execute(sql: "UPDATE documents SET status = ?, updated_at = ? WHERE id = ?",
                           arguments: [status.rawValue, now.unixSeconds, rowID])
            try DocumentRows.reindex(db, rowID: rowID, now: now.unixSeconds)
            return try DocumentRows.records(db, where: "d.id = :id", ["id": rowID], viewer: nil, allVersions: true)[0]
        }
    }

    /// Deletes a document for good, logging who did it; returns the blob hashes no longer used
    /// (their files may now be removed).
    public func deleteDocument(id: String, by viewer: DocumentViewer, login: String, now: Date = Date()) async throws(StoreError) -> [String] {
        try await write("deleting document \(id)", changes: .shared) { db in
            let rowID = try DocumentRows.rowID(db, id)
            let hashes = try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM document_versions WHERE document_id = ?", arguments: [rowID])
            try db.execute(sql: """
                INSERT INTO documents_deleted (public_id, department_key, title, versions, deleted_by, deleted_by_login, deleted_at)
                SELECT d.public_id, dep.key, d.title, (SELECT count(*) FROM document_versions WHERE document_id = d.id), ?, ?, ?
                FROM documents d JOIN departments dep ON dep.id = d.department_id WHERE d.id = ?
                """, arguments: [viewer.userID, login, now.unixSeconds, rowID])
            try db.execute(sql: "DELETE FROM items WHERE id = (SELECT item_id FROM documents WHERE id = ?)", arguments: [rowID])
            try db.execute(sql: "DELETE FROM documents_fts WHERE rowid = ?", arguments: [rowID])
            try db.execute(sql: "DELETE FROM documents WHERE id = ?", arguments: [rowID])
            var unused: [String] = []
            for hash in hashes where try Bool.fetchOne(db, sql: "SELECT 1 FROM document_versions WHERE sha256 = ?", arguments: [hash]) != true {
                try db.execute(sql: "DELETE FROM document_blobs WHERE sha256 = ?", arguments: [hash])
                unused.append(hash)
            }
            return unused
        }
    }

    /// The deletion log, newest first: (public id, title, department, login, time).
    public func deletedDocuments(limit: Int = 100) async throws(StoreError) -> [(id: String, title: String, department: String, by: String, at: Date)] {
        try await read("reading the deletion log") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM documents_deleted ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                (id: $0["public_id"], title: $0["title"], department: $0["department_key"], by: $0["deleted_by_login"],
                 at: Date(unixSeconds: $0["deleted_at"]))
            }
        }
    }

    /// Versions whose text is still to be extracted: (row id, blob hash, kind).
    public func pendingDocumentExtractions(limit: Int = 100) async throws(StoreError) -> [(rowID: Int64, sha256: String, kind: String)] {
        try await read("listing pending extractions") { db in
            try Row.fetchAll(db, sql: "SELECT id, sha256, kind FROM document_versions WHERE index_status = 'pending' ORDER BY id LIMIT ?",
                             arguments: [limit]).map { (rowID: $0["id"], sha256: $0["sha256"], kind: $0["kind"]) }
        }
    }

    /// Records the outcome of a version's text extraction and re-indexes its document.
    public func setDocumentText(versionRowID: Int64, text: String?, error: String?, now: Date = Date()) async throws(StoreError) {
        try await write("recording extracted text", changes: .shared) { db in
            try db.execute(sql: "UPDATE document_versions SET text = ?, index_status = ?, index_error = ? WHERE id = ?",
                           arguments: [text, error == nil ? "indexed" : "failed", error, versionRowID])
            if let rowID = try Int64.fetchOne(db, sql: "SELECT document_id FROM document_versions WHERE id = ?", arguments: [versionRowID]) {
                try DocumentRows.reindex(db, rowID: rowID, now: now.unixSeconds)
            }
        }
    }

    /// Every blob hash the database knows, for the storage check.
    public func documentBlobHashes() async throws(StoreError) -> Set<String> {
        try await read("listing stored files") { db in Set(try String.fetchAll(db, sql: "SELECT sha256 FROM document_blobs")) }
    }

    /// Documents whose text could not be extracted, for IT: (id, title, department, error).
    public func unindexedDocuments() async throws(StoreError) -> [(id: String, title: String, error: String)] {
        try await read("listing unindexed documents") { db in
            try Row.fetchAll(db, sql: """
                SELECT d.public_id, d.title, v.index_error FROM documents d JOIN document_versions v ON v.document_id = d.id
                WHERE v.index_status = 'failed' AND v.number = (SELECT max(number) FROM document_versions WHERE document_id = d.id)
                ORDER BY d.id DESC
                """).map { (id: $0["public_id"], title: $0["title"], error: $0["index_error"] ?? "") }
        }
    }
}
