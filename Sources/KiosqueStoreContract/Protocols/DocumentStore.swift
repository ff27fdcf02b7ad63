public import Foundation
public import KiosqueModel

/// Departmental documents: metadata, versions, access rules, text extraction, document search.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol DocumentStore: Sendable {
    /// Documents the viewer may see, filtered, newest first, or by relevance when `filter.query`
    /// has words. The query uses the item search syntax; `service:ID` restricts departments and
    /// `type:X` matches a category ("type:deliberation" finds "Délibérations") or a file kind.
    func documents(filter: DocumentFilter, viewer: DocumentViewer) async throws(StoreError) -> [DocumentRecord]
    /// Searches the published documents the viewer may see with the item search syntax, plus
    /// `service:ID` (departments) and `type:X` (a category such as "deliberation", or a file
    /// kind such as "pdf"). `canal:service-ID` and `source:service:ID` also name departments; other
    /// channel or source filters, and `type:article`, match no document.
    func searchDocuments(_ query: SearchQuery, viewer: DocumentViewer, limit: Int, offset: Int) async throws(StoreError) -> DocumentSearchResults
    /// The newest published members-only documents of the departments the agent belongs to
    /// (membership, not administration: "Ma page" shows an agent's own services).
    func memberDocuments(viewer: DocumentViewer, limit: Int) async throws(StoreError) -> [DocumentRecord]
    /// Live departments with the viewer's role in each, by title.
    func documentDepartments(viewer: DocumentViewer) async throws(StoreError) -> [DepartmentInfo]
    /// One live department with the viewer's role, or nil.
    func documentDepartment(id: String, viewer: DocumentViewer) async throws(StoreError) -> DepartmentInfo?
    /// The document if the viewer may see it (nil otherwise: a hidden document looks absent).
    func document(id: String, viewer: DocumentViewer) async throws(StoreError) -> DocumentRecord?
    /// Whether the viewer may change this document (editor of its department, or administrator).
    func canManageDocument(id: String, viewer: DocumentViewer) async throws(StoreError) -> Bool
    /// Records a new document whose file is already durable; returns it.
    func createDocument(departmentID: String, metadata: DocumentMetadata, file: StoredFile, by viewer: DocumentViewer,
        now: Date) async throws(StoreError) -> DocumentRecord
    /// Adds a version (numbered inside the transaction, so concurrent uploads never share a number).
    func addDocumentVersion(id: String, file: StoredFile, by viewer: DocumentViewer, now: Date) async throws(StoreError) -> DocumentRecord
    /// Replaces a document's metadata.
    func updateDocument(id: String, metadata: DocumentMetadata, now: Date) async throws(StoreError) -> DocumentRecord
    /// Publishes or unpublishes (archives) a document.
    func setDocumentStatus(id: String, _ status: DocumentStatus, now: Date) async throws(StoreError) -> DocumentRecord
    /// Deletes a document for good, logging who did it; returns the blob hashes no longer used
    /// (their files may now be removed).
    func deleteDocument(id: String, by viewer: DocumentViewer, login: String, now: Date) async throws(StoreError) -> [String]
    /// The deletion log, newest first: (public id, title, department, login, time).
    func deletedDocuments(limit: Int) async throws(StoreError) -> [(id: String, title: String, department: String, by: String, at: Date)]
    /// Versions whose text is still to be extracted: (row id, blob hash, kind).
    func pendingDocumentExtractions(limit: Int) async throws(StoreError) -> [(rowID: Int64, sha256: String, kind: String)]
    /// Records the outcome of a version's text extraction and re-indexes its document.
    func setDocumentText(versionRowID: Int64, text: String?, error: String?, now: Date) async throws(StoreError)
    /// Every blob hash the database knows, for the storage check.
    func documentBlobHashes() async throws(StoreError) -> Set<String>
    /// Documents whose text could not be extracted, for IT: (id, title, department, error).
    func unindexedDocuments() async throws(StoreError) -> [(id: String, title: String, error: String)]
    /// Counts one consultation (page or download) of a published document the agent may see: a raw
    /// event (kept `retention.activity_days`) and the document's and department's daily totals (kept).
    func recordDocumentView(id: String, viewer: DocumentViewer, now: Date) async throws(StoreError)
}

/// The default arguments of the implementations (protocol requirements cannot have them).
extension DocumentStore {
    /// `searchDocuments` with limit = 10.
    public func searchDocuments(_ query: SearchQuery, viewer: DocumentViewer, offset: Int) async throws(StoreError) -> DocumentSearchResults {
        try await searchDocuments(query, viewer: viewer, limit: 10, offset: offset)
    }
    /// `searchDocuments` with offset = 0.
    public func searchDocuments(_ query: SearchQuery, viewer: DocumentViewer, limit: Int) async throws(StoreError) -> DocumentSearchResults {
        try await searchDocuments(query, viewer: viewer, limit: limit, offset: 0)
    }
    /// `searchDocuments` with limit = 10, offset = 0.
    public func searchDocuments(_ query: SearchQuery, viewer: DocumentViewer) async throws(StoreError) -> DocumentSearchResults {
        try await searchDocuments(query, viewer: viewer, limit: 10, offset: 0)
    }
    /// `memberDocuments` with limit = 8.
    public func memberDocuments(viewer: DocumentViewer) async throws(StoreError) -> [DocumentRecord] {
        try await memberDocuments(viewer: viewer, limit: 8)
    }
    /// `createDocument` with now = Date().
    public func createDocument(departmentID: String, metadata: DocumentMetadata, file: StoredFile, by viewer: DocumentViewer) async throws(StoreError) -> DocumentRecord {
        try await createDocument(departmentID: departmentID, metadata: metadata, file: file, by: viewer, now: Date())
    }
    /// `addDocumentVersion` with now = Date().
    public func addDocumentVersion(id: String, file: StoredFile, by viewer: DocumentViewer) async throws(StoreError) -> DocumentRecord {
        try await addDocumentVersion(id: id, file: file, by: viewer, now: Date())
    }
    /// `updateDocument` with now = Date().
    public func updateDocument(id: String, metadata: DocumentMetadata) async throws(StoreError) -> DocumentRecord {
        try await updateDocument(id: id, metadata: metadata, now: Date())
    }
    /// `setDocumentStatus` with now = Date().
    public func setDocumentStatus(id: String, _ status: DocumentStatus) async throws(StoreError) -> DocumentRecord {
        try await setDocumentStatus(id: id, status, now: Date())
    }
    /// `deleteDocument` with now = Date().
    public func deleteDocument(id: String, by viewer: DocumentViewer, login: String) async throws(StoreError) -> [String] {
        try await deleteDocument(id: id, by: viewer, login: login, now: Date())
    }
    /// `deletedDocuments` with limit = 100.
    public func deletedDocuments() async throws(StoreError) -> [(id: String, title: String, department: String, by: String, at: Date)] {
        try await deletedDocuments(limit: 100)
    }
    /// `pendingDocumentExtractions` with limit = 100.
    public func pendingDocumentExtractions() async throws(StoreError) -> [(rowID: Int64, sha256: String, kind: String)] {
        try await pendingDocumentExtractions(limit: 100)
    }
    /// `setDocumentText` with now = Date().
    public func setDocumentText(versionRowID: Int64, text: String?, error: String?) async throws(StoreError) {
        try await setDocumentText(versionRowID: versionRowID, text: text, error: error, now: Date())
    }
    /// `recordDocumentView` with now = Date().
    public func recordDocumentView(id: String, viewer: DocumentViewer) async throws(StoreError) {
        try await recordDocumentView(id: id, viewer: viewer, now: Date())
    }
}
