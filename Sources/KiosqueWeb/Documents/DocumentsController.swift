import Foundation
import Hummingbird
import KiosqueDocuments
import KiosqueStoreContract
import Logging

/// Departmental documents for agents: /services, /services/{id}, /documents/{id}, the editors'
/// forms, downloads, and the JSON API. Every route asks the library or the store with the agent
/// as viewer: a document the agent may not see answers exactly like one that does not exist.
struct DocumentsController {
    let library: DocumentLibrary
    let views: ViewRenderer
    var store: any PortalStore { library.store }

    /// Opens the library under `data/documents`, checks the storage and resumes pending extractions.
    static func make(store: any PortalStore, views: ViewRenderer, dataDirectory: String, maxUpload: Int64,
                     logger: Logger) async throws -> DocumentsController {
        let root = URL(fileURLWithPath: dataDirectory).appendingPathComponent("documents")
        let library = try DocumentLibrary(root: root, store: store, maxUploadBytes: maxUpload)
        let report = try await library.checkStorage()
        if !report.orphans.isEmpty || !report.missing.isEmpty || report.removedTemporaryFiles > 0 {
            logger.warning("documents storage check", metadata: [
                "orphans": "\(report.orphans.count)", "missing": "\(report.missing.joined(separator: ","))",
                "interrupted_uploads_removed": "\(report.removedTemporaryFiles)",
            ])
        }
        library.startExtraction()
        return DocumentsController(library: library, views: views)
    }

    func register(agents: RouterGroup<AppRequestContext>, admins: RouterGroup<AppRequestContext>) {
        agents.get("/services", use: services)
        agents.get("/services/:id", use: service)
        agents.get("/services/:id/publier", use: uploadForm)
        agents.post("/services/:id/publier", use: publish)
        agents.get("/documents/:id", use: document)
        agents.get("/documents/:id/fichier", use: download)
        agents.post("/documents/:id/versions", use: newVersion)
        agents.get("/documents/:id/modifier", use: editForm)
        agents.post("/documents/:id/modifier", use: edit)
        agents.post("/documents/:id/depublier") { try await setStatus($0, $1, .unpublished) }
        agents.post("/documents/:id/republier") { try await setStatus($0, $1, .published) }
        agents.post("/documents/:id/supprimer", use: delete)
        admins.get("/admin/documents", use: adminLog)
        DocumentsAPI(library: library).register(agents: agents)
    }

    // MARK: - Pages

    @Sendable func services(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let departments = try await store.documentDepartments(viewer: viewer)
        var rows: [[String: Any]] = []
        for department in departments {
            let latest = try await store.documents(filter: DocumentFilter(departmentID: department.id, limit: 3), viewer: viewer)
            rows.append(departmentValues(department).merging(["documents": latest.map { row($0, context) }]) { a, _ in a })
        }
        return views.page("documents-services", ["departments": rows], context: context, navigation: "services")
    }

    @Sendable func service(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        guard let department = try await store.documentDepartment(id: id, viewer: viewer) else { return notFound(context) }
        let q = request.query
        func param(_ name: String) -> String? { q.nonEmpty(name) }
        let filter = DocumentFilter(departmentID: id, category: param("categorie"), year: param("annee").flatMap { Int($0) },
                                    tag: param("etiquette"), query: param("q"), includeUnpublished: department.canPublish, limit: 200)
        var values = departmentValues(department)
        var records: [DocumentRecord] = []
        do { records = try await store.documents(filter: filter, viewer: viewer) } catch {
            guard case .invalidSearch(let problem) = error else { throw error }
            values["search_error"] = problem.description
        }
        values["documents"] = records.map { row($0, context) }
        values["categories"] = department.categories.map { ["name": $0, "selected": $0 == filter.category] }
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        values["years"] = (0..<10).map { ["year": year - $0, "selected": year - $0 == filter.year] }
        if let tag = filter.tag { values["tag"] = tag }
        if let query = param("q") { values["q"] = query }
        values["empty"] = records.isEmpty
        return views.page("documents-service", values, context: context, navigation: "services")
    }

