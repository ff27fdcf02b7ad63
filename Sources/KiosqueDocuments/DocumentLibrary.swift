public import Foundation
public import KiosqueStoreContract

/// Departmental documents: checks rights, makes uploads durable before recording them, and
/// extracts their text in the background. The one entry point the web layer uses.
public final class DocumentLibrary: Sendable {
    /// The store holding the rows.
    public let store: any PortalStore
    /// The files.
    public let storage: BlobStorage
    /// The largest upload accepted, in bytes.
    public let maxUploadBytes: Int64
    /// The text extractor.
    public let extractor: TextExtractor
    private let worker = ExtractionWorker()
    private let extractsInBackground: Bool

    /// A library storing files under `root` (e.g. `data/documents`); `extractsInBackground: false`
    /// leaves extraction to explicit `extractPending()` calls (tests, tools).
    public init(root: URL, store: any PortalStore, maxUploadBytes: Int64 = 50 * 1_048_576,
                limits: ExtractionLimits = ExtractionLimits(), extractsInBackground: Bool = true) throws(DocumentError) {
        self.extractsInBackground = extractsInBackground
        self.store = store
        self.storage = try BlobStorage(root: root)
        self.maxUploadBytes = maxUploadBytes
        self.extractor = TextExtractor(limits: limits)
    }

    // MARK: - Rights, checked before a byte of an upload is read

    /// The department if the viewer may publish in it; `.notFound` / `.forbidden` otherwise.
    public func requirePublisher(departmentID: String, viewer: DocumentViewer) async throws(DocumentError) -> DepartmentInfo {
        guard let department = try await call({ try await store.documentDepartment(id: departmentID, viewer: viewer) }) else {
            throw .notFound(what: "department", id: departmentID)
        }
        guard department.canPublish else { throw .forbidden(action: "publish in \(departmentID)") }
        return department
    }

    /// The document if the viewer may change it; a document the viewer cannot see is `.notFound`.
    public func requireManager(documentID: String, viewer: DocumentViewer, action: String) async throws(DocumentError) -> DocumentRecord {
        guard let record = try await call({ try await store.document(id: documentID, viewer: viewer) }) else {
            throw .notFound(what: "document", id: documentID)
        }
        guard try await call({ try await store.canManageDocument(id: documentID, viewer: viewer) }) else {
            throw .forbidden(action: action)
        }
        return record
    }

    // MARK: - Changes

    /// A temporary file for an upload, capped at `maxUploadBytes`.
    public func beginUpload() throws(DocumentError) -> UploadFile {
        try storage.beginUpload(limit: maxUploadBytes)
    }

    /// Publishes a new document from a finished upload (the upload is consumed either way).
    public func publish(_ upload: UploadFile, originalName: String, departmentID: String, metadata: DocumentMetadata,
                        viewer: DocumentViewer) async throws(DocumentError) -> DocumentRecord {
        do {
            let department = try await requirePublisher(departmentID: departmentID, viewer: viewer)
            let checked = try Self.validate(metadata, department: department)
            let file = try storage.commitChecked(upload, originalName: originalName)
            let record = try await call { try await store.createDocument(departmentID: departmentID, metadata: checked, file: file, by: viewer) }
            startExtraction()
            return record
        } catch {
            upload.discard()
            throw error
        }
    }

    /// Adds a version to a document from a finished upload.
    public func addVersion(_ upload: UploadFile, originalName: String, documentID: String,
                           viewer: DocumentViewer) async throws(DocumentError) -> DocumentRecord {
        do {
            _ = try await requireManager(documentID: documentID, viewer: viewer, action: "add a version")
            let file = try storage.commitChecked(upload, originalName: originalName)
            let record = try await call { try await store.addDocumentVersion(id: documentID, file: file, by: viewer) }
            startExtraction()
            return record
        } catch {
            upload.discard()
            throw error
        }
    }

    /// Replaces a document's metadata.
    public func update(documentID: String, metadata: DocumentMetadata, viewer: DocumentViewer) async throws(DocumentError) -> DocumentRecord {
        let record = try await requireManager(documentID: documentID, viewer: viewer, action: "edit")
        guard let department = try await call({ try await store.documentDepartment(id: record.departmentID, viewer: viewer) }) else {
            throw .notFound(what: "department", id: record.departmentID)
        }
        let checked = try Self.validate(metadata, department: department)
        return try await call { try await store.updateDocument(id: documentID, metadata: checked) }
    }

