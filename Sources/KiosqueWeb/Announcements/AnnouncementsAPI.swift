import Foundation
import Hummingbird
import KiosqueStoreContract

/// /api/v1/announcements: what the agent may see, writing for the editors of a department,
/// confirmation of must-read ones, figures for their writers and administrators. An
/// announcement outside the agent's audience answers 404 everywhere (its existence is not
/// disclosed); one they see but may not change answers 403.
struct AnnouncementsAPI {
    let store: any PortalStore
    /// The pictures' and attachments' files (deleted with the announcement's last use of them).
    let files: AnnouncementStorage

    func register(agents: RouterGroup<AppRequestContext>) {
        agents.get("/api/v1/announcements", use: list)
        agents.post("/api/v1/announcements", use: create)
        agents.get("/api/v1/announcements/:id", use: show)
        agents.patch("/api/v1/announcements/:id", use: update)
        agents.delete("/api/v1/announcements/:id", use: remove)
        agents.post("/api/v1/announcements/:id/acknowledge", use: acknowledge)
        agents.get("/api/v1/announcements/:id/stats", use: stats)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let query = APIParameters(request)
        let limit: Int
        do { limit = try query.integer("limit", in: 1...200, default: 50) } catch { return error.response }
        try await store.publishDueAnnouncements(now: context.now)
        let records = try await store.announcements(viewer: viewer, now: context.now, limit: limit)
        let files = try await store.announcementFiles(announcementIDs: records.map(\.id), viewer: viewer, now: context.now)
        let documents = try await store.announcementDocuments(announcementIDs: records.map(\.id), viewer: viewer, now: context.now)
        return .json(["announcements": records.map { Self.json($0, files: files[$0.id] ?? [], documents: documents[$0.id] ?? []) }])
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        guard let record = try await store.announcement(id: context.parameters.get("id") ?? "", viewer: viewer, now: context.now) else {
            return Self.notFound
        }
        return try await attached(record, viewer: viewer, context: context)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let body = try await request.body.collectLimited(upTo: 1_048_576)
        do {
            let input = try AnnouncementInput.json(Data(buffer: body), patch: false)
            guard let department = input.department else { throw AnnouncementInput.Problem(field: "department", message: "is required") }
            guard try await store.canWriteAnnouncements(departmentID: department, viewer: viewer) else {
                return APIError.response(.forbidden, code: "forbidden", message: "Only the editors of `\(department)` publish for it.")
            }
            let record = try await store.createAnnouncement(departmentID: department, content: try input.content(over: nil, now: context.now),
                                                            by: viewer, now: context.now)
            return try await attached(record, viewer: viewer, context: context, status: .created)
        } catch {
            return try Self.refusal(error)
        }
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        guard let current = try await store.announcement(id: id, viewer: viewer, now: context.now) else { return Self.notFound }
        guard current.canManage else { return Self.forbidden }
        let body = try await request.body.collectLimited(upTo: 1_048_576)
        do {
            let input = try AnnouncementInput.json(Data(buffer: body), patch: true)
            let record = try await store.updateAnnouncement(id: id, content: try input.content(over: current.content, now: context.now),
                                                            by: viewer, now: context.now)
            return try await attached(record, viewer: viewer, context: context)
        } catch {
            return try Self.refusal(error)
        }
    }