    @Sendable func uploadForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        do {
            let department = try await library.requirePublisher(departmentID: context.parameters.get("id") ?? "", viewer: viewer)
            return formPage(department, fields: [:], error: nil, context: context)
        } catch { return failure(error, context) }
    }

    @Sendable func document(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        guard let record = try await store.document(id: id, viewer: viewer) else { return notFound(context) }
        try? await store.recordDocumentView(id: id, viewer: viewer)  // the department's figures (issue 17)
        var values = row(record, context)
        let manage = try await store.canManageDocument(id: id, viewer: viewer)
        if manage { values["can_manage"] = true }
        if viewer.isAdmin { values["can_delete"] = true }
        values["versions"] = record.versions.map { version -> [String: Any] in
            var v: [String: Any] = ["number": version.number, "file_name": version.fileName, "size": Self.size(version.size),
                                    "date": views.dates.format(version.uploadedAt, language: context.language),
                                    "is_current": version.number == record.current.number]
            if let by = version.uploadedBy { v["by"] = by }
            return v
        }
        if let kind = DocumentKind(rawValue: record.current.kind), kind.isPreviewable {
            values[kind == .pdf ? "preview_pdf" : "preview_image"] = "/documents/\(record.id)/fichier?apercu=1"
        }
        if record.current.indexStatus == .failed, manage || viewer.isAdmin { values["not_indexed"] = record.current.indexError ?? "" }
        return views.page("documents-document", values, context: context, navigation: "services")
    }

    @Sendable func editForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        do {
            let record = try await library.requireManager(documentID: context.parameters.get("id") ?? "", viewer: viewer, action: "edit")
            return try await editPage(record, viewer: viewer, error: nil, context: context)
        } catch { return failure(error, context) }
    }

    @Sendable func adminLog(_ request: Request, context: AppRequestContext) async throws -> Response {
        let deleted = try await store.deletedDocuments().map { entry -> [String: Any] in
            ["id": entry.id, "title": entry.title, "department": entry.department, "by": entry.by,
             "date": views.dates.format(entry.at, language: context.language)]
        }
        let unindexed = try await store.unindexedDocuments().map { ["id": $0.id, "title": $0.title, "error": $0.error] }
        return views.page("documents-admin", ["deleted": deleted, "unindexed": unindexed], context: context, navigation: "admin")
    }

    // MARK: - View models

    func departmentValues(_ department: DepartmentInfo) -> [String: Any] {
        var values: [String: Any] = ["id": department.id, "title": department.title, "channel_id": department.channelID]
        if department.isMember { values["is_member"] = true }
        if department.canPublish { values["can_publish"] = true }
        return values
    }

    func row(_ record: DocumentRecord, _ context: AppRequestContext) -> [String: Any] {
        var values: [String: Any] = [
            "id": record.id, "title": record.title, "department_id": record.departmentID, "department_title": record.departmentTitle,
            "description": record.description, "tags": record.tags, "file_name": record.current.fileName,
            "size": Self.size(record.current.size), "kind": record.current.kind.uppercased(),
            "date": views.dates.format(record.createdAt, language: context.language), "date_iso": views.dates.iso(record.createdAt),
            "members_only": record.visibility == .department, "unpublished": record.status == .unpublished,
            "version": record.current.number,
        ]
        if !record.tags.isEmpty { values["has_tags"] = true }
        if let category = record.category { values["category"] = category }
        if let act = record.actDate { values["act_date"] = act }
        return values
    }

    func formPage(_ department: DepartmentInfo, fields: [String: String], error: String?, context: AppRequestContext,
                  status: HTTPResponse.Status = .ok) -> Response {
        var values = departmentValues(department)
        values["categories"] = department.categories.map { ["name": $0, "selected": $0 == fields["category"]] }
        if !department.categories.isEmpty { values["has_categories"] = true }
        values["form"] = fields
        if fields["visibility"] == "department" { values["members_only"] = true }
        if let error { values["error"] = error }
        values["max_mb"] = library.maxUploadBytes / 1_048_576
        return views.page("documents-upload", values, context: context, navigation: "services", status: status)
    }

    func editPage(_ record: DocumentRecord, viewer: DocumentViewer, error: String?, context: AppRequestContext,
                  status: HTTPResponse.Status = .ok) async throws -> Response {
        var values = row(record, context)
        values["tags_text"] = record.tags.joined(separator: ", ")
        let categories = try await store.documentDepartment(id: record.departmentID, viewer: viewer)?.categories ?? []
        values["categories"] = categories.map { ["name": $0, "selected": $0 == record.category] }
        if !categories.isEmpty { values["has_categories"] = true }
        if let error { values["error"] = error }
        values["max_mb"] = library.maxUploadBytes / 1_048_576
        return views.page("documents-edit", values, context: context, navigation: "services", status: status)
    }

    func notFound(_ context: AppRequestContext) -> Response {
        views.error(.notFound, messageKey: "error_not_found", context: context)
    }

    /// The page for a refusal: 404 for what the agent cannot see, 403 for what they cannot do.
    func failure(_ error: any Error, _ context: AppRequestContext) -> Response {
        guard let error = error as? DocumentError else { return views.error(.internalServerError, messageKey: "error_internal", context: context) }
        switch error {
        case .notFound: return notFound(context)
        case .forbidden: return views.error(.forbidden, messageKey: "error_forbidden", context: context)
        default: return views.error(error.status, messageKey: "documents_error_generic", context: context)
        }
    }

    static func size(_ bytes: Int64) -> String {
        if bytes < 1_024 { return "\(bytes) o" }
        if bytes < 1_048_576 { return "\(bytes / 1_024) Ko" }
        return String(format: "%.1f Mo", Double(bytes) / 1_048_576)
    }
}

extension AppRequestContext {
    /// The signed-in agent as a documents viewer (routes are behind RequireAgentMiddleware).
    func documentViewer() throws -> DocumentViewer {
        let agent = try requireAgent()
        return DocumentViewer(userID: agent.id, isAdmin: agent.isAdmin)
    }
}

extension DocumentError {
    /// The HTTP status of a refusal.
    var status: HTTPResponse.Status {
        switch self {
        case .notFound: return .notFound
        case .forbidden: return .forbidden
        case .tooLarge: return .contentTooLarge
        case .refusedType: return .unsupportedMediaType
        case .invalidField: return .unprocessableContent
        case .storage, .extraction, .store: return .internalServerError
        }
    }
}
