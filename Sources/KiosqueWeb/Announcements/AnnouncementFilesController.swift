import Foundation
import Hummingbird
import KiosqueDocuments
import KiosqueStoreContract

/// An announcement's picture and attachments: added and removed by those who manage it (from the
/// editing page; forms with a file are multipart, their CSRF token in the action's `_csrf`
/// parameter), served only to those who may see the announcement — the store checks the
/// audience in SQL, and anyone else gets the same 404 as for a file that does not exist.
extension AnnouncementsController {
    func registerFiles(agents: RouterGroup<AppRequestContext>) {
        agents.get("/annonces/:id/image", use: picture)
        agents.post("/annonces/:id/image", use: addPicture)
        agents.post("/annonces/:id/image/supprimer", use: removePicture)
        agents.get("/annonces/:id/pieces-jointes/:file", use: attachment)
        agents.post("/annonces/:id/pieces-jointes", use: addAttachment)
        agents.post("/annonces/:id/pieces-jointes/:file/supprimer", use: removeAttachment)
    }

    @Sendable func picture(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        guard let file = try await store.announcementFiles(announcementID: id, viewer: viewer).first(where: { $0.role == .picture }) else {
            return notFound(context)
        }
        return await DocumentDownload.file(request, at: files.url(file.file), size: file.file.size, mediaType: file.file.mediaType,
                                           fileName: file.file.fileName, sha256: file.file.sha256, inline: true, context: context)
    }

    @Sendable func attachment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        guard let file = try await store.announcementFile(announcementID: context.parameters.get("id") ?? "",
                                                         fileID: context.parameters.get("file") ?? "", viewer: viewer),
              file.role == .attachment else {
            return notFound(context)
        }
        let previewable = DocumentKind(rawValue: file.file.kind)?.isPreviewable ?? false
        return await DocumentDownload.file(request, at: files.url(file.file), size: file.file.size, mediaType: file.file.mediaType,
                                           fileName: file.file.fileName, sha256: file.file.sha256,
                                           inline: previewable && request.query["apercu"] != nil, context: context)
    }

    @Sendable func addPicture(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await upload(request, context: context, role: .picture)
    }

    @Sendable func addAttachment(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await upload(request, context: context, role: .attachment)
    }

    @Sendable func removePicture(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            guard let file = try await store.announcementFiles(announcementID: id, viewer: viewer).first(where: { $0.role == .picture }) else {
                return notFound(context)
            }
            files.remove(try await store.removeAnnouncementFile(announcementID: id, fileID: file.id, by: viewer))
            return .seeOther("/annonces/\(id)/modifier")
        } catch {
            return try failure(error, context)
        }
    }

    @Sendable func removeAttachment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            files.remove(try await store.removeAnnouncementFile(announcementID: id, fileID: context.parameters.get("file") ?? "", by: viewer))
            return .seeOther("/annonces/\(id)/modifier")
        } catch {
            return try failure(error, context)
        }
    }

    /// Reads a multipart upload for an announcement the agent manages (rights first, before a byte
    /// of the body is stored), checks and records it, and goes back to the editing page; a refused
    /// file is explained on that page.
    private func upload(_ request: Request, context: AppRequestContext, role: AnnouncementFileRole) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        guard let record = try await store.announcement(id: id, viewer: viewer) else { return notFound(context) }
        guard record.canManage else { return views.error(.forbidden, messageKey: "error_forbidden", context: context) }
        let storage = files
        do {
            let body = try await MultipartUpload.read(request, maxBytes: storage.maxUploadBytes) { () throws(DocumentError) in
                try storage.beginUpload()
            }
            guard let upload = body.upload, upload.size > 0 else {
                body.upload?.discard()
                return try await formPage(departments: [], chosen: record.departmentID, values: nil, record: record, id: id,
                                          error: views.text("documents_refusal_field_file", context), context: context,
                                          status: .unprocessableContent)
            }
            let alt = String((body.fields["alt"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))
            let input = role == .picture ? try storage.picture(upload, originalName: body.fileName, alt: alt)
                : try storage.attachment(upload, originalName: body.fileName)
            do {
                let (_, unused) = try await store.addAnnouncementFile(announcementID: id, role: role, file: input, by: viewer)
                storage.remove(unused)
            } catch {
                storage.remove(try await store.unusedAnnouncementBlobs([input.sha256]))
                if case .conflict? = error as? StoreError {
                    return try await formPage(departments: [], chosen: record.departmentID, values: nil, record: record, id: id,
                                              error: views.text("announcements_too_many_attachments", context), context: context,
                                              status: .conflict)
                }
                throw error
            }
            return .seeOther("/annonces/\(id)/modifier")
        } catch let error as DocumentError {
            var text = views.text(role == .picture ? "announcements_picture_refused" : error.messageKey, context)
            if case .tooLarge(let limit) = error {
                text = views.text("documents_refusal_too_large", context).replacingOccurrences(of: "{limit}", with: String(limit / 1_048_576))
            } else if role == .attachment, text == error.messageKey {
                text = views.text("documents_error_generic", context)
            }
            return try await formPage(departments: [], chosen: record.departmentID, values: nil, record: record, id: id, error: text,
                                      context: context, status: error.status)
        }
    }

    /// The picture and attachments as the page and the editing form show them.
    func fileValues(announcementID id: String, viewer: DocumentViewer) async throws -> [String: Any] {
        let all = try await store.announcementFiles(announcementID: id, viewer: viewer)
        var data: [String: Any] = [:]
        if let picture = all.first(where: { $0.role == .picture }) {
            var values: [String: Any] = ["src": "/annonces/\(id)/image", "alt": picture.file.alt]
            if let width = picture.file.width, let height = picture.file.height { values["width"] = width; values["height"] = height }
            data["picture"] = values
        }
        let attachments = all.filter { $0.role == .attachment }.map { file -> [String: Any] in
            ["file_id": file.id, "file_name": file.file.fileName, "size": DocumentsController.size(file.file.size),
             "kind": file.file.kind.uppercased(), "href": "/annonces/\(id)/pieces-jointes/\(file.id)"]
        }
        if !attachments.isEmpty { data["attachments"] = attachments; data["has_attachments"] = true }
        return data
    }
}