    @Sendable func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            try await files.deleteAnnouncement(id: id, by: viewer, store: store)
            return Response(status: .noContent)
        } catch { return try Self.refusal(error) }
    }

    @Sendable func acknowledge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        guard let current = try await store.announcement(id: id, viewer: viewer, now: context.now) else { return Self.notFound }
        guard current.content.mustRead, current.inAudience, current.status == .published || current.status == .expired else {
            return APIError.response(.conflict, code: "not_acknowledgeable",
                                     message: "Only a published must-read announcement of your audience is confirmed.")
        }
        let record = try await store.acknowledgeAnnouncement(id: id, viewer: viewer, now: context.now)
        return try await attached(record, viewer: viewer, context: context)
    }

    @Sendable func stats(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        do {
            let figures = try await store.announcementStats(id: context.parameters.get("id") ?? "", viewer: viewer, now: context.now)
            return .json(["views": figures.views, "readers": figures.readers, "acknowledged": figures.acknowledged,
                          "audience": figures.audience])
        } catch { return try Self.refusal(error) }
    }

    /// The announcement with its files and attached documents as the viewer may see them.
    private func attached(_ record: Announcement, viewer: DocumentViewer, context: AppRequestContext,
                          status: HTTPResponse.Status = .ok) async throws -> Response {
        let files = try await store.announcementFiles(announcementID: record.id, viewer: viewer, now: context.now)
        let documents = try await store.announcementDocuments(announcementID: record.id, viewer: viewer, now: context.now)
        return .json(Self.json(record, files: files, documents: documents), status: status)
    }

    static let notFound = APIError.response(.notFound, code: "not_found", message: "No such announcement.")
    static let forbidden = APIError.response(.forbidden, code: "forbidden", message: "Only the editors of its department change it.")

    static func invalid(_ problem: AnnouncementInput.Problem) -> Response {
        if problem.field.isEmpty { return APIError.response(.badRequest, code: "malformed_json", message: problem.message) }
        return APIError.response(.unprocessableContent, code: "invalid_field", message: "`\(problem.field)` \(problem.message).")
    }

    /// Store refusals as API answers; anything else goes on to the error middleware.
    static func refusal(_ error: any Error) throws -> Response {
        if let problem = error as? AnnouncementInput.Problem { return invalid(problem) }
        guard let storeError = error as? StoreError else { throw error }
        switch storeError {
        case .notFound(let what, let id) where what == "department":
            return APIError.response(.unprocessableContent, code: "invalid_field", message: "No department `\(id)`.")
        case .notFound(let what, let id) where what == "document":
            return APIError.response(.unprocessableContent, code: "invalid_field",
                                     message: "`attachments`: no document `\(id)` of this department that you may see.")
        case .conflict(let what, let detail) where what.hasPrefix("document"):
            return APIError.response(.unprocessableContent, code: "invalid_field", message: "`attachments`: \(detail).")
        case .notFound: return notFound
        case .forbidden: return forbidden
        case .conflict(_, let detail): return APIError.response(.conflict, code: "conflict", message: detail)
        default: throw error
        }
    }

    /// The announcement as the API gives it, with its picture and attachments (`files` then the attached
    /// `documents`, as the viewer may see them).
    static func json(_ record: Announcement, files: [AnnouncementFile] = [], documents: [AnnouncementDocument] = []) -> [String: Any] {
        let content = record.content
        let picture: Any = files.first { $0.role == .picture }.map { file -> [String: Any] in
            var values: [String: Any] = ["url": "/annonces/\(record.id)/image", "alt": file.file.alt]
            if let width = file.file.width, let height = file.file.height { values["width"] = width; values["height"] = height }
            return values
        } ?? NSNull()
        let attachments = files.filter { $0.role == .attachment }.map { file -> [String: Any] in
            ["kind": "file", "id": file.id, "file_name": file.file.fileName, "media_type": file.file.mediaType, "size": file.file.size,
             "url": "/annonces/\(record.id)/pieces-jointes/\(file.id)"]
        } + documents.map { document -> [String: Any] in
            ["kind": "document", "id": document.id, "title": document.title, "media_type": document.mediaType, "size": document.size,
             "url": "/documents/\(document.id)"]
        }
        return [
            "picture": picture, "attachments": attachments,
            "id": record.id, "department": record.departmentID, "department_title": record.departmentTitle, "title": content.title,
            "summary": content.summary, "body_markdown": content.bodyMarkdown, "body_html": content.bodyHTML,
            "category": content.category.map { $0 as Any } ?? NSNull(),
            "audience": ["departments": content.audience.departments, "groups": content.audience.groups],
            "publish_at": JSONDates.string(content.publishAt), "expire_at": content.expireAt.map { JSONDates.string($0) as Any } ?? NSNull(),
            "pinned": content.pinned, "must_read": content.mustRead, "status": record.status.rawValue,
            "author": record.author.map { $0 as Any } ?? NSNull(), "created_at": JSONDates.string(record.createdAt),
            "updated_at": JSONDates.string(record.updatedAt), "acknowledged": record.acknowledgedAt != nil,
            "acknowledged_at": record.acknowledgedAt.map { JSONDates.string($0) as Any } ?? NSNull(),
            "url": "/annonces/\(record.id)",
        ]
    }
}