    /// Unpublishes (archives) or republishes a document.
    public func setStatus(documentID: String, _ status: DocumentStatus, viewer: DocumentViewer) async throws(DocumentError) -> DocumentRecord {
        _ = try await requireManager(documentID: documentID, viewer: viewer, action: status == .published ? "republish" : "unpublish")
        return try await call { try await store.setDocumentStatus(id: documentID, status) }
    }

    /// Deletes a document for good (administrators only), logged with the login; removes files no longer used.
    public func delete(documentID: String, viewer: DocumentViewer, login: String) async throws(DocumentError) {
        guard try await call({ try await store.document(id: documentID, viewer: viewer) }) != nil else {
            throw .notFound(what: "document", id: documentID)
        }
        guard viewer.isAdmin else { throw .forbidden(action: "delete a document") }
        let unused = try await call { try await store.deleteDocument(id: documentID, by: viewer, login: login) }
        for hash in unused { storage.remove(sha256: hash) }
    }

    /// The stored file of a version.
    public func fileURL(_ version: DocumentVersion) -> URL { storage.url(sha256: version.sha256) }

    // MARK: - Storage check and extraction

    /// Start-up check: removes interrupted uploads, reports orphans and missing files. With
    /// `removeTemporaryFiles: false` (a check while the portal runs) uploads are left alone.
    public func checkStorage(removeTemporaryFiles: Bool = true) async throws(DocumentError) -> StorageReport {
        storage.check(referenced: try await call { try await store.documentBlobHashes() }, removeTemporaryFiles: removeTemporaryFiles)
    }

    /// Starts background extraction of pending versions, unless it is already running.
    public func startExtraction() {
        guard extractsInBackground else { return }
        Task.detached { [self] in await self.extractPending() }
    }

    /// Extracts every pending version's text, one at a time; returns how many were processed.
    /// A failure flags the version "not indexed"; the document stays published.
    @discardableResult
    public func extractPending() async -> Int {
        guard await worker.begin() else { return 0 }
        var done = 0
        repeat {
            while let batch = try? await store.pendingDocumentExtractions(limit: 20), !batch.isEmpty {
                for version in batch {
                    let url = storage.url(sha256: version.sha256)
                    var text: String?, failure: String?
                    if let kind = DocumentKind(rawValue: version.kind) {
                        do { text = try await extractor.text(fileAt: url, kind: kind) } catch { failure = error.description }
                    } else {
                        failure = "unknown kind \(version.kind)"
                    }
                    try? await store.setDocumentText(versionRowID: version.rowID, text: text, error: failure)
                    done += 1
                }
            }
        } while await worker.finishOrAgain()
        return done
    }

    // MARK: - Helpers

    private func call<T>(_ body: () async throws -> T) async throws(DocumentError) -> T {
        do { return try await body() } catch let error as StoreError { throw DocumentError.wrap(error) } catch let error as DocumentError {
            throw error
        } catch { throw .storage(path: store.location, detail: "\(error)") }
    }
}

/// Keeps one extraction loop at a time; a request while it runs makes it look again.
private actor ExtractionWorker {
    private var running = false
    private var again = false

    func begin() -> Bool {
        if running { again = true; return false }
        running = true
        return true
    }

    func finishOrAgain() -> Bool {
        if again { again = false; return true }
        running = false
        return false
    }
}

extension BlobStorage {
    /// Sniffs an upload's content (executables, unknown types and names that lie are refused),
    /// neutralises its name (adding the sniffed kind's extension to a name without an accepted
    /// one), then makes it durable; only then may a row point at it. Documents and announcements'
    /// attachments both go through here; the caller discards the upload on failure.
    public func commitChecked(_ upload: UploadFile, originalName: String) throws(DocumentError) -> StoredFile {
        try upload.finish()
        var name = FileNames.neutralise(originalName)
        let kind = try ContentSniffer.sniff(fileAt: upload.url, name: name)
        if DocumentKind.claimed(byExtension: FileNames.fileExtension(name)) == nil { name += "." + kind.fileExtension }
        let (sha, size) = try commit(upload)
        return StoredFile(sha256: sha, size: size, fileName: name, mediaType: kind.mediaType, kind: kind.rawValue)
    }
}
