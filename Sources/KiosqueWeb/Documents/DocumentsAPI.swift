import Foundation
import Hummingbird
import KiosqueDocuments
import KiosqueStoreContract

/// The documents part of /api/v1: list and search, read, download, publish, add a version.
struct DocumentsAPI {
    let library: DocumentLibrary
    var store: any PortalStore { library.store }

    func register(agents: RouterGroup<AppRequestContext>) {
        agents.get("/api/v1/documents", use: list)
        agents.get("/api/v1/documents/:id", use: show)
        agents.get("/api/v1/documents/:id/file", use: file)
        agents.post("/api/v1/services/:id/documents", use: create)
        agents.post("/api/v1/documents/:id/versions", use: addVersion)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let query = APIParameters(request)
        var filter: DocumentFilter
        do {
            filter = DocumentFilter(departmentID: try query.text("service"), category: try query.text("category"),
                                    year: try query.optionalInteger("year", in: 1900...2999), tag: try query.text("tag", maxLength: 50),
                                    query: try query.text("q"), limit: try query.integer("limit", in: 1...200, default: 50))
        } catch { return error.response }
        filter.forgivingQuery = true
        let records = try await store.documents(filter: filter, viewer: viewer)
        return .json(["documents": records.map { Self.json($0, versions: false) }])
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        guard let record = try await store.document(id: context.parameters.get("id") ?? "", viewer: viewer) else { return Self.notFound }
        return .json(Self.json(record, versions: true))
    }

    @Sendable func file(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        guard let record = try await store.document(id: context.parameters.get("id") ?? "", viewer: viewer) else { return Self.notFound }
        let response = await DocumentDownload.response(request, record: record, library: library, context: context)
        return response.status == .notFound ? APIError.response(.notFound, code: "unknown_version", message: "No such version.") : response
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            _ = try await library.requirePublisher(departmentID: id, viewer: viewer)
            let body = try await MultipartUpload.read(request, library: library)
            guard let upload = body.upload, upload.size > 0 else {
                body.upload?.discard()
                throw DocumentError.invalidField(field: "file", message: "a non-empty file part named `file` is required")
            }
            let metadata: DocumentMetadata
            do { metadata = try DocumentLibrary.metadata(fields: body.fields) } catch { upload.discard(); throw error }
            let record = try await library.publish(upload, originalName: body.fileName, departmentID: id, metadata: metadata, viewer: viewer)
            return .json(Self.json(record, versions: true), status: .created)
        } catch let error as DocumentError {
            return Self.refusal(error, context)
        }
    }

    @Sendable func addVersion(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            _ = try await library.requireManager(documentID: id, viewer: viewer, action: "add a version")
            let body = try await MultipartUpload.read(request, library: library)
            guard let upload = body.upload, upload.size > 0 else {
                body.upload?.discard()
                throw DocumentError.invalidField(field: "file", message: "a non-empty file part named `file` is required")
            }
            let record = try await library.addVersion(upload, originalName: body.fileName, documentID: id, viewer: viewer)
            return .json(Self.json(record, versions: true), status: .created)
        } catch let error as DocumentError {
            return Self.refusal(error, context)
        }
    }

    static let notFound = APIError.response(.notFound, code: "not_found", message: "No such document.")

    /// The agent's own mistakes are explained; a server-side failure (storage, store, extraction)
    /// is logged in full and answered without its details (paths of the data folder, SQL).
    static func refusal(_ error: DocumentError, _ context: AppRequestContext) -> Response {
        let code: String
        switch error {
        case .notFound: return notFound
        case .forbidden: code = "forbidden"
        case .tooLarge: code = "too_large"
        case .refusedType: code = "refused_type"
        case .invalidField: code = "invalid_field"
        default:
            context.logger.error("documents API failure", metadata: ["error": "\(error)"])
            return APIError.response(error.status, code: "internal", message: "Internal error.")
        }
        return APIError.response(error.status, code: code, message: error.description)
    }

    static func json(_ record: DocumentRecord, versions: Bool) -> [String: Any] {
        func version(_ v: DocumentVersion) -> [String: Any] {
            ["number": v.number, "file_name": v.fileName, "media_type": v.mediaType, "kind": v.kind, "size": v.size,
             "sha256": v.sha256, "uploaded_at": JSONDates.string(v.uploadedAt), "indexed": v.indexStatus.rawValue,
             "url": "/api/v1/documents/\(record.id)/file?version=\(v.number)"]
        }
        var object: [String: Any] = [
            "id": record.id, "service": record.departmentID, "service_title": record.departmentTitle, "title": record.title,
            "category": record.category.map { $0 as Any } ?? NSNull(), "description": record.description,
            "date": record.actDate.map { $0 as Any } ?? NSNull(), "tags": record.tags, "visibility": record.visibility.rawValue,
            "status": record.status.rawValue, "created_at": JSONDates.string(record.createdAt),
            "updated_at": JSONDates.string(record.updatedAt), "current_version": version(record.current),
            "url": "/documents/\(record.id)",
        ]
        if versions { object["versions"] = record.versions.map(version) }
        return object
    }
}
